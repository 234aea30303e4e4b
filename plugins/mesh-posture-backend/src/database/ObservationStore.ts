import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  CheckStatus,
  PostureObservation,
} from '@mesh-posture/plugin-mesh-posture-common';
import { Knex } from 'knex';
import { migratedClient, toDate } from './migrate';

const TABLE = 'mesh_posture_observations';

type ObservationRow = {
  id: number | string;
  entity_ref: string;
  observed_at: Date | string | number;
  verdict: string;
  total_pods: number;
  meshed_pods: number;
  inbound_mtls_share: number | null;
  outbound_mtls_share: number | null;
  inbound_rps: number;
  outbound_rps: number;
  complete: boolean | number;
};

function fromRow(row: ObservationRow): PostureObservation {
  return {
    entityRef: row.entity_ref,
    observedAt: toDate(row.observed_at).toISOString(),
    verdict: row.verdict as CheckStatus,
    totalPods: Number(row.total_pods),
    meshedPods: Number(row.meshed_pods),
    inboundMtlsShare:
      row.inbound_mtls_share === null ? null : Number(row.inbound_mtls_share),
    outboundMtlsShare:
      row.outbound_mtls_share === null ? null : Number(row.outbound_mtls_share),
    inboundRequestsPerSecond: Number(row.inbound_rps),
    outboundRequestsPerSecond: Number(row.outbound_rps),
    complete: Boolean(row.complete),
  };
}

/**
 * The append-only history of posture readings, one table. Rows are inserted
 * and pruned past retention, never updated.
 */
export class ObservationStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<ObservationStore> {
    return new ObservationStore(await migratedClient(options.database));
  }

  constructor(private readonly db: Knex) {}

  /**
   * Records a reading unless the entity already has one younger than
   * `minIntervalMs`, so busy pages do not flood the table. Returns whether a
   * row was written.
   */
  async record(
    observation: PostureObservation,
    minIntervalMs: number,
  ): Promise<boolean> {
    const observedAt = new Date(observation.observedAt);
    return this.db.transaction(async tx => {
      const recent = await tx<ObservationRow>(TABLE)
        .where('entity_ref', observation.entityRef)
        .where(
          'observed_at',
          '>',
          new Date(observedAt.getTime() - minIntervalMs),
        )
        .first('id');
      if (recent) {
        return false;
      }
      await tx(TABLE).insert({
        entity_ref: observation.entityRef,
        observed_at: observedAt,
        verdict: observation.verdict,
        total_pods: observation.totalPods,
        meshed_pods: observation.meshedPods,
        inbound_mtls_share: observation.inboundMtlsShare,
        outbound_mtls_share: observation.outboundMtlsShare,
        inbound_rps: observation.inboundRequestsPerSecond,
        outbound_rps: observation.outboundRequestsPerSecond,
        complete: observation.complete,
      });
      return true;
    });
  }

  /** The newest reading of an entity, optionally only complete ones. */
  async latest(
    entityRef: string,
    options: { completeOnly?: boolean } = {},
  ): Promise<PostureObservation | undefined> {
    let query = this.db<ObservationRow>(TABLE)
      .where('entity_ref', entityRef)
      .orderBy('observed_at', 'desc')
      .orderBy('id', 'desc')
      .first();
    if (options.completeOnly) {
      query = query.where('complete', true);
    }
    const row = await query;
    return row ? fromRow(row) : undefined;
  }

  /** Readings of an entity since a time, oldest first. */
  async list(
    entityRef: string,
    since: Date,
    limit: number,
  ): Promise<PostureObservation[]> {
    const rows = await this.db<ObservationRow>(TABLE)
      .where('entity_ref', entityRef)
      .where('observed_at', '>=', since)
      .orderBy('observed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(fromRow).reverse();
  }

  /** Deletes readings older than the cutoff; returns how many. */
  async prune(before: Date): Promise<number> {
    return this.db(TABLE).where('observed_at', '<', before).delete();
  }
}
