import { getCompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  certificateStatus,
  CheckStatus,
  EdgeSecurity,
  formatExpiry,
  formatRate,
  formatShare,
  isMeshPostureAvailable,
  KUBERNETES_ID_ANNOTATION,
  MeshPosture,
  SourceReport,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { meshPostureApiRef } from '../../api';

const useStyles = makeStyles(theme => ({
  figure: { fontSize: '1.5rem', fontWeight: 500, lineHeight: 1.2 },
  mono: {
    fontFamily: 'monospace',
    fontSize: '0.75rem',
    wordBreak: 'break-all',
  },
  plaintext: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  secured: {
    backgroundColor: theme.palette.success?.main ?? '#2e7d32',
    color: theme.palette.success?.contrastText ?? '#fff',
  },
  section: { marginTop: theme.spacing(2) },
  nowrap: { whiteSpace: 'nowrap' },
}));

/** How many edges the card lists before summarising the rest. */
const MAX_EDGES = 8;

const STATUS_TEXT: Record<CheckStatus, string> = {
  pass: 'Passing',
  warn: 'Needs attention',
  fail: 'Failing',
  unknown: 'Unknown',
};

export function StatusIcon({ status }: { status: CheckStatus }) {
  switch (status) {
    case 'pass':
      return <StatusOK />;
    case 'warn':
      return <StatusWarning />;
    case 'fail':
      return <StatusError />;
    default:
      return <StatusPending />;
  }
}

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
  return (
    <Figure
      label={`${props.direction === 'inbound' ? 'Inbound' : 'Outbound'} mTLS`}
      value={totals.mtlsShare === null ? '—' : formatShare(totals.mtlsShare)}
      detail={
        totals.mtlsShare === null
          ? `no requests in ${props.posture.window}`
          : formatRate(totals.requestsPerSecond)
      }
    />
  );
}

function sourceName(s: SourceReport) {
  return `${s.role === 'prometheus' ? 'Prometheus' : 'Kubernetes'} on ${
    s.cluster
  }`;
}

function PeerCell({ edge }: { edge: EdgeSecurity }) {
  const { peer } = edge;
  if (peer.entityRef) {
    const ref = parseEntityRef(peer.entityRef);
    return (
      <>
        <EntityRefLink entityRef={ref} />
        {peer.workload && peer.workload !== ref.name && (
          // For example a canary's primary workload.
          <Typography variant="caption" color="textSecondary" display="block">
            {peer.workload}
          </Typography>
        )}
      </>
    );
  }
  if (peer.workload) {
    return (
      <>
        {peer.namespace ? `${peer.namespace}/${peer.workload}` : peer.workload}
      </>
    );
  }
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      unidentified client
    </Typography>
  );
}

function MtlsChip({ edge }: { edge: EdgeSecurity }) {
  const classes = useStyles();
  if (edge.mtlsShare >= 1) {
    return <Chip size="small" label="mTLS" className={classes.secured} />;
  }
  const label =
    edge.mtlsShare > 0
      ? `Plaintext ${formatShare(1 - edge.mtlsShare)}`
      : 'Plaintext';
  return (
    <Tooltip
      title={`Reason given by the mesh: ${edge.plaintextReasons.join(', ')}`}
    >
      <Chip size="small" label={label} className={classes.plaintext} />
    </Tooltip>
  );
}

function EdgeTable({ edges }: { edges: EdgeSecurity[] }) {
  const classes = useStyles();
  const shown = edges.slice(0, MAX_EDGES);
  return (
    <>
      <Table size="small" aria-label="Traffic edges">
        <TableHead>
          <TableRow>
            <TableCell className={classes.nowrap}>In/Out</TableCell>
            <TableCell>Peer</TableCell>
            <TableCell>Identity</TableCell>
            <TableCell align="right" className={classes.nowrap}>
              Rate
            </TableCell>
            <TableCell>mTLS</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map(edge => (
            <TableRow
              key={`${edge.direction}|${edge.workload.name}|${edge.peer.namespace}|${edge.peer.workload}|${edge.peer.identity}`}
            >
              <TableCell>
                {edge.direction === 'inbound' ? 'In' : 'Out'}
              </TableCell>
              <TableCell>
                <PeerCell edge={edge} />
              </TableCell>
              <TableCell className={classes.mono}>
                {edge.peer.identity ?? (
                  <Typography variant="caption" color="textSecondary">
                    {edge.plaintextReasons.join(', ') || 'none'}
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right" className={classes.nowrap}>
                {formatRate(edge.requestsPerSecond)}
              </TableCell>
              <TableCell>
                <MtlsChip edge={edge} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {edges.length > shown.length && (
        <Typography variant="caption" color="textSecondary">
          and {edges.length - shown.length} more edges
        </Typography>
      )}
    </>
  );
}

function ago(seconds: number): string {
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

/** The posture document, laid out for a service's overview page. */
export function MeshSecurityContent({ posture }: { posture: MeshPosture }) {
  const classes = useStyles();
  const failed = posture.sources.filter(s => s.status !== 'ok');
  const sections: ReactNode[] = [];

  if (posture.demo) {
    sections.push(
      <Alert key="demo" severity="info">
        Demo data: this posture comes from Mesh Posture's built-in simulated
        mesh (meshPosture.demo), not from a real cluster.
      </Alert>,
    );
  }
  for (const s of failed) {
    sections.push(
      <Alert key={`${s.role}@${s.cluster}`} severity="warning">
        {sourceName(s)}: {s.status}
        {s.message ? ` (${s.message})` : ''}. The figures that depend on it are
        missing.
      </Alert>,
    );
  }
  if (posture.lastComplete) {
    const last = posture.lastComplete;
    const age = Math.round(
      (new Date(posture.generatedAt).getTime() -
        new Date(last.observedAt).getTime()) /
        1000,
    );
    sections.push(
      <Alert key="last" severity="info">
        Last complete reading {ago(age)}: {last.meshedPods}/{last.totalPods}{' '}
        pods meshed, inbound mTLS{' '}
        {last.inboundMtlsShare === null
          ? 'no requests'
          : formatShare(last.inboundMtlsShare)}
        .
      </Alert>,
    );
  }

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1}>
        <StatusIcon status={posture.verdict.status} />
        <Typography variant="subtitle1">
          <b>{STATUS_TEXT[posture.verdict.status]}</b> —{' '}
          {posture.verdict.summary}
        </Typography>
      </Box>

      {sections.length > 0 && (
        <Box display="grid" gridGap={8} mb={2}>
          {sections}
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
          <EdgeTable edges={posture.edges} />
        </Box>
      )}

      {posture.certificates.length > 0 && (
        <Box className={classes.section}>
          <Typography variant="overline" color="textSecondary">
            Certificates
          </Typography>
          {posture.certificates.map(c => (
            <Box
              key={`${c.cluster}|${c.role}|${c.notAfter}`}
              display="flex"
              alignItems="center"
            >
              <StatusIcon status={certificateStatus(c.daysToExpiry)} />
              <Typography variant="body2">
                {c.role.replace('-', ' ')} <i>{c.subject}</i> on {c.cluster}:{' '}
                {formatExpiry(c.daysToExpiry)}
              </Typography>
            </Box>
          ))}
        </Box>
      )}

      <Box className={classes.section}>
        <Typography variant="overline" color="textSecondary">
          Checks
        </Typography>
        {posture.verdict.checks.map(check => (
          <Box key={check.id} display="flex" alignItems="flex-start">
            <StatusIcon status={check.status} />
            <Typography variant="body2">
              {check.title}: {check.detail}
            </Typography>
          </Box>
        ))}
      </Box>

      <Box className={classes.section}>
        <Typography variant="caption" color="textSecondary">
          Window {posture.window} · updated {ago(posture.freshness.ageSeconds)}
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
  const { entity } = useEntity();
  const api = useApi(meshPostureApiRef);
  const available = isMeshPostureAvailable(entity);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error } = useAsync(
    async () => (available ? api.getPosture(ref) : undefined),
    [api, available, ref.kind, ref.namespace, ref.name],
  );

  if (!available) {
    return (
      <InfoCard title="Mesh security">
        <MissingAnnotationEmptyState annotation={KUBERNETES_ID_ANNOTATION} />
      </InfoCard>
    );
  }
  return (
    <InfoCard
      title="Mesh security"
      subheader="Zero-trust posture, read live from the mesh"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && <MeshSecurityContent posture={value} />}
    </InfoCard>
  );
}
