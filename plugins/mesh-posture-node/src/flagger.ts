/*
 * Flagger's Canary objects read as the posture shows them (the backend's
 * canary service and the demo module share this reading).
 */
import {
  BUILT_IN_CANARY_METRICS,
  CANARY_PHASES,
  CanaryMetric,
  CanaryPhase,
  CanaryRollout,
  CanaryStatus,
  CanaryTransition,
  CanaryWebhook,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';

/** The parts of a Kubernetes object the canary logic reads. @public */
export interface CanaryObject {
  metadata: { name: string; namespace?: string };
  spec?: any;
  status?: any;
}

const IN_PROGRESS: ReadonlyArray<string> = [
  'Progressing',
  'Waiting',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
];

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, 1000) : undefined;
const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** Whether a phase is one of a rollout under way. @public */
export function isCanaryInProgress(phase: string): boolean {
  return IN_PROGRESS.includes(phase);
}

/** A webhook's host only: URLs may carry tokens in their path or query. */
function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

function readMetric(m: any): CanaryMetric | undefined {
  const name = text(m?.name);
  if (!name) return undefined;
  const builtIn =
    !m?.templateRef &&
    (BUILT_IN_CANARY_METRICS as readonly string[]).includes(name);
  const range = m?.thresholdRange ?? {};
  // Flagger's older `threshold` field is a minimum for the success rate and
  // a maximum for the duration.
  const legacy = num(m?.threshold);
  const thresholdRange = {
    ...(num(range.min) !== undefined ? { min: num(range.min) } : {}),
    ...(num(range.max) !== undefined ? { max: num(range.max) } : {}),
  };
  if (legacy !== undefined && Object.keys(thresholdRange).length === 0) {
    if (name === 'request-duration')
      Object.assign(thresholdRange, { max: legacy });
    else Object.assign(thresholdRange, { min: legacy });
  }
  const templateName = text(m?.templateRef?.name);
  return {
    name,
    builtIn,
    ...(templateName
      ? {
          templateRef: `${text(m.templateRef.namespace) ?? ''}${
            text(m.templateRef.namespace) ? '/' : ''
          }${templateName}`,
        }
      : {}),
    thresholdRange,
    ...(text(m?.interval) ? { interval: text(m.interval) } : {}),
    value: null,
    status: builtIn ? 'no-data' : 'not-computed',
    ...(builtIn
      ? {}
      : { note: 'custom metric: evaluated by Flagger from its template' }),
  };
}

function readWebhook(w: any): CanaryWebhook | undefined {
  const name = text(w?.name);
  if (!name) return undefined;
  const host = hostOf(w?.url);
  return { name, type: text(w?.type) ?? 'rollout', ...(host ? { host } : {}) };
}

/**
 * A Flagger `Canary` object as a `CanaryStatus`; undefined when it is
 * not one (no name, namespace or target). Fields of the wrong type are
 * ignored, never trusted.
 * @public
 */
export function readCanary(
  object: unknown,
  cluster: string,
): CanaryStatus | undefined {
  const o = object as CanaryObject;
  const name = text(o?.metadata?.name);
  const namespace = text(o?.metadata?.namespace);
  const targetName = text(o?.spec?.targetRef?.name);
  if (!name || !namespace || !targetName) return undefined;
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const analysis = spec.analysis ?? spec.canaryAnalysis ?? {};
  const rawPhase = text(status.phase);
  const phase: CanaryStatus['phase'] =
    rawPhase && (CANARY_PHASES as readonly string[]).includes(rawPhase)
      ? (rawPhase as CanaryPhase)
      : 'Unknown';
  const promoted = Array.isArray(status.conditions)
    ? status.conditions.find((c: any) => c?.type === 'Promoted')
    : undefined;
  const stepWeights = Array.isArray(analysis.stepWeights)
    ? analysis.stepWeights.map(count).filter((w: unknown) => w !== undefined)
    : undefined;
  return {
    cluster,
    namespace,
    name,
    target: {
      kind: text(spec.targetRef.kind) ?? 'Deployment',
      name: targetName,
    },
    phase,
    inProgress: isCanaryInProgress(phase),
    analysis: {
      ...(text(analysis.interval) ? { interval: text(analysis.interval) } : {}),
      ...(count(analysis.threshold) !== undefined
        ? { threshold: count(analysis.threshold) }
        : {}),
      ...(count(analysis.maxWeight) !== undefined
        ? { maxWeight: count(analysis.maxWeight) }
        : {}),
      ...(count(analysis.stepWeight) !== undefined
        ? { stepWeight: count(analysis.stepWeight) }
        : {}),
      ...(stepWeights && stepWeights.length > 0 ? { stepWeights } : {}),
      ...(count(analysis.stepWeightPromotion) !== undefined
        ? { stepWeightPromotion: count(analysis.stepWeightPromotion) }
        : {}),
      ...(count(analysis.iterations) !== undefined
        ? { iterations: count(analysis.iterations) }
        : {}),
      ...(typeof analysis.mirror === 'boolean'
        ? { mirror: analysis.mirror }
        : {}),
    },
    canaryWeight: count(status.canaryWeight) ?? 0,
    failedChecks: count(status.failedChecks) ?? 0,
    iterations: count(status.iterations) ?? 0,
    ...(text(status.lastTransitionTime) &&
    !Number.isNaN(Date.parse(status.lastTransitionTime))
      ? {
          lastTransitionTime: new Date(status.lastTransitionTime).toISOString(),
        }
      : {}),
    ...(text(promoted?.message) ? { message: text(promoted.message) } : {}),
    ...(text(status.lastAppliedSpec)
      ? { revision: text(status.lastAppliedSpec) }
      : {}),
    metrics: (Array.isArray(analysis.metrics) ? analysis.metrics : [])
      .map(readMetric)
      .filter((m: CanaryMetric | undefined): m is CanaryMetric => !!m),
    webhooks: (Array.isArray(analysis.webhooks) ? analysis.webhooks : [])
      .map(readWebhook)
      .filter((w: CanaryWebhook | undefined): w is CanaryWebhook => !!w),
    skipAnalysis: spec.skipAnalysis === true,
    suspended: spec.suspend === true,
  };
}

/**
 * The canaries whose target is one of the workloads: Flagger's `targetRef`
 * names the workload it copies to `<name>-primary`, in the same namespace.
 * @public
 */
export function canariesTargeting<T extends CanaryObject>(
  canaries: T[],
  workloads: Array<Pick<WorkloadRef, 'namespace' | 'name'>>,
): T[] {
  return canaries.filter(c => {
    const target = c.spec?.targetRef?.name;
    if (typeof target !== 'string') return false;
    return workloads.some(
      w =>
        w.namespace === c.metadata.namespace &&
        (w.name === target || w.name === `${target}-primary`),
    );
  });
}

/** A metric value against its range. @public */
export function judgeCanaryMetric(
  metric: CanaryMetric,
  value: number | null,
  note?: string,
): CanaryMetric {
  if (value === null || !Number.isFinite(value)) {
    return {
      ...metric,
      value: null,
      status: 'no-data',
      note: note ?? 'no requests in the interval',
    };
  }
  const { min, max } = metric.thresholdRange;
  const ok =
    (min === undefined || value >= min) && (max === undefined || value <= max);
  const { note: _old, ...rest } = metric;
  return { ...rest, value, status: ok ? 'pass' : 'fail' };
}

/**
 * Rollouts from a canary's observed transitions: each starts when a
 * revision starts progressing and ends when it succeeds or fails (or a newer
 * revision supersedes it). Newest first.
 * @public
 */
export function canaryRollouts(
  transitions: CanaryTransition[],
): CanaryRollout[] {
  const sorted = [...transitions].sort((a, b) => a.at.localeCompare(b.at));
  const rollouts: CanaryRollout[] = [];
  let current: CanaryRollout | undefined;
  const seconds = (from: string, to: string) =>
    Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  for (const t of sorted) {
    if (isCanaryInProgress(t.phase)) {
      const newRevision =
        current &&
        t.revision !== undefined &&
        current.revision !== undefined &&
        t.revision !== current.revision;
      if (current && newRevision) {
        rollouts.push({
          ...current,
          outcome: 'superseded',
          endedAt: t.at,
          durationSeconds: seconds(current.startedAt, t.at),
        });
        current = undefined;
      }
      if (!current) {
        current = {
          ...(t.revision !== undefined ? { revision: t.revision } : {}),
          startedAt: t.at,
          outcome: 'in-progress',
          maxFailedChecks: t.failedChecks,
        };
      } else {
        current.maxFailedChecks = Math.max(
          current.maxFailedChecks,
          t.failedChecks,
        );
      }
    } else if ((t.phase === 'Succeeded' || t.phase === 'Failed') && current) {
      rollouts.push({
        ...current,
        outcome: t.phase === 'Succeeded' ? 'succeeded' : 'failed',
        endedAt: t.at,
        durationSeconds: seconds(current.startedAt, t.at),
        maxFailedChecks: Math.max(current.maxFailedChecks, t.failedChecks),
      });
      current = undefined;
    }
  }
  if (current) rollouts.push(current);
  return rollouts.reverse();
}
