import type { DeploymentRate } from './deployments';
import type { SourceReport, WorkloadRef } from '../types';

/**
 * Every phase of a Flagger canary (`status.phase`), in Flagger's words.
 * @public
 */
export const CANARY_PHASES = [
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
  'Terminating',
  'Terminated',
] as const;

/** @public */
export type CanaryPhase = (typeof CANARY_PHASES)[number];

/** Flagger's built-in metrics, computed from the mesh's telemetry. @public */
export const BUILT_IN_CANARY_METRICS = [
  'request-success-rate',
  'request-duration',
] as const;

/** The webhook types Flagger knows; `rollout` when none is given. @public */
export const CANARY_WEBHOOK_TYPES = [
  'pre-rollout',
  'rollout',
  'post-rollout',
  'confirm-rollout',
  'confirm-promotion',
  'confirm-traffic-increase',
  'event',
  'rollback',
] as const;

/** @public */
export interface CanaryMetric {
  name: string;
  /** `request-success-rate` or `request-duration`: computed here from Prometheus. */
  builtIn: boolean;
  /** A custom metric's MetricTemplate, as `namespace/name`. */
  templateRef?: string;
  thresholdRange: { min?: number; max?: number };
  /** The query window, e.g. `1m`. */
  interval?: string;
  /**
   * The metric's current value (percent for the success rate, milliseconds
   * for the duration); null when it could not be computed, and for custom
   * metrics, which are listed as configured.
   */
  value: number | null;
  /** How the value stands against the range. */
  status: 'pass' | 'fail' | 'no-data' | 'not-computed';
  /** Why there is no value, in words. */
  note?: string;
}

/** @public */
export interface CanaryWebhook {
  name: string;
  type: (typeof CANARY_WEBHOOK_TYPES)[number] | string;
  /** The host the webhook calls (never the path or query, which may hold tokens). */
  host?: string;
}

/**
 * A Flagger Canary as Mesh Posture shows it.
 * @public
 */
export interface CanaryStatus {
  cluster: string;
  namespace: string;
  name: string;
  target: { kind: string; name: string };
  /** The phase; `Unknown` when Flagger has not set one yet. */
  phase: CanaryPhase | 'Unknown';
  /** Whether the phase is one where traffic is being shifted or promoted. */
  inProgress: boolean;
  analysis: {
    /** How often Flagger runs the checks, e.g. `1m`. */
    interval?: string;
    /** Failed checks before Flagger rolls back. */
    threshold?: number;
    maxWeight?: number;
    stepWeight?: number;
    stepWeights?: number[];
    stepWeightPromotion?: number;
    /** Fixed iterations (A/B testing, blue/green) instead of weights. */
    iterations?: number;
    mirror?: boolean;
  };
  canaryWeight: number;
  failedChecks: number;
  iterations: number;
  lastTransitionTime?: string;
  /** The `Promoted` condition's message: what Flagger says it is doing. */
  message?: string;
  /** A hash of the spec being rolled out: one per rollout. */
  revision?: string;
  metrics: CanaryMetric[];
  webhooks: CanaryWebhook[];
  skipAnalysis: boolean;
  suspended: boolean;
}

/**
 * A phase change of a canary, as the backend observed it.
 * @public
 */
export interface CanaryTransition {
  cluster: string;
  namespace: string;
  name: string;
  phase: CanaryPhase | 'Unknown';
  revision?: string;
  canaryWeight: number;
  failedChecks: number;
  /** Flagger's `lastTransitionTime`, or when it was first observed. */
  at: string;
  message?: string;
}

/**
 * One rollout of a canary, from its transitions.
 * @public
 */
export interface CanaryRollout {
  revision?: string;
  startedAt: string;
  endedAt?: string;
  /** `superseded`: a newer revision arrived before it finished. */
  outcome: 'succeeded' | 'failed' | 'in-progress' | 'superseded';
  durationSeconds?: number;
  /** The most failed checks seen during the rollout. */
  maxFailedChecks: number;
}

/**
 * Response of `GET /v1/entities/{kind}/{namespace}/{name}/canary`.
 * @public
 */
export interface EntityCanaryResponse {
  entityRef: string;
  generatedAt: string;
  demo: boolean;
  /** The entity's workloads the canaries were looked for. */
  workloads: WorkloadRef[];
  canaries: Array<
    CanaryStatus & {
      /** Recent rollouts, newest first. */
      rollouts: CanaryRollout[];
      /** Succeeded rollouts per week over the last four weeks. */
      deploymentsPerWeek: number;
      /**
       * The rollouts counted for it and the period they were counted over
       * (four weeks, or the history observed when shorter). Absent from
       * backends that predate it.
       */
      deployments?: DeploymentRate;
    }
  >;
  /** Clusters where Flagger is not installed (no Canary CRD). */
  flaggerMissing: string[];
  sources: SourceReport[];
  notes: string[];
}
