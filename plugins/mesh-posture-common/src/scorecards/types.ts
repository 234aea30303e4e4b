import type { CheckStatus, EdgeProtocol, EdgeSecurity } from '../types';
import {
  checkIdsWhere,
  MESH_POSTURE_CHECKS,
  MeshPostureCheckId,
} from '../checks';

/**
 * A check a service is scored on (the table's `scored` checks).
 * @public
 */
export type ScoreCheckId = {
  [K in MeshPostureCheckId]: (typeof MESH_POSTURE_CHECKS)[K]['scored'] extends true
    ? K
    : never;
}[MeshPostureCheckId];

/**
 * The checks a service is scored on, in the table's order (the CSV's
 * columns follow it).
 * @public
 */
export const SCORE_CHECK_IDS = checkIdsWhere(
  'scored',
) as readonly ScoreCheckId[];

/**
 * What each check asks, in the short words the page and exports use.
 * @public
 */
export const SCORE_CHECK_TITLES = Object.fromEntries(
  SCORE_CHECK_IDS.map(id => [id, MESH_POSTURE_CHECKS[id].label]),
) as Record<ScoreCheckId, string>;

/**
 * How one check came out. `unknown` (no data) earns nothing, like `fail`,
 * but says why; `not-applicable` (e.g. no checklist applies) is left out of
 * the score.
 * @public
 */
export type ScoreCheckStatus = CheckStatus;

/** @public */
export interface ScoreCheck {
  id: ScoreCheckId;
  status: ScoreCheckStatus;
  /** What the check saw, in words. */
  detail: string;
}

/**
 * A level a service reaches with a score at or above `minScore`, and every
 * check in `requires` passing.
 * @public
 */
export interface ScoreLevel {
  name: string;
  minScore: number;
  requires?: ScoreCheckId[];
}

/**
 * Weights and levels. A check's weight is its share of the score; levels are
 * tried from the highest `minScore` down.
 * @public
 */
export interface ScorecardModel {
  weights: Record<ScoreCheckId, number>;
  /** Credit for a warning, 0..1 (a pass earns 1, fail and unknown 0). */
  warnCredit: number;
  levels: ScoreLevel[];
}

/**
 * An entity's scored checks.
 * @public
 */
export interface EntityScore {
  /** 0..100, rounded to one decimal. */
  score: number;
  /** The highest level reached, or null below every level. */
  level: string | null;
  checks: ScoreCheck[];
}

/**
 * One entity in a snapshot run: who owns it, where it runs, and its score.
 * @public
 */
export interface EntityScorecard extends EntityScore {
  entityRef: string;
  title?: string;
  kind: string;
  namespace: string;
  name: string;
  /** Entity ref of the owner, e.g. `group:default/payments-team`. */
  owner: string | null;
  /** Entity ref of the system, when the entity is part of one. */
  system: string | null;
  lifecycle: string | null;
  clusters: string[];
  meshes: string[];
  /** Figures the checks were judged on. */
  figures: {
    totalPods: number;
    meshedPods: number;
    inboundMtlsShare: number | null;
    outboundMtlsShare: number | null;
    inboundRequestsPerSecond: number;
    successRate: number | null;
    latencyP99Ms: number | null;
    /** Days until the first mesh certificate expires. */
    certificateDaysLeft: number | null;
  };
  /** Sources that failed for this entity in the run, as `role@cluster: status`. */
  missing: string[];
  demo: boolean;
}

/**
 * One run of the snapshot task.
 * @public
 */
export interface SnapshotRun {
  id: number;
  startedAt: string;
  finishedAt: string;
  entities: number;
  /** Prometheus queries the run made, across clusters. */
  prometheusQueries: number;
  /** Kubernetes reads the run made, across clusters. */
  kubernetesReads: number;
  /** Sources that failed, as `role@cluster: status`. */
  failedSources: string[];
}

/**
 * Scores of a group of entities: an owner or a system.
 * @public
 */
export interface ScoreRollup {
  /** The owner's or system's entity ref; `null` for entities without one. */
  key: string | null;
  entities: number;
  /** Mean score of the group's entities. */
  score: number;
  /** Entities per level name; `none` for those below every level. */
  levels: Record<string, number>;
  /** Failing checks across the group, per check. */
  failing: Partial<Record<ScoreCheckId, number>>;
}

/**
 * Filters of the scorecard page; every list is "any of".
 * @public
 */
export interface ScorecardFilter {
  owner?: string[];
  system?: string[];
  lifecycle?: string[];
  cluster?: string[];
  mesh?: string[];
  level?: string[];
}

/**
 * Response of `GET /v1/scorecards`.
 * @public
 */
export interface ScorecardsResponse {
  /** The run the scores come from; null before the first run. */
  run: SnapshotRun | null;
  model: ScorecardModel;
  /** Entities that match the filter, worst first. */
  entities: EntityScorecard[];
  rollups: { byOwner: ScoreRollup[]; bySystem: ScoreRollup[] };
  /** Values each filter can take, over every entity the caller may see. */
  facets: Required<ScorecardFilter>;
}

/** A point of a score trend: one per day, the day's last run. @public */
export interface ScoreTrendPoint {
  /** The run's time. */
  at: string;
  score: number;
  entities: number;
}

/**
 * Response of `GET /v1/scorecards/trend`.
 * @public
 */
export interface ScoreTrendResponse {
  days: number;
  catalog: ScoreTrendPoint[];
  /** One series per owner (or system, with `groupBy=system`). */
  groups: Array<{ key: string | null; points: ScoreTrendPoint[] }>;
}

/**
 * Response of `GET /v1/entities/{kind}/{namespace}/{name}/score`.
 * @public
 */
export interface EntityScoreResponse {
  entityRef: string;
  model: ScorecardModel;
  /** From the latest run that included the entity; null if none did. */
  current: (EntityScorecard & { at: string }) | null;
  history: Array<{ at: string; score: number; level: string | null }>;
  /**
   * The catalog's latest run, whether it included the entity or not. Null
   * before the first run, which is then on its way: the backend takes it
   * as soon as the catalog has entities (after the seeded history a module
   * gives, stored with it at once). The backend's route always sends it.
   */
  latestRun?: SnapshotRun | null;
}

/**
 * One observed service-to-service flow, from a snapshot run.
 * @public
 */
export interface Dataflow {
  /** When the run observed it. */
  at: string;
  cluster: string;
  /** The entity whose workload the flow was observed at. */
  entityRef: string;
  direction: EdgeSecurity['direction'];
  workload: { namespace: string; name: string };
  peer: EdgeSecurity['peer'];
  /** Absent: HTTP. */
  protocol?: EdgeProtocol;
  requestsPerSecond: number;
  /** TCP flows: bytes per second both ways (they have no requests). */
  bytesPerSecond?: number;
  /** Over the requests whose security was observed; null when none was. */
  mtlsShare: number | null;
  plaintextReasons: string[];
  /** Why some requests could not be observed, when some could not. */
  unverifiedReasons?: string[];
}

/**
 * Response of `GET /v1/dataflow`: flows into and out of the asked entities
 * over a period, one line per pair and direction, with the least-encrypted
 * share seen.
 * @public
 */
export interface DataflowResponse {
  from: string;
  to: string;
  /** Runs in the period the answer is built from. */
  runs: number;
  flows: Array<{
    /** Stable for the same flow in every period (`FLOW-` and 16 hex digits). */
    evidenceId: string;
    entityRef: string;
    direction: EdgeSecurity['direction'];
    workload: { namespace: string; name: string };
    peer: EdgeSecurity['peer'];
    cluster: string;
    firstSeen: string;
    lastSeen: string;
    /** Runs that saw the flow. */
    observations: number;
    protocol: EdgeProtocol;
    maxRequestsPerSecond: number;
    /** TCP flows: the most bytes per second a run saw. */
    maxBytesPerSecond?: number;
    /**
     * The lowest mTLS share any run saw: 1 means always encrypted; null when
     * no run could observe the flow's security.
     */
    minMtlsShare: number | null;
    plaintextReasons: string[];
    /** Why some runs could not observe it. */
    unverifiedReasons: string[];
  }>;
}

/**
 * One certificate of the inventory (PCI DSS v4.0 4.2.1.1): a trust anchor,
 * issuer, root or workload certificate a snapshot run read, with the
 * entities it was read through.
 * @public
 */
export interface InventoryCertificate {
  /**
   * Stable for the same certificate in every run and export: `CERT-` and
   * the first 16 hex digits of the SHA-256 of its cluster, mesh, role,
   * subject, location and expiry.
   */
  evidenceId: string;
  cluster: string;
  mesh: string;
  role: string;
  subject: string;
  /** Where it was read, e.g. `ConfigMap linkerd/linkerd-identity-trust-roots`. */
  location: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter at the time of the export; negative once expired. */
  daysToExpiry: number;
  /** `expired`, `expiring` (under 30 days), `invalid` (see `problem`) or `valid`. */
  status: 'valid' | 'expiring' | 'expired' | 'invalid';
  problem?: string;
  /**
   * The certificates of the same cluster's mesh one step up its chain
   * (a workload's issuer, an issuer's trust anchor or root), by subject;
   * null at the top of the chain and for webhooks. Derived from the roles,
   * not from the certificate's issuer field.
   */
  issuedBy: string | null;
  /** The entities whose posture it was read through, that the caller may read. */
  entities: string[];
}

/**
 * Response of `GET /v1/certificates`: the certificate inventory of the
 * latest snapshot run.
 * @public
 */
export interface CertificateInventory {
  /** The run it comes from; null before the first run. */
  run: SnapshotRun | null;
  generatedAt: string;
  /** The user (or "a service") the export was generated for. */
  generatedBy: string;
  certificates: InventoryCertificate[];
}
