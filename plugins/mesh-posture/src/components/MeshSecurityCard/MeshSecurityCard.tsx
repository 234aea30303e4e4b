import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { MeshPosture } from '@mesh-posture/plugin-mesh-posture-common';
import { PosturePending, useEntityPosture } from '../shared/entityPosture';
import {
  describeInstant,
  formatByteRate,
  formatExpiry,
  formatRate,
  formatShare,
} from '../shared/format';
import {
  CheckFindingText,
  EdgeTable,
  PostureNotices,
  sourceName,
  STATUS_TEXT,
  StatusIcon,
  useStyles as useSharedStyles,
  certificateStatusFor,
} from '../shared/postureParts';
import { RelativeTime } from '../shared/RelativeTime';
import { HowToFix, NotInMesh, proxylessOf } from '../shared/howToFix';

const useStyles = makeStyles({
  figure: { fontSize: '1.5rem', fontWeight: 500, lineHeight: 1.2 },
});

/** How many edges the card lists before summarising the rest. */
const MAX_EDGES = 8;

function Figure(props: { label: string; value: string; detail?: string }) {
  const classes = useStyles();
  return (
    <Box>
      <Typography variant="overline" color="textSecondary">
        {props.label}
      </Typography>
      <Typography className={classes.figure}>{props.value}</Typography>
      {props.detail && (
        <Typography variant="caption" color="textSecondary">
          {props.detail}
        </Typography>
      )}
    </Box>
  );
}

function MtlsFigure(props: {
  posture: MeshPosture;
  direction: 'inbound' | 'outbound';
}) {
  const totals = props.posture[props.direction];
  const tcp = totals.tcp;
  let volume =
    totals.requestsPerSecond > 0
      ? formatRate(totals.requestsPerSecond)
      : `no requests in ${props.posture.window}`;
  if (props.posture.totalPods > 0 && props.posture.meshedPods === 0) {
    // Without a proxy, silence is not idleness: say who could have seen it.
    if (props.direction === 'outbound') {
      volume = 'not observed: no proxy';
    } else {
      volume =
        totals.requestsPerSecond > 0
          ? `${formatRate(totals.requestsPerSecond)} seen by its callers`
          : `no meshed caller seen in ${props.posture.window}`;
    }
  }
  const parts = [
    volume,
    // TCP is weighed in bytes: its share is its own, beside the requests'.
    ...(tcp
      ? [
          `TCP ${formatByteRate(tcp.bytesPerSecond)}${
            tcp.mtlsShare === null ? '' : `, ${formatShare(tcp.mtlsShare)} mTLS`
          }`,
        ]
      : []),
    ...(totals.unverifiedRequestsPerSecond > 0
      ? [`${formatRate(totals.unverifiedRequestsPerSecond)} not observed`]
      : []),
    // Kubelet probes are plaintext by design: counted apart, not as callers.
    ...((totals.probeRequestsPerSecond ?? 0) > 0
      ? [
          `probes ${formatRate(
            totals.probeRequestsPerSecond!,
          )}, plaintext by design`,
        ]
      : []),
  ];
  // The figure is the least encrypted of the two: 100% HTTP never hides plaintext TCP.
  const shares = [totals.mtlsShare, tcp?.mtlsShare ?? null].filter(
    (x): x is number => x !== null,
  );
  const lowestShare = shares.length > 0 ? Math.min(...shares) : null;
  return (
    <Figure
      label={`${props.direction === 'inbound' ? 'Inbound' : 'Outbound'} mTLS`}
      value={lowestShare === null ? '—' : formatShare(lowestShare)}
      detail={parts.join(' · ')}
    />
  );
}

/** The posture document, laid out for a service's overview page. */
export function MeshSecurityContent({ posture }: { posture: MeshPosture }) {
  const classes = useSharedStyles();
  // Workload certificates renew daily; the card lists the mesh's own.
  const meshCertificates = posture.certificates.filter(
    c => c.role !== 'workload',
  );
  const proxyless = proxylessOf(posture);

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1}>
        <StatusIcon status={posture.verdict.status} />
        <Typography variant="subtitle1">
          <b>{STATUS_TEXT[posture.verdict.status]}</b> —{' '}
          {posture.verdict.summary}
        </Typography>
      </Box>

      <PostureNotices posture={posture} />

      {proxyless.length > 0 && (
        <Box mb={2}>
          <NotInMesh
            workloads={proxyless}
            seen="What is seen of its traffic is what its callers' proxies report sending it; what it sends is not observed."
          />
        </Box>
      )}

      <Grid container spacing={2}>
        <Grid item xs={4}>
          <Figure
            label="Meshed pods"
            value={`${posture.meshedPods}/${posture.totalPods}`}
            detail={
              [...new Set(posture.workloads.map(w => w.mesh))].join(', ') ||
              undefined
            }
          />
        </Grid>
        <Grid item xs={4}>
          <MtlsFigure posture={posture} direction="inbound" />
        </Grid>
        <Grid item xs={4}>
          <MtlsFigure posture={posture} direction="outbound" />
        </Grid>
      </Grid>

      {posture.edges.length > 0 && (
        <Box className={classes.section}>
          <EdgeTable edges={posture.edges} limit={MAX_EDGES} />
        </Box>
      )}

      {meshCertificates.length > 0 && (
        <Box className={classes.section}>
          <Typography variant="overline" color="textSecondary">
            Certificates
          </Typography>
          {meshCertificates.map(c => (
            <Box
              key={`${c.cluster}|${c.mesh}|${c.role}|${c.location}|${c.subject}|${c.notAfter}`}
              display="flex"
              alignItems="center"
            >
              <StatusIcon status={certificateStatusFor(posture, c)} />
              <Typography variant="body2">
                {c.role.replace('-', ' ')} <i>{c.subject}</i> on {c.cluster}:{' '}
                <time
                  dateTime={describeInstant(c.notAfter).iso}
                  title={`not after ${describeInstant(c.notAfter).exact}`}
                >
                  {formatExpiry(c.daysToExpiry)}
                </time>
              </Typography>
            </Box>
          ))}
        </Box>
      )}

      <Box className={classes.section}>
        <Typography variant="overline" color="textSecondary">
          Checks
        </Typography>
        <Box role="list" aria-label="Checks">
          {posture.verdict.checks.map(check => (
            <Box
              key={check.id}
              display="flex"
              alignItems="flex-start"
              role="listitem"
            >
              <StatusIcon status={check.status} />
              <Box>
                <CheckFindingText check={check} posture={posture} />
                <HowToFix check={check} posture={posture} />
              </Box>
            </Box>
          ))}
        </Box>
      </Box>

      <Box className={classes.section}>
        <Typography variant="caption" color="textSecondary">
          Window {posture.window} · updated{' '}
          <RelativeTime at={posture.generatedAt} />
          {posture.freshness.cached ? ' (cached)' : ''} · sources:{' '}
          {posture.sources
            .map(s => `${sourceName(s)} ${s.status === 'ok' ? 'ok' : s.status}`)
            .join(', ') || 'none'}
        </Typography>
      </Box>
    </Box>
  );
}

/**
 * Entity card "Mesh security": the service's meshed pods, mTLS on every
 * edge with the peer identities, certificates and the verdict.
 * @public
 */
export function MeshSecurityCard() {
  const posture = useEntityPosture((api, ref) => api.getPosture(ref));
  return (
    <InfoCard
      title="Mesh security"
      subheader={
        posture.available
          ? 'Zero-trust posture, read live from the mesh'
          : undefined
      }
    >
      <PosturePending state={posture} />
      {posture.value && <MeshSecurityContent posture={posture.value} />}
    </InfoCard>
  );
}
