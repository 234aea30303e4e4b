import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ChecklistAnswerRequest,
  ChecklistAttestationRequest,
  ChecklistExemptionRequest,
  ChecklistExportFormat,
  ChecklistHistoryResponse,
  ChecklistView,
  EntityChecklistsResponse,
  GoldenSignals,
  MeshPosture,
  PostureHistoryResponse,
  PostureWindow,
  ScorecardFilter,
  ScorecardsResponse,
  ScoreTrendResponse,
  EntityScoreResponse,
  EntityCanaryResponse,
  DataflowResponse,
  SignalWindow,
  SnapshotRun,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * A checklist write was based on an outdated version (HTTP 409). Nothing
 * was saved; `current` is the checklist as it stands now.
 * @public
 */
export class ChecklistConflictError extends Error {
  readonly current: ChecklistView;

  constructor(message: string, current: ChecklistView) {
    super(message);
    this.name = 'ChecklistConflictError';
    this.current = current;
  }
}

/**
 * Reads and writes Mesh Posture's backend.
 * @public
 */
export interface MeshPostureApi {
  getPosture(
    entityRef: CompoundEntityRef,
    options?: { window?: PostureWindow },
  ): Promise<MeshPosture>;
  getPostureHistory(
    entityRef: CompoundEntityRef,
    options?: { days?: number },
  ): Promise<PostureHistoryResponse>;
  /** The golden signals of the entity's workloads over a window. */
  getSignals(
    entityRef: CompoundEntityRef,
    options?: { window?: SignalWindow; direction?: 'inbound' | 'outbound' },
  ): Promise<GoldenSignals>;

  /** The compliance checklists that apply to the entity. */
  getChecklists(
    entityRef: CompoundEntityRef,
  ): Promise<EntityChecklistsResponse>;
  /** One checklist's history, newest first. */
  getChecklistHistory(
    entityRef: CompoundEntityRef,
    templateId: string,
    options?: { limit?: number; beforeVersion?: number },
  ): Promise<ChecklistHistoryResponse>;
  /** Throws {@link ChecklistConflictError} when the base version is outdated. */
  answerChecklistItem(
    entityRef: CompoundEntityRef,
    templateId: string,
    itemId: string,
    request: ChecklistAnswerRequest,
  ): Promise<ChecklistView>;
  /** Throws {@link ChecklistConflictError} when the base version is outdated. */
  exemptChecklistItem(
    entityRef: CompoundEntityRef,
    templateId: string,
    itemId: string,
    request: ChecklistExemptionRequest,
  ): Promise<ChecklistView>;
  /** Throws {@link ChecklistConflictError} when the base version is outdated. */
  revokeChecklistExemption(
    entityRef: CompoundEntityRef,
    templateId: string,
    itemId: string,
    options: { baseVersion: number },
  ): Promise<ChecklistView>;
  /** Throws {@link ChecklistConflictError} when the base version is outdated. */
  attestChecklist(
    entityRef: CompoundEntityRef,
    templateId: string,
    request: ChecklistAttestationRequest,
  ): Promise<ChecklistView>;
  /** The auditor export of every checklist of the entity, as a file. */
  exportChecklists(
    entityRef: CompoundEntityRef,
    format: ChecklistExportFormat,
  ): Promise<{ filename: string; content: Blob }>;

  /**
   * NIST OSCAL assessment results (v1.2.1) of the entities: their posture
   * checks, checklist items and exemptions, as a file.
   */
  exportOscalAssessmentResults(
    entityRefs: string[],
  ): Promise<{ filename: string; content: Blob }>;

  /** The catalog's scorecards from the latest snapshot, filtered, worst first. */
  getScorecards(filter?: ScorecardFilter): Promise<ScorecardsResponse>;
  /** The catalog's score and each owner's (or system's) per day. */
  getScoreTrend(options?: {
    days?: number;
    groupBy?: 'owner' | 'system';
    filter?: ScorecardFilter;
  }): Promise<ScoreTrendResponse>;
  /** The filtered scorecards as a CSV file. */
  exportScorecardsCsv(
    filter?: ScorecardFilter,
  ): Promise<{ filename: string; content: Blob }>;
  /**
   * The certificate inventory of the latest snapshot (every anchor, issuer,
   * root and workload certificate the caller may read), as a file.
   */
  exportCertificateInventory(
    format: 'json' | 'csv',
  ): Promise<{ filename: string; content: Blob }>;
  /** One entity's latest score and its history. */
  getEntityScore(
    entityRef: CompoundEntityRef,
    options?: { days?: number },
  ): Promise<EntityScoreResponse>;
  /** Takes a snapshot of the whole catalog now (platform team only). */
  /**
   * Takes a snapshot now: the stored run, or `null` while it is still
   * running (202; the scorecards show it once stored).
   */
  takeSnapshot(): Promise<{ run: SnapshotRun | null }>;
  /** The Flagger canaries of the entity's workloads, with their rollouts. */
  getCanary(entityRef: CompoundEntityRef): Promise<EntityCanaryResponse>;
  /** Flows into and out of entities over a period, as the snapshots saw them. */
  getDataflow(
    entityRefs: string[],
    options?: { from?: string; to?: string },
  ): Promise<DataflowResponse>;
}

/** @public */
export const meshPostureApiRef = createApiRef<MeshPostureApi>({
  id: 'plugin.mesh-posture.api',
});
