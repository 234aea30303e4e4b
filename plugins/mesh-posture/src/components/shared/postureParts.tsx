import { Fragment } from 'react';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  CopyTextButton,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { DemoBanner } from './DemoBanner';
import {
  certificateStatus,
  CheckStatus,
  describeCheckFinding,
  describePlaintextReason,
  EdgeProtocol,
  plural,
  EdgeSecurity,
  MeshPosture,
  PostureCheck,
  SourceReport,
  canaryRoles,
  CanaryRole,
} from '@mesh-posture/plugin-mesh-posture-common';
import { formatByteRate, formatRate, formatShare } from './format';
import { RelativeTime } from './RelativeTime';

/*
 * Pieces the Mesh security card and the Zero trust tab share.
 */

export const useStyles = makeStyles(theme => ({
  mono: {
    fontFamily: 'monospace',
    fontSize: '0.75rem',
    wordBreak: 'break-all',
  },
  bad: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  good: {
    backgroundColor: theme.palette.success?.main ?? '#2e7d32',
    color: theme.palette.success?.contrastText ?? '#fff',
  },
  middling: {
    backgroundColor: theme.palette.warning?.main ?? '#ed6c02',
    color: theme.palette.warning?.contrastText ?? '#000',
  },
  nowrap: { whiteSpace: 'nowrap' },
  // Names break between words, never mid-word.
  peer: { minWidth: '10em', wordBreak: 'normal', overflowWrap: 'normal' },
  identity: {
    display: 'inline-block',
    maxWidth: '12em',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    verticalAlign: 'middle',
    fontFamily: 'monospace',
    fontSize: '0.75rem',
  },
  section: { marginTop: theme.spacing(2) },
}));

export const STATUS_TEXT: Record<CheckStatus, string> = {
  pass: 'Passing',
  warn: 'Needs attention',
  fail: 'Failing',
  unknown: 'Unknown',
  'not-applicable': 'Does not apply',
};

export function StatusIcon({ status }: { status: CheckStatus }) {
  switch (status) {
    case 'pass':
      return <StatusOK />;
    case 'warn':
      return <StatusWarning />;
    case 'fail':
      return <StatusError />;
    case 'not-applicable':
      return <StatusAborted />;
    default:
      return <StatusPending />;
  }
}

/**
 * A check as what it found ("Default-deny: open on 2 ports"), its goal on
 * hover; the evidence (the check's detail) beneath, unless it says the same.
 */
export function CheckFindingText({
  check,
  posture,
  detail = true,
}: {
  check: PostureCheck;
  posture: MeshPosture;
  /** False where the detail has a column of its own. */
  detail?: boolean;
}) {
  const { subject, finding } = describeCheckFinding(check, posture);
  return (
    <>
      <Typography variant="body2" component="span" title={check.title}>
        <b>{subject}</b>: {finding}
      </Typography>
      {detail && finding !== check.detail && (
        <Typography variant="caption" color="textSecondary" display="block">
          {check.detail}
        </Typography>
      )}
    </>
  );
}

/**
 * A certificate's status for this entity: the cluster's certificates are
 * no evidence for a workload with no proxy to use them.
 */
export function certificateStatusFor(
  posture: MeshPosture,
  c: MeshPosture['certificates'][number],
): CheckStatus {
  const check = posture.verdict.checks.find(x => x.id === 'certificates');
  return check?.status === 'not-applicable'
    ? 'not-applicable'
    : certificateStatus(c.daysToExpiry, c.role, c.problem);
}

export function sourceName(s: SourceReport) {
  return `${s.role === 'prometheus' ? 'Prometheus' : 'Kubernetes'} on ${
    s.cluster
  }`;
}

/**
 * The peer of an edge, linked to its catalog entity when one matches, with
 * its cluster when it is not the workload's own.
 */
export function PeerLink({
  peer,
  cluster,
}: {
  peer: EdgeSecurity['peer'];
  cluster?: string;
}) {
  const elsewhere =
    peer.cluster && cluster && peer.cluster !== cluster ? (
      <Typography variant="caption" color="textSecondary" display="block">
        on cluster {peer.cluster}
      </Typography>
    ) : null;
  return (
    <>
      <PeerName peer={peer} />
      {elsewhere}
    </>
  );
}

function PeerName({ peer }: { peer: EdgeSecurity['peer'] }) {
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
  if (peer.namespace) {
    return <>namespace {peer.namespace}</>;
  }
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      unidentified client
    </Typography>
  );
}

/**
 * A mesh identity, cut with an ellipsis where it is long, whole in a
 * tooltip, with a button that copies it.
 */
export function IdentityText({ identity }: { identity: string }) {
  const classes = useStyles();
  return (
    <Box display="inline-flex" alignItems="center" maxWidth="100%">
      <Tooltip title={identity}>
        <span className={classes.identity}>{identity}</span>
      </Tooltip>
      <CopyTextButton
        text={identity}
        aria-label="Copy the identity"
        tooltipText="Identity copied"
      />
    </Box>
  );
}

/**
 * Why an edge went without mTLS, in words, with the mesh's own codes in a
 * tooltip.
 */
function ReasonsText({ edge }: { edge: EdgeSecurity }) {
  const codes = edge.plaintextReasons;
  const words = [
    ...codes.map(describePlaintextReason),
    ...(edge.unverifiedReasons ?? []),
  ].join('; ');
  const text = (
    <Typography variant="caption" color="textSecondary">
      {words || 'none'}
    </Typography>
  );
  return codes.length > 0 ? (
    <Tooltip title={`reported as: ${codes.join(', ')}`}>{text}</Tooltip>
  ) : (
    text
  );
}

export function MtlsChip({ edge }: { edge: EdgeSecurity }) {
  const classes = useStyles();
  if (edge.mtlsShare === null) {
    // Neither proxy reported the security of these requests.
    return (
      <Tooltip title={(edge.unverifiedReasons ?? []).join('; ')}>
        <Chip size="small" label="Not observed" variant="outlined" />
      </Tooltip>
    );
  }
  if (edge.mtlsShare >= 1) {
    return <Chip size="small" label="mTLS" className={classes.good} />;
  }
  const label =
    edge.mtlsShare > 0
      ? `Plaintext ${formatShare(1 - edge.mtlsShare)}`
      : 'Plaintext';
  return (
    <Tooltip
      title={`Reason given by the mesh: ${edge.plaintextReasons.join(', ')}`}
    >
      <Chip size="small" label={label} className={classes.bad} />
    </Tooltip>
  );
}

const PROTOCOL_TEXT: Record<EdgeProtocol, string> = {
  http: 'HTTP',
  grpc: 'gRPC',
  tcp: 'TCP',
};

/** A workload's name, with its side of a Flagger rollout where it has one. */
export function WorkloadWithRole(props: {
  name: string;
  role: CanaryRole | undefined;
}) {
  // A line may break after the namespace's slash, never inside a name.
  const [first, ...rest] = props.name.split('/');
  return (
    <>
      {first}
      {rest.map((part, i) => (
        <Fragment key={i}>
          /<wbr />
          {part}
        </Fragment>
      ))}
      {props.role && (
        <Chip
          size="small"
          variant="outlined"
          label={props.role}
          style={{ marginLeft: 4 }}
        />
      )}
    </>
  );
}

/** Traffic edges, plaintext first; `limit` summarises the rest. */
export function EdgeTable({
  edges,
  limit,
}: {
  edges: EdgeSecurity[];
  limit?: number;
}) {
  const classes = useStyles();
  const shown = limit ? edges.slice(0, limit) : edges;
  // An entity with several workloads (a canary and its primary) names the
  // one at our end of each edge: two rows to the same peer are not repeats.
  const own = (edge: EdgeSecurity) =>
    `${edge.workload.cluster}/${edge.workload.namespace}/${edge.workload.name}`;
  const severalWorkloads = new Set(edges.map(own)).size > 1;
  const roleOf = canaryRoles(edges.map(e => e.workload));
  return (
    <>
      <Table size="small" aria-label="Traffic edges">
        <TableHead>
          <TableRow>
            <TableCell className={classes.nowrap}>In/Out</TableCell>
            {severalWorkloads && (
              <TableCell className={classes.nowrap}>Workload</TableCell>
            )}
            <TableCell>Peer</TableCell>
            <TableCell>Identity</TableCell>
            <TableCell className={classes.nowrap}>Protocol</TableCell>
            <TableCell align="right" className={classes.nowrap}>
              Rate
            </TableCell>
            <TableCell>mTLS</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map(edge => (
            <TableRow
              // As buildEdges tells edges apart: the whole workload and peer.
              key={`${edge.direction}|${edge.workload.cluster}/${edge.workload.namespace}/${edge.workload.kind}/${edge.workload.name}|${edge.peer.cluster}|${edge.peer.namespace}|${edge.peer.workload}|${edge.peer.identity}|${edge.protocol}|${edge.reportedBy}`}
            >
              <TableCell>
                {edge.direction === 'inbound' ? 'In' : 'Out'}
              </TableCell>
              {severalWorkloads && (
                <TableCell className={classes.nowrap}>
                  <WorkloadWithRole
                    name={edge.workload.name}
                    role={roleOf(edge.workload)}
                  />
                </TableCell>
              )}
              <TableCell className={classes.peer}>
                <PeerLink peer={edge.peer} cluster={edge.workload.cluster} />
              </TableCell>
              <TableCell className={classes.mono}>
                {edge.peer.identity ? (
                  <IdentityText identity={edge.peer.identity} />
                ) : (
                  <ReasonsText edge={edge} />
                )}
                {edge.reportedBy === 'peer' && (
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    display="block"
                  >
                    seen by the peer&apos;s proxy
                  </Typography>
                )}
              </TableCell>
              <TableCell className={classes.nowrap}>
                {PROTOCOL_TEXT[edge.protocol ?? 'http']}
              </TableCell>
              <TableCell align="right" className={classes.nowrap}>
                {edge.tcp ? (
                  <Tooltip
                    title={`${plural(
                      edge.tcp.openConnections,
                      'connection',
                    )} open at the end of the window`}
                  >
                    <span>{formatByteRate(edge.tcp.bytesPerSecond)}</span>
                  </Tooltip>
                ) : (
                  formatRate(edge.requestsPerSecond)
                )}
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
          and {plural(edges.length - shown.length, 'more edge', 'more edges')}
        </Typography>
      )}
    </>
  );
}

/**
 * What the reader must know before trusting the figures: demo data, sources
 * that failed, the last complete reading, questions the mesh cannot answer.
 */
export function PostureNotices({
  posture,
  showGaps = false,
}: {
  posture: MeshPosture;
  showGaps?: boolean;
}) {
  const notices = [];
  for (const s of posture.sources.filter(x => x.status !== 'ok')) {
    notices.push(
      <Alert key={`${s.role}@${s.cluster}`} severity="warning">
        {sourceName(s)}: {s.status}
        {s.message ? ` (${s.message})` : ''}. The figures that depend on it are
        missing.
      </Alert>,
    );
  }
  if (posture.lastComplete) {
    const last = posture.lastComplete;
    notices.push(
      <Alert key="last" severity="info">
        Last complete reading <RelativeTime at={last.observedAt} />:{' '}
        {last.meshedPods}/{last.totalPods} pods meshed, inbound mTLS{' '}
        {last.inboundMtlsShare === null
          ? 'no requests'
          : formatShare(last.inboundMtlsShare)}
        .
      </Alert>,
    );
  }
  if (showGaps) {
    for (const g of posture.gaps) {
      notices.push(
        <Alert key={`${g.topic}|${g.cluster}|${g.message}`} severity="info">
          {g.cluster}: {g.message}
        </Alert>,
      );
    }
  }
  return (
    <>
      {posture.demo && <DemoBanner />}
      {notices.length > 0 && (
        <Box display="grid" gridGap={8} mb={2}>
          {notices}
        </Box>
      )}
    </>
  );
}
