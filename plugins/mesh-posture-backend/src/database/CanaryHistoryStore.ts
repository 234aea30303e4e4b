import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  CanaryStatus,
  CanaryTransition,
} from '@mesh-posture/plugin-mesh-posture-common';
import { Knex } from 'knex';
import { migratedClient, toDate } from './migrate';

const TABLE = 'mesh_posture_canary_transitions';

type TransitionRow = {
  id: number | string;
  cluster: string;
  namespace: string;
  name: string;
  phase: string;
  revision: string | null;
  canary_weight: number;
  failed_checks: number;
  transition_at: Date | string | number;
  observed_at: Date | string | number;
  message: string | null;
};

/** A canary's identity in the history. */
export type CanaryKey = Pick<CanaryStatus, 'cluster' | 'namespace' | 'name'>;

const keyOf = (k: CanaryKey) =>
  `${k.cluster}\u0000${k.namespace}\u0000${k.name}`;

function fromRow(row: TransitionRow): CanaryTransition {
  return {
    cluster: row.cluster,
    namespace: row.namespace,
    name: row.name,
    phase: row.phase as CanaryTransition['phase'],
    ...(row.revision ? { revision: row.revision } : {}),
    canaryWeight: Number(row.canary_weight),
    failedChecks: Number(row.failed_checks),
    at: toDate(row.transition_at).toISOString(),
    ...(row.message ? { message: row.message } : {}),
  };
}

/**
 * The observed phase transitions of Flagger canaries, one table,
 * append-only. Recording is idempotent: a canary seen again in the same
 * phase and revision adds nothing, and the same transition seen by two
 * replicas is stored once.
 */
export class CanaryHistoryStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<CanaryHistoryStore> {
    return new CanaryHistoryStore(await migratedClient(options.database));
  }

  constructor(private readonly db: Knex) {}

  /** The newest row of each of these canaries. */
  private async latest(keys: CanaryKey[]): Promise<Map<string, TransitionRow>> {
    const out = new Map<string, TransitionRow>();
    if (keys.length === 0) return out;
    const clusters = [...new Set(keys.map(k => k.cluster))];
    const names = [...new Set(keys.map(k => k.name))];
    const newest = this.db(TABLE)
      .whereIn('cluster', clusters)
      .whereIn('name', names)
      .groupBy(['cluster', 'namespace', 'name'])
      .max('id');
    const rows: TransitionRow[] = await this.db(TABLE).whereIn('id', newest);
    for (const row of rows) out.set(keyOf(row), row);
    return out;
  }

  /**
   * Records what was observed: a row for each canary whose phase or
   * revision differs from its last row. Returns how many were added.
   */
  async record(statuses: CanaryStatus[], observedAt: Date): Promise<number> {
    const last = await this.latest(statuses);
    const rows = statuses
      .filter(s => {
        const before = last.get(keyOf(s));
        return (
          !before ||
          before.phase !== s.phase ||
          (before.revision ?? undefined) !== s.revision
        );
      })
      .map(s => ({
        cluster: s.cluster,
        namespace: s.namespace,
        name: s.name,
        phase: s.phase,
        revision: s.revision ?? null,
        canary_weight: s.canaryWeight,
        failed_checks: s.failedChecks,
        transition_at: s.lastTransitionTime
          ? new Date(s.lastTransitionTime)
          : observedAt,
        observed_at: observedAt,
        message: s.message ?? null,
      }));
    let added = 0;
    for (const row of rows) {
      const inserted = await this.db(TABLE)
        .insert(row)
        .onConflict(['cluster', 'namespace', 'name', 'phase', 'transition_at'])
        .ignore()
        .returning('id');
      added += inserted.length;
    }
    return added;
  }

  /** Stores transitions as they are (the demo's history), skipping known ones. */
  async importTransitions(transitions: CanaryTransition[]): Promise<void> {
    for (let i = 0; i < transitions.length; i += 50) {
      await this.db(TABLE)
        .insert(
          transitions.slice(i, i + 50).map(t => ({
            cluster: t.cluster,
            namespace: t.namespace,
            name: t.name,
            phase: t.phase,
            revision: t.revision ?? null,
            canary_weight: t.canaryWeight,
            failed_checks: t.failedChecks,
            transition_at: new Date(t.at),
            observed_at: new Date(t.at),
            message: t.message ?? null,
          })),
        )
        .onConflict(['cluster', 'namespace', 'name', 'phase', 'transition_at'])
        .ignore();
    }
  }

  /** Whether any transition is stored. */
  async isEmpty(): Promise<boolean> {
    return !(await this.db(TABLE).first('id'));
  }

  /** The transitions of these canaries since a time, oldest first, and the first ever seen. */
  async transitions(
    keys: CanaryKey[],
    since: Date,
  ): Promise<
    Map<string, { transitions: CanaryTransition[]; firstSeen?: string }>
  > {
    const out = new Map<
      string,
      { transitions: CanaryTransition[]; firstSeen?: string }
    >();
    for (const k of keys) out.set(keyOf(k), { transitions: [] });
    if (keys.length === 0) return out;
    const match = (q: Knex.QueryBuilder) =>
      q.where(inner => {
        for (const k of keys) {
          inner.orWhere({
            cluster: k.cluster,
            namespace: k.namespace,
            name: k.name,
          });
        }
      });
    const rows: TransitionRow[] = await match(this.db(TABLE))
      .where('transition_at', '>=', since)
      .orderBy('transition_at')
      .orderBy('id')
      .limit(20_000);
    for (const row of rows) out.get(keyOf(row))?.transitions.push(fromRow(row));
    const firsts = await match(this.db(TABLE))
      .groupBy(['cluster', 'namespace', 'name'])
      .select('cluster', 'namespace', 'name')
      .min({ first: 'transition_at' });
    for (const f of firsts as any[]) {
      const entry = out.get(keyOf(f));
      if (entry && f.first !== null)
        entry.firstSeen = toDate(f.first).toISOString();
    }
    return out;
  }
}

export { keyOf as canaryKey };
