import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  CanaryTransition,
  ChecklistEvent,
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
 * the start, and how long attestations hold.
 * @public
 */
export interface ChecklistSeedContext {
  template(templateId: string): ChecklistTemplateInfo | undefined;
  now: Date;
  attestationValidityMs: number;
}

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
  addChecklists(seed: (context: ChecklistSeedContext) => ChecklistSeed[]): void;
  addCanaryHistory(history: (now: Date) => CanaryTransition[]): void;
  addScorecardHistory(history: ScorecardHistory): void;
}

/**
 * The seeds a backend was given through
 * {@link meshPostureSeedsExtensionPoint}.
 * @public
 */
export interface MeshPostureSeeds {
  checklists: Array<(context: ChecklistSeedContext) => ChecklistSeed[]>;
  canaryHistory: Array<(now: Date) => CanaryTransition[]>;
  scorecardHistory: ScorecardHistory[];
}

/** @public */
export const meshPostureSeedsExtensionPoint =
  createExtensionPoint<MeshPostureSeedsExtensionPoint>({
    id: 'mesh-posture.seeds',
  });
