import { InfoCard, Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { DemoBanner } from '../shared/DemoBanner';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  DEFAULT_SIGNAL_WINDOW,
  describeStatus,
  GoldenSignals,
  SIGNAL_WINDOWS,
  SignalPoint,
  SignalSummary,
  SignalWindow,
  SloStatus,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useState } from 'react';
import { PosturePending, useEntityPosture } from '../shared/entityPosture';
import {
  formatBytes,
  formatCount,
  formatMs,
  formatPercent,
  formatPercentFixed,
  formatRate,
  formatWholePercent,
} from '../shared/format';
import { PeerLink, sourceName, useStyles } from '../shared/postureParts';
import { SignalChart } from './SignalChart';
import { NotInMesh } from '../shared/howToFix';

const SLO_TEXT: Record<SloStatus, string> = {
  met: 'SLO met',
  'at-risk': 'SLO at risk',
  breached: 'SLO breached',
  'no-traffic': 'no requests',
  unknown: 'SLO unknown',
};

function SloChip({ status }: { status: SloStatus }) {
  const classes = useStyles();
  const className = {
    met: classes.good,
    'at-risk': classes.middling,
    breached: classes.bad,
    'no-traffic': undefined,
    unknown: undefined,
  }[status];
  return <Chip size="small" label={SLO_TEXT[status]} className={className} />;
}

function Figure(props: {
  label: string;
  value: string;
  /** An error state: shown in the error colour. */
  error?: boolean;
  children?: React.ReactNode;
}) {
  return (
    <Box>
      <Typography variant="overline" color="textSecondary">
        {props.label}
      </Typography>
      <Typography variant="h6" color={props.error ? 'error' : 'initial'}>
        {props.value}
      </Typography>
      {props.children}
    </Box>
  );
}

function Charts({ signals }: { signals: GoldenSignals }) {
  const theme = useTheme();
  const data: SignalPoint[] = signals.series;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={4}>
        <SignalChart
          title="Request rate (req/s)"
          window={signals.window}
          data={data}
          yAxis={{ width: 40 }}
          tooltip={v => [formatRate(v), 'rate']}
          series={[
            {
              dataKey: 'requestsPerSecond',
              name: 'requests',
              colour: theme.palette.primary.main,
              fill: theme.palette.primary.light,
            },
          ]}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <SignalChart
          title="Success rate (%)"
          window={signals.window}
          data={data.map(p => ({
            t: p.t,
            success: p.successRate === null ? null : p.successRate * 100,
          }))}
          yAxis={{ width: 48, domain: ['auto', 100] }}
          tooltip={v => [
            v === null ? 'no requests' : formatPercentFixed(v, 3),
            'success',
          ]}
          objective={{
            value: signals.slo.successRateTarget * 100,
            label: 'SLO',
            position: 'insideBottomLeft',
          }}
          series={[
            {
              dataKey: 'success',
              name: 'success',
              colour: theme.palette.success?.main ?? '#2e7d32',
            },
          ]}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <SignalChart
          title="Latency (ms)"
          window={signals.window}
          data={data}
          yAxis={{ width: 48 }}
          tooltip={(v, name) => [formatMs(v), name]}
          legend
          objective={{
            value: signals.slo.latencyP99TargetMs,
            label: 'p99 SLO',
            position: 'insideTopLeft',
          }}
          series={[
            { dataKey: 'p50', colour: '#1f77b4' },
            { dataKey: 'p95', colour: '#ff7f0e' },
            { dataKey: 'p99', colour: '#d62728' },
          ]}
        />
      </Grid>
    </Grid>
  );
}

// Nothing measured: every figure reads unknown, none reads zero.
const UNMEASURED: SignalSummary = {
  requestsPerSecond: 0,
  requests: 0,
  successRate: null,
  latencyMs: { p50: null, p95: null, p99: null },
  errors: [],
};

/**
 * A spent budget as how many times over it the failures went ("5.3× over
 * budget"), not as a negative share: a remaining share of -4.26 means the
 * window failed 5.26 times as many requests as the objective allows.
 */
function overBudget(remaining: number): string {
  const times = 1 - remaining;
  if (times <= 1) return 'spent';
  return `${times >= 10 ? Math.round(times) : times.toFixed(1)}× over budget`;
}

function SummaryFigures({ signals }: { signals: GoldenSignals }) {
  const s: SignalSummary = signals.summary ?? UNMEASURED;
  const unknown = signals.summary === null;
  // Part of the traffic: the counts are at least these.
  const atLeast = signals.complete ? '' : '≥ ';
  const budget = signals.slo.errorBudgetRemaining;
  // "No requests" only when every source answered.
  const none = signals.complete ? 'no requests' : 'unknown';
  let requests = `${atLeast}${formatRate(s.requestsPerSecond)}`;
  if (unknown) requests = 'unknown';
  else if (s.requests === 0) requests = none;
  let budgetText = budget === null ? '—' : '';
  if (budget !== null) {
    budgetText =
      budget > 0 ? formatWholePercent(budget * 100) : overBudget(budget);
  } else if (unknown || !signals.complete) {
    budgetText = 'unknown';
  }
  let success = formatPercent(s.successRate);
  if (unknown) success = 'unknown';
  else if (s.successRate === null) success = none;
  return (
    <Grid container spacing={2}>
      <Grid item xs={6} md={2}>
        <Figure label="Requests" value={requests}>
          <Typography variant="caption" color="textSecondary">
            {unknown
              ? `not measured in ${signals.window}`
              : `${atLeast}${formatCount(s.requests)} in ${signals.window}`}
          </Typography>
        </Figure>
      </Grid>
      <Grid item xs={6} md={3}>
        <Figure label="Success rate" value={success}>
          <SloChip status={signals.slo.successRate} />{' '}
          <Typography variant="caption" color="textSecondary">
            target {formatPercent(signals.slo.successRateTarget)}
            {signals.slo.from.successRate === 'default' && ' (portal default)'}
          </Typography>
        </Figure>
      </Grid>
      <Grid item xs={6} md={4}>
        <Figure
          label="Latency p50 / p95 / p99"
          value={
            unknown
              ? 'unknown'
              : `${formatMs(s.latencyMs.p50)} / ${formatMs(
                  s.latencyMs.p95,
                )} / ${formatMs(s.latencyMs.p99)}`
          }
        >
          <SloChip status={signals.slo.latencyP99} />{' '}
          <Typography variant="caption" color="textSecondary">
            p99 target {formatMs(signals.slo.latencyP99TargetMs)}
            {signals.slo.from.latencyP99 === 'default' && ' (portal default)'}
          </Typography>
        </Figure>
      </Grid>
      <Grid item xs={6} md={3}>
        <Figure
          label="Error budget left"
          value={budgetText}
          error={budget !== null && budget <= 0}
        >
          <Typography variant="caption" color="textSecondary">
            of {formatPercent(1 - signals.slo.successRateTarget)}
            allowed failures in {signals.window}
          </Typography>
        </Figure>
      </Grid>
    </Grid>
  );
}

/** Istio only: how big requests and responses are. */
function SizeLine({ summary }: { summary: SignalSummary }) {
  const { requestBytes, responseBytes } = summary;
  if (!requestBytes && !responseBytes) return null;
  const part = (
    label: string,
    q?: { p50: number | null; p99: number | null },
  ) =>
    q
      ? `${label} p50 ${formatBytes(q.p50)}, p99 ${formatBytes(q.p99)}`
      : undefined;
  return (
    <Typography variant="body2" color="textSecondary">
      {[
        part('Request size', requestBytes),
        part('Response size', responseBytes),
      ]
        .filter(Boolean)
        .join(' · ')}
    </Typography>
  );
}

function ErrorTable({ summary }: { summary: SignalSummary }) {
  if (summary.errors.length === 0) return null;
  return (
    <Table size="small" aria-label="Errors by status">
      <TableHead>
        <TableRow>
          <TableCell>Status</TableCell>
          <TableCell align="right">Rate</TableCell>
          <TableCell align="right">Share</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {summary.errors.map(e => (
          <TableRow key={`${e.protocol}|${e.status}`}>
            <TableCell>{describeStatus(e.protocol, e.status)}</TableCell>
            <TableCell align="right">
              {formatRate(e.requestsPerSecond)}
            </TableCell>
            <TableCell align="right">
              {summary.requestsPerSecond > 0
                ? formatPercentFixed(
                    (e.requestsPerSecond / summary.requestsPerSecond) * 100,
                    2,
                  )
                : '—'}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function DependencyTable({ signals }: { signals: GoldenSignals }) {
  return (
    <Table size="small" aria-label="Dependencies">
      <TableHead>
        <TableRow>
          <TableCell>Dependency</TableCell>
          <TableCell align="right">Rate</TableCell>
          <TableCell align="right">Success</TableCell>
          <TableCell align="right">p99</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {signals.dependencies.map(d => (
          <TableRow key={`${d.peer.namespace}/${d.peer.workload}`}>
            <TableCell>
              <PeerLink peer={d.peer} />
            </TableCell>
            <TableCell align="right">
              {formatRate(d.summary.requestsPerSecond)}
            </TableCell>
            <TableCell align="right">
              {formatPercent(d.summary.successRate)}
            </TableCell>
            <TableCell align="right">
              {formatMs(d.summary.latencyMs.p99)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The primary and the canary apart while a rollout runs: the comparison
 * Flagger's analysis makes, with the versions named.
 */
function CanaryTable({
  sides,
}: {
  sides: NonNullable<GoldenSignals['canary']>;
}) {
  return (
    <Table size="small" aria-label="Primary and canary">
      <TableHead>
        <TableRow>
          <TableCell>Side of the rollout</TableCell>
          <TableCell align="right">Requests</TableCell>
          <TableCell align="right">Rate</TableCell>
          <TableCell align="right">Success</TableCell>
          <TableCell align="right">p99</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {sides.map(side => (
          <TableRow key={side.role}>
            <TableCell>
              {side.role}{' '}
              <Typography variant="caption" color="textSecondary">
                {side.workloads.map(w => w.name).join(', ')}
              </Typography>
            </TableCell>
            <TableCell align="right">
              {formatCount(side.summary.requests)}
            </TableCell>
            <TableCell align="right">
              {formatRate(side.summary.requestsPerSecond)}
            </TableCell>
            <TableCell align="right">
              {formatPercent(side.summary.successRate)}
            </TableCell>
            <TableCell align="right">
              {formatMs(side.summary.latencyMs.p99)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * What is seen of workloads without a proxy, for the not-in-the-mesh
 * notice: inbound, what their callers' proxies report; outbound, nothing.
 */
function seenOfProxyless(signals: GoldenSignals, all: boolean): string {
  if (signals.direction === 'outbound') {
    return all
      ? 'The requests it makes are not observed: it has no proxy to report them.'
      : 'The requests they make are not counted below: they have no proxy to report them.';
  }
  if (all && !(signals.summary && signals.summary.requests > 0)) {
    return `No meshed caller reported requests to it in the last ${signals.window}; callers without a proxy are not observed.`;
  }
  return "Its requests below are what its callers' proxies report sending it (their latency includes the network); callers without a proxy are not seen.";
}

const sameWorkload = (a: WorkloadRef, b: WorkloadRef) =>
  a.cluster === b.cluster &&
  a.namespace === b.namespace &&
  a.kind === b.kind &&
  a.name === b.name;

/** The golden signals laid out: figures, charts, errors, notes and links. */
export function GoldenSignalsContent({ signals }: { signals: GoldenSignals }) {
  const classes = useStyles();
  const failed = signals.sources.filter(s => s.status !== 'ok');
  const proxyless = signals.proxyless ?? [];
  const allProxyless =
    proxyless.length > 0 &&
    signals.workloads.every(w =>
      proxyless.some(p => sameWorkload(p.workload, w)),
    );
  // Nothing of theirs was measured: no figure, not even "no requests".
  const unmeasured =
    allProxyless &&
    (signals.direction === 'outbound' ||
      !(signals.summary && signals.summary.requests > 0));
  // The notice says it once: the backend's notes that say the same (one
  // per workload without a proxy, and the silence of its callers) go.
  const said = [
    seenOfProxyless(signals, allProxyless),
    ...proxyless.map(
      p => `${p.workload.namespace}/${p.workload.name} has no proxy,`,
    ),
  ];
  const notes = signals.notes.filter(n => !said.some(x => n.startsWith(x)));
  return (
    <Box>
      {signals.demo && <DemoBanner />}
      {failed.map(s => (
        <Box mb={1} key={`${s.role}@${s.cluster}`}>
          <Alert severity="warning">
            {sourceName(s)}: {s.status}
            {s.message ? ` (${s.message})` : ''}.
          </Alert>
        </Box>
      ))}
      {proxyless.length > 0 && (
        <Box mb={2}>
          <NotInMesh
            workloads={proxyless}
            seen={seenOfProxyless(signals, allProxyless)}
          />
        </Box>
      )}
      {!unmeasured && <SummaryFigures signals={signals} />}
      {!unmeasured && signals.series.length > 0 && (
        <Box className={classes.section}>
          <Charts signals={signals} />
        </Box>
      )}
      {!unmeasured && signals.canary && (
        <Box className={classes.section}>
          <CanaryTable sides={signals.canary} />
        </Box>
      )}
      {signals.direction === 'outbound' && signals.dependencies.length > 0 && (
        <Box className={classes.section}>
          <DependencyTable signals={signals} />
        </Box>
      )}
      {signals.summary &&
        (signals.summary.requestBytes || signals.summary.responseBytes) && (
          <Box className={classes.section}>
            <SizeLine summary={signals.summary} />
          </Box>
        )}
      {signals.summary && signals.summary.errors.length > 0 && (
        <Box className={classes.section}>
          <ErrorTable summary={signals.summary} />
        </Box>
      )}
      {notes.length > 0 && (
        <Box className={classes.section}>
          {notes.map(n => (
            <Typography key={n} variant="body2" color="textSecondary">
              {n}
            </Typography>
          ))}
        </Box>
      )}
      {signals.links.length > 0 && (
        <Box className={classes.section}>
          {signals.links.map(l => (
            <Box key={l.url}>
              <Link to={l.url}>{l.title}</Link>
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}

/**
 * Entity card "Golden signals": request rate, success rate, latency
 * p50/p95/p99 and errors by status over a chosen window, against the
 * service's objectives, inbound or per outbound dependency.
 * @public
 */
export function GoldenSignalsCard() {
  const [window, setWindow] = useState<SignalWindow>(DEFAULT_SIGNAL_WINDOW);
  const [direction, setDirection] = useState<'inbound' | 'outbound'>('inbound');
  const signals = useEntityPosture(
    (api, ref) => api.getSignals(ref, { window, direction }),
    [window, direction],
  );
  const controls = (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={2}>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={direction}
        onChange={(_e, v) => v && setDirection(v)}
        aria-label="Direction"
      >
        <ToggleButton value="inbound">Inbound</ToggleButton>
        <ToggleButton value="outbound">Outbound</ToggleButton>
      </ToggleButtonGroup>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={window}
        onChange={(_e, v) => v && setWindow(v)}
        aria-label="Window"
      >
        {SIGNAL_WINDOWS.map(w => (
          <ToggleButton key={w} value={w} style={{ textTransform: 'none' }}>
            {w}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
    </Box>
  );
  return (
    <InfoCard
      title="Golden signals"
      subheader={
        signals.available
          ? 'Requests, errors and latency, from the mesh'
          : undefined
      }
    >
      {signals.available && controls}
      <PosturePending state={signals} />
      {signals.value && <GoldenSignalsContent signals={signals.value} />}
    </InfoCard>
  );
}
