import type { MeshKind, SourceReport, WorkloadRef } from '../types';
import type { CanarySideSignals } from '../canaries/signalsByRole';

/**
 * Windows the golden signals can be read over. An allow-list: no other
 * duration reaches a query.
 * @public
 */
export const SIGNAL_WINDOWS = ['5m', '1h', '6h', '24h', '7d'] as const;

/** @public */
export type SignalWindow = (typeof SIGNAL_WINDOWS)[number];

/** @public */
export const DEFAULT_SIGNAL_WINDOW: SignalWindow = '1h';

/** @public */
export function isSignalWindow(value: unknown): value is SignalWindow {
  return (
    typeof value === 'string' &&
    (SIGNAL_WINDOWS as readonly string[]).includes(value)
  );
}

/**
 * Latency quantiles in milliseconds. A quantile is null when there were too
 * few requests to estimate it (fewer than 1/(1-q)), or none at all.
 * @public
 */
export interface LatencyQuantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * Requests that failed, by status.
 * @public
 */
export interface ErrorsByStatus {
  /** HTTP status code (e.g. `503`, `0` for no response) or gRPC status name/number. */
  status: string;
  protocol: 'http' | 'grpc';
  requestsPerSecond: number;
}

/**
 * The golden signals of some traffic over a window.
 * @public
 */
export interface SignalSummary {
  requestsPerSecond: number;
  /** Requests in the window. */
  requests: number;
  /** Share of requests that succeeded, 0..1; null without requests. */
  successRate: number | null;
  latencyMs: LatencyQuantiles;
  errors: ErrorsByStatus[];
  /** Istio only: request and response sizes in bytes (p50, p99). */
  requestBytes?: { p50: number | null; p99: number | null };
  responseBytes?: { p50: number | null; p99: number | null };
}

/**
 * One point of a signal series. Values are null where there was no traffic.
 * @public
 */
export interface SignalPoint {
  /** Milliseconds since the epoch. */
  t: number;
  requestsPerSecond: number;
  successRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * Whether a signal meets its objective: `no-traffic` when every source
 * answered and there were no requests to judge; `unknown` when it cannot be
 * judged: a source did not answer (the figures are missing or cover only
 * part of the traffic), or too few requests to estimate p99.
 * @public
 */
export type SloStatus =
  | 'met'
  | 'at-risk'
  | 'breached'
  | 'no-traffic'
  | 'unknown';

/**
 * An entity's service level objectives, and how the window measures up.
 * @public
 */
export interface SloAssessment {
  /** Target success rate, 0..1 (e.g. 0.999). */
  successRateTarget: number;
  /** Target p99 latency in milliseconds. */
  latencyP99TargetMs: number;
  /** Where each target came from: an annotation or the configured default. */
  from: {
    successRate: 'annotation' | 'default';
    latencyP99: 'annotation' | 'default';
  };
  successRate: SloStatus;
  latencyP99: SloStatus;
  /**
   * Share of the window's error budget left, 1 (untouched) to 0 (spent);
   * negative when overspent; null without requests.
   */
  errorBudgetRemaining: number | null;
}

/**
 * The golden signals of one outbound dependency.
 * @public
 */
export interface DependencySignals {
  peer: { namespace?: string; workload?: string; entityRef?: string };
  summary: SignalSummary;
}

/**
 * A workload whose running pods all lack a mesh proxy.
 * @public
 */
export interface ProxylessWorkload {
  /** The workload, as its pods' controller names it. */
  workload: WorkloadRef;
  /** The mesh of its cluster: the one that would inject it. */
  mesh: MeshKind;
  /** Its running pods, none with a proxy. */
  pods: number;
}

/**
 * Response of `GET /v1/entities/{kind}/{namespace}/{name}/signals`.
 * @public
 */
export interface GoldenSignals {
  entityRef: string;
  generatedAt: string;
  window: SignalWindow;
  direction: 'inbound' | 'outbound';
  demo: boolean;
  workloads: WorkloadRef[];
  /**
   * The figures over the window; null when nothing was measured (no source
   * answered, or no workload was found): unknown, never zero.
   */
  summary: SignalSummary | null;
  /**
   * False when a source did not answer: the summary, if any, covers only
   * the clusters that did, and the objectives are `unknown`.
   */
  complete: boolean;
  /** Step between points, in seconds. */
  stepSeconds: number;
  series: SignalPoint[];
  slo: SloAssessment;
  /** Outbound only: one entry per dependency. */
  dependencies: DependencySignals[];
  /**
   * While a Flagger rollout sends its canary requests: the primary's and
   * the canary's figures apart (the summary is both together).
   */
  canary?: CanarySideSignals[];
  /**
   * The entity's workloads that run without a mesh proxy, so nothing of
   * their own traffic is observed. Inbound, their figures are what their
   * callers' proxies report sending them (client-side, the network
   * included; callers without a proxy are not seen); outbound, the requests
   * they make are not observed at all. Absent or empty: every workload
   * reports its own traffic.
   */
  proxyless?: ProxylessWorkload[];
  /** Notes on figures that are missing or estimated, in words. */
  notes: string[];
  /** Where to open the same queries, when configured. */
  links: Array<{ title: string; url: string }>;
  sources: SourceReport[];
}

/**
 * Cumulative histogram bucket rates (Prometheus `le` semantics): events per
 * second at or below each upper bound; the last bound is +Inf.
 * @public
 */
export type HistogramBucketRates = Array<{ le: number; rate: number }>;

/**
 * The raw golden signals of some traffic, as telemetry reports them.
 * Quantiles are computed from the buckets, after merging where needed.
 * @public
 */
export interface RawTrafficSignals {
  requestsPerSecond: number;
  failuresPerSecond: number;
  /** Latency in milliseconds. */
  latencyBuckets: HistogramBucketRates;
  errors: ErrorsByStatus[];
  /** Istio only: request and response sizes in bytes. */
  requestBytesBuckets?: HistogramBucketRates;
  responseBytesBuckets?: HistogramBucketRates;
}
