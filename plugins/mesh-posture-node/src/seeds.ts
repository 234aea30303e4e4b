import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type {
  CanaryTransition,
  ChecklistEvent,
  ChecklistPostureInput,
  ChecklistTemplateInfo,
  DistributiveOmit,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { MeshClusterProvider } from './sources';

/**
 * One change of a seeded checklist, as the store appends it (the store
 * numbers the versions).
 * @public
 */
export type ChecklistSeedEvent = DistributiveOmit<
  ChecklistEvent,
  'version' | 'templateId'
>;

/**
 * A checklist written into an empty database: its changes, oldest first.
 * @public
 */
export interface ChecklistSeed {
  entityRef: string;
  templateId: string;
  events: ChecklistSeedEvent[];
}

/**
 * What a seed of checklists is given: the templates in force, the time of
 * the start, how long attestations hold, and, where the backend can take
 * it, the posture of an entity as the seeded past had it.
 * @public
 */
export interface ChecklistSeedContext {
  template(templateId: string): ChecklistTemplateInfo | undefined;
  now: Date;
  attestationValidityMs: number;
  /**
   * The posture an entity's automatic items are judged on, as the clusters
   * were at an instant: given only while a seeded scorecard history (see
   * {@link ScorecardHistory}) stands for every cluster, so that a seeded
   * attestation records the evidence that past showed, never made-up
   * evidence. Without it, a seed must not attest a template with automatic
   * items.
   */
  postureAt?(entity: Entity, at: Date): Promise<ChecklistPostureInput>;
}

/**
 * Writes checklists into an empty database, given what the backend knows.
 * @public
 */
export type ChecklistSeedFunction = (
  context: ChecklistSeedContext,
) => ChecklistSeed[] | Promise<ChecklistSeed[]>;

/**
 * A past the backend can snapshot itself: cluster providers that answer as
 * the clusters were at an instant (a simulation is deterministic in time).
 * Used only while these providers are all the backend's clusters, so that
 * no history pretends to cover clusters it never saw.
 * @public
 */
export interface ScorecardHistory {
  days: number;
  /** The live providers this history stands for. */
  providers: MeshClusterProvider[];
  providersAt(at: Date): MeshClusterProvider[];
}

/**
 * Lets backend modules give a fresh installation a past: checklists,
 * canary transitions and scorecard snapshots, each written once into an
 * empty database (restarts and replicas add nothing).
 * @public
 */
export interface MeshPostureSeedsExtensionPoint {
  addChecklists(seed: ChecklistSeedFunction): void;
  addCanaryHistory(history: (now: Date) => CanaryTransition[]): void;
  addScorecardHistory(history: ScorecardHistory): void;
}

/**
 * The seeds a backend was given through
 * {@link meshPostureSeedsExtensionPoint}.
 * @public
 */
export interface MeshPostureSeeds {
  checklists: ChecklistSeedFunction[];
  canaryHistory: Array<(now: Date) => CanaryTransition[]>;
  scorecardHistory: ScorecardHistory[];
}

/** @public */
export const meshPostureSeedsExtensionPoint =
  createExtensionPoint<MeshPostureSeedsExtensionPoint>({
    id: 'mesh-posture.seeds',
  });
