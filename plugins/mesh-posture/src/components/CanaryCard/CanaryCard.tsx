import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusPending,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { DemoBanner } from '../shared/DemoBanner';
import {
  plural,
  type CanaryMetric,
  type CanaryRollout,
  type EntityCanaryResponse,
  type MeshPosture,
  type RefusedCall,
} from '@mesh-posture/plugin-mesh-posture-common';
import { PosturePending, useEntityPosture } from '../shared/entityPosture';
import {
  describeInstant,
  formatDuration,
  formatMsFixed,
  formatPercentFixed,
  formatRefusedCount,
} from '../shared/format';
import { sourceName } from '../shared/postureParts';
import { RelativeTime } from '../shared/RelativeTime';

type CanaryView = EntityCanaryResponse['canaries'][number];

const PHASE_COLOURS: Record<string, string> = {
  Succeeded: '#2e7d32',
  Failed: '#c62828',
  Progressing: '#1565c0',
  Promoting: '#1565c0',
  Finalising: '#1565c0',
  WaitingPromotion: '#ef6c00',
  Waiting: '#ef6c00',
};

const PHASE_TEXT: Record<string, string> = {
  Initializing: 'Initializing',
  Initialized: 'Initialized: waiting for a new revision',
  Waiting: 'Waiting for approval to start',
  Progressing: 'Progressing: shifting traffic to the canary',
  WaitingPromotion: 'Waiting for approval to promote',
  Promoting: 'Promoting: updating the primary',
  Finalising: 'Finalising: routing all traffic to the primary',
  Succeeded: 'Succeeded: promoted',
  Failed: 'Failed: rolled back',
  Terminating: 'Terminating',
  Terminated: 'Terminated',
  Unknown: 'Phase not reported yet',
};

export function PhaseChip({ phase }: { phase: string }) {
  const colour = PHASE_COLOURS[phase];
  return (
    <Chip
      size="small"
      label={phase}
      style={colour ? { backgroundColor: colour, color: '#fff' } : undefined}
    />
  );
}

function range(m: CanaryMetric): string {
  const unit = m.name === 'request-duration' ? ' ms' : '';
  const pct = m.name === 'request-success-rate' ? '%' : '';
  const parts = [
    m.thresholdRange.min !== undefined
      ? `≥ ${m.thresholdRange.min}${pct}${unit}`
      : '',
    m.thresholdRange.max !== undefined
      ? `≤ ${m.thresholdRange.max}${pct}${unit}`
      : '',
  ].filter(Boolean);
  return parts.join(' and ') || 'no range';
}

function metricValue(m: CanaryMetric): string {
  if (m.value === null) return m.status === 'not-computed' ? 'by Flagger' : '—';
  if (m.name === 'request-success-rate') return formatPercentFixed(m.value, 2);
  if (m.name === 'request-duration') return formatMsFixed(m.value, 1);
  return String(m.value);
}

function MetricIcon({ m }: { m: CanaryMetric }) {
  if (m.status === 'pass') return <StatusOK />;
  if (m.status === 'fail') return <StatusError />;
  return <StatusPending />;
}

function WeightLine({ canary }: { canary: CanaryView }) {
  const { analysis } = canary;
  if (analysis.iterations !== undefined) {
    return (
      <Typography variant="body2">
        Iteration {canary.iterations} of {analysis.iterations}
        {analysis.mirror ? ' (traffic mirrored)' : ''}
      </Typography>
    );
  }
  const max =
    analysis.maxWeight ??
    (analysis.stepWeights?.length
      ? analysis.stepWeights[analysis.stepWeights.length - 1]
      : 100);
  const step = analysis.stepWeights?.length
    ? `steps ${analysis.stepWeights.join(', ')}%`
    : `step ${analysis.stepWeight ?? '—'}%`;
  return (
    <Box>
      <Typography variant="body2" aria-label="Canary weight">
        Canary weight {canary.canaryWeight}% of max {max}% ({step})
      </Typography>
      <LinearProgress
        variant="determinate"
        value={max > 0 ? Math.min(100, (100 * canary.canaryWeight) / max) : 0}
        aria-label={`Canary weight ${canary.canaryWeight}%`}
      />
    </Box>
  );
}

/** How many rollouts the card lists. */
const ROLLOUTS_SHOWN = 5;

/**
 * The rate with what it counts and over which period, so that it reads
 * against the rollouts listed below it.
 */
function DeploymentsLine({ canary }: { canary: CanaryView }) {
  const d = canary.deployments;
  if (!d) {
    // A backend that sends the rate alone: say what it is at most over.
    return (
      <Typography variant="body2">
        {canary.deploymentsPerWeek} deployments a week, over the last 4 weeks or
        the history observed if shorter
      </Typography>
    );
  }
  const period = d.days === 1 ? 'the last day' : `the last ${d.days} days`;
  return (
    <Typography variant="body2" aria-label="Deployments">
      <span title={`since ${describeInstant(d.since).exact}`}>
        {d.succeeded} of {plural(d.rollouts, 'rollout')} succeeded in {period}
      </span>
      : {d.perWeek} {d.perWeek === 1 ? 'deployment' : 'deployments'} a week
    </Typography>
  );
}

function RolloutTable({
  rollouts,
  inPeriod,
}: {
  rollouts: CanaryRollout[];
  /** Rollouts in the period the rate is counted over, when known. */
  inPeriod?: number;
}) {
  if (rollouts.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No rollout observed yet.
      </Typography>
    );
  }
  const shown = rollouts.slice(0, ROLLOUTS_SHOWN);
  const of = Math.max(inPeriod ?? 0, rollouts.length);
  return (
    <>
      <Table size="small" aria-label="Recent rollouts">
        <TableHead>
          <TableRow>
            <TableCell>Started</TableCell>
            <TableCell>Outcome</TableCell>
            <TableCell align="right">Duration</TableCell>
            <TableCell align="right">Failed checks</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map(r => (
            <TableRow key={`${r.startedAt}-${r.revision ?? ''}`}>
              <TableCell>
                <RelativeTime at={r.startedAt} />
              </TableCell>
              <TableCell>{r.outcome}</TableCell>
              <TableCell align="right">
                {formatDuration(r.durationSeconds)}
              </TableCell>
              <TableCell align="right">{r.maxFailedChecks}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {of > shown.length && (
        <Typography variant="caption" color="textSecondary">
          The latest {shown.length} of {of}.
        </Typography>
      )}
    </>
  );
}

/** The refusals the mesh can see, for the canary's two sides. */
export interface CanaryRefusals {
  /** Undefined where the mesh cannot tell a refusal apart. */
  calls?: RefusedCall[];
  callerWindow: string;
  /** The workloads with pods now, as `cluster/namespace/Kind/name`. */
  running: string[];
}

/**
 * Calls the canary and its primary made that a callee refused: a new
 * version that calls something its service account may not is refused by
 * the mesh, whatever Flagger's success rate says, and the two sides share
 * that account, so the caller's own proxy tells which side it was.
 */
function RefusedCalls(props: { canary: CanaryView; refusals: CanaryRefusals }) {
  const { canary, refusals } = props;
  if (!refusals.calls) return null;
  const sideOf = (call: RefusedCall): 'canary' | 'primary' | undefined => {
    const w = call.workload;
    if (
      w.cluster !== canary.cluster ||
      w.namespace !== canary.namespace ||
      w.kind !== canary.target.kind
    ) {
      return undefined;
    }
    if (w.name === canary.target.name) return 'canary';
    if (w.name === `${canary.target.name}-primary`) return 'primary';
    return undefined;
  };
  const calls = refusals.calls
    .map(call => ({ call, side: sideOf(call) }))
    .filter(c => c.side)
    .sort(
      (a, b) => a.side!.localeCompare(b.side!) || b.call.count - a.call.count,
    );
  // Between rollouts Flagger scales the canary to zero: the mesh's
  // refusals are read for workloads with pods, so its own calls of the
  // window cannot be told, and "none refused" would claim what nobody read.
  const canaryRunning = refusals.running.includes(
    `${canary.cluster}/${canary.namespace}/${canary.target.kind}/${canary.target.name}`,
  );
  const canaryUnread =
    !canaryRunning && !calls.some(c => c.side === 'canary') ? (
      <Typography variant="body2" color="textSecondary">
        The canary has no pods now (Flagger scales it to zero between rollouts),
        so its refused calls show while it runs.
      </Typography>
    ) : null;
  return (
    <Box mt={1}>
      <Typography variant="subtitle2">Refused calls</Typography>
      {canaryUnread}
      {calls.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {canaryUnread
            ? `No call of the primary was refused in the last ${refusals.callerWindow}.`
            : `No call of the canary or the primary was refused in the last ${refusals.callerWindow}.`}
        </Typography>
      ) : (
        <Table size="small" aria-label="Refused calls">
          <TableHead>
            <TableRow>
              <TableCell>Side</TableCell>
              <TableCell>Called</TableCell>
              <TableCell>Refused by</TableCell>
              <TableCell align="right">
                Refused in {refusals.callerWindow}
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {calls.map(({ call, side }) => (
              <TableRow
                key={`${side}|${call.peer.namespace}/${call.peer.workload}|${call.protocol}`}
              >
                <TableCell>{side}</TableCell>
                <TableCell>
                  {call.peer.namespace}/{call.peer.workload}
                </TableCell>
                <TableCell>{call.policy ?? '—'}</TableCell>
                <TableCell align="right">{formatRefusedCount(call)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function OneCanary({
  canary,
  refusals,
}: {
  canary: CanaryView;
  refusals?: CanaryRefusals;
}) {
  return (
    <Box
      mb={2}
      component="section"
      aria-label={`Canary ${canary.namespace}/${canary.name}`}
    >
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <Typography variant="h6" component="h3">
          {canary.name}
        </Typography>
        <PhaseChip phase={canary.phase} />
        <Typography variant="caption" color="textSecondary">
          {canary.namespace} on {canary.cluster}, target {canary.target.kind}{' '}
          {canary.target.name}
        </Typography>
      </Box>
      <Typography variant="body2">{PHASE_TEXT[canary.phase]}</Typography>
      {canary.message && (
        <Typography variant="body2" color="textSecondary">
          {canary.message}
        </Typography>
      )}
      <Typography variant="caption" color="textSecondary" display="block">
        Last transition <RelativeTime at={canary.lastTransitionTime} />
        {canary.skipAnalysis ? ' · analysis skipped' : ''}
        {canary.suspended ? ' · suspended' : ''}
      </Typography>
      <Box my={1}>
        <WeightLine canary={canary} />
      </Box>
      <Typography variant="body2">
        Failed checks: {canary.failedChecks} of{' '}
        {canary.analysis.threshold ?? '—'} before rollback
        {canary.analysis.interval
          ? `, checked every ${canary.analysis.interval}`
          : ''}
      </Typography>
      {canary.metrics.length > 0 && (
        <Table size="small" aria-label="Analysis metrics">
          <TableHead>
            <TableRow>
              <TableCell>Metric</TableCell>
              <TableCell>Range</TableCell>
              <TableCell>Interval</TableCell>
              <TableCell align="right">Now</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {canary.metrics.map(m => (
              <TableRow key={m.name}>
                <TableCell>
                  {m.name}
                  {m.templateRef && (
                    <Typography variant="caption" display="block">
                      template {m.templateRef}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>{range(m)}</TableCell>
                <TableCell>{m.interval ?? '—'}</TableCell>
                <TableCell align="right" title={m.note}>
                  {metricValue(m)}
                </TableCell>
                <TableCell>
                  <MetricIcon m={m} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {canary.webhooks.length > 0 && (
        <Typography variant="body2" component="div">
          Webhooks:{' '}
          {canary.webhooks
            .map(w => `${w.name} (${w.type}${w.host ? ` → ${w.host}` : ''})`)
            .join(', ')}
        </Typography>
      )}
      {refusals && <RefusedCalls canary={canary} refusals={refusals} />}
      <Box mt={1}>
        <Typography variant="subtitle2">Recent rollouts</Typography>
        <DeploymentsLine canary={canary} />
        <RolloutTable
          rollouts={canary.rollouts}
          inPeriod={canary.deployments?.rollouts}
        />
      </Box>
    </Box>
  );
}

/** The canaries laid out, or why there are none. */
export function CanaryContent({
  data,
  refusals,
}: {
  data: EntityCanaryResponse;
  refusals?: CanaryRefusals;
}) {
  const failed = data.sources.filter(s => s.status !== 'ok');
  return (
    <Box>
      {data.demo && <DemoBanner />}
      {failed.map(s => (
        <Box mb={1} key={`${s.role}@${s.cluster}`}>
          <Alert severity="warning">
            {sourceName(s)}: {s.status}
            {s.message ? ` (${s.message})` : ''}.
          </Alert>
        </Box>
      ))}
      {data.canaries.length === 0 && (
        <Typography variant="body2">
          No Flagger Canary targets this service's workloads, so its releases go
          out all at once. A Canary shifts traffic to a new version step by step
          and rolls back on failing checks.
        </Typography>
      )}
      {data.canaries.map(c => (
        <OneCanary
          key={`${c.cluster}/${c.namespace}/${c.name}`}
          canary={c}
          refusals={refusals}
        />
      ))}
      {data.notes.map(n => (
        <Typography key={n} variant="caption" display="block">
          {n}
        </Typography>
      ))}
    </Box>
  );
}

function refusalsOf(posture: MeshPosture): CanaryRefusals {
  return {
    ...(posture.refusedCalls ? { calls: posture.refusedCalls } : {}),
    callerWindow: posture.callerWindow,
    running: posture.workloads
      .filter(w => w.totalPods > 0)
      .map(
        ({ workload: w }) => `${w.cluster}/${w.namespace}/${w.kind}/${w.name}`,
      ),
  };
}

/**
 * Entity card "Canary": where the service's progressive delivery stands,
 * from Flagger.
 */
export function CanaryCard() {
  // Asked for any entity, as before: without a workload annotation the
  // backend's error says which one to add.
  const canaries = useEntityPosture((api, ref) => api.getCanary(ref), [], {
    needsWorkloads: false,
  });
  // The posture's refused calls, when it answers: the card stands without.
  const posture = useEntityPosture((api, ref) => api.getPosture(ref));
  return (
    <InfoCard title="Canary" subheader="Progressive delivery with Flagger">
      <PosturePending state={canaries} />
      {canaries.value && (
        <CanaryContent
          data={canaries.value}
          refusals={posture.value && refusalsOf(posture.value)}
        />
      )}
    </InfoCard>
  );
}
