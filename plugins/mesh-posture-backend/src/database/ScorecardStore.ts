import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  CertificateStatus,
  Dataflow,
  DataflowResponse,
  EntityScorecard,
  SnapshotRun,
} from '@mesh-posture/plugin-mesh-posture-common';
import { Knex } from 'knex';
import { compareMtlsShare } from '@mesh-posture/plugin-mesh-posture-common';
import { migratedClient, toDate } from './migrate';
import { evidenceId } from '../evidenceIds';

const RUNS = 'mesh_posture_snapshot_runs';
const SCORES = 'mesh_posture_entity_scores';
const FLOWS = 'mesh_posture_dataflows';
const CERTIFICATES = 'mesh_posture_certificates';

/** Rows per insert statement: well under SQLite's bound-variable limit. */
const INSERT_CHUNK = 50;

type RunRow = {
  id: number | string;
  started_at: Date | string | number;
  finished_at: Date | string | number;
  entities: number;
  prometheus_queries: number;
  kubernetes_reads: number;
  failed_sources: string;
};

type ScoreRow = {
  run_id: number | string;
  taken_at: Date | string | number;
  entity_ref: string;
  owner: string | null;
  system: string | null;
  lifecycle: string | null;
  level: string | null;
  score: number;
  clusters: string;
  meshes: string;
  scorecard: string;
};

/** The columns of a stored score that filters and roll-ups need. */
export interface StoredScore {
  runId: number;
  at: string;
  entityRef: string;
  owner: string | null;
  system: string | null;
  lifecycle: string | null;
  level: string | null;
  score: number;
  clusters: string[];
  meshes: string[];
}

/** What a run found, to be stored in one go. */
export interface SnapshotRecord {
  startedAt: Date;
  finishedAt: Date;
  prometheusQueries: number;
  kubernetesReads: number;
  failedSources: string[];
  scorecards: EntityScorecard[];
  flows: Array<Omit<Dataflow, 'at'>>;
  /** The certificates read, per entity they were read through. */
  certificates?: StoredCertificate[];
}

/**
 * A certificate a run read: a workload's through its entity; a cluster's
 * own (anchor, issuer, root, webhook) once, without one, as every entity
 * on the cluster reads it.
 */
export interface StoredCertificate {
  entityRef?: string;
  certificate: Omit<CertificateStatus, 'daysToExpiry'>;
}

type CertificateRow = {
  entity_ref: string | null;
  cluster: string;
  mesh: string;
  role: string;
  subject: string;
  location: string;
  not_before: Date | string | number;
  not_after: Date | string | number;
  problem: string | null;
};

function runFromRow(row: RunRow): SnapshotRun {
  return {
    id: Number(row.id),
    startedAt: toDate(row.started_at).toISOString(),
    finishedAt: toDate(row.finished_at).toISOString(),
    entities: Number(row.entities),
    prometheusQueries: Number(row.prometheus_queries),
    kubernetesReads: Number(row.kubernetes_reads),
    failedSources: JSON.parse(row.failed_sources),
  };
}

function storedScore(row: Omit<ScoreRow, 'scorecard'>): StoredScore {
  return {
    runId: Number(row.run_id),
    at: toDate(row.taken_at).toISOString(),
    entityRef: row.entity_ref,
    owner: row.owner,
    system: row.system,
    lifecycle: row.lifecycle,
    level: row.level,
    score: Number(row.score),
    clusters: JSON.parse(row.clusters),
    meshes: JSON.parse(row.meshes),
  };
}

const SCORE_COLUMNS = [
  'run_id',
  'taken_at',
  'entity_ref',
  'owner',
  'system',
  'lifecycle',
  'level',
  'score',
  'clusters',
  'meshes',
];

const FLOW_KEY = [
  'entity_ref',
  'direction',
  'workload_namespace',
  'workload_name',
  'cluster',
  'peer_entity_ref',
  'peer_namespace',
  'peer_workload',
  'peer_identity',
  'peer_cluster',
  'protocol',
] as const;

type FlowKeyRow = Record<(typeof FLOW_KEY)[number], string | null>;

const flowKey = (row: FlowKeyRow) => JSON.stringify(FLOW_KEY.map(k => row[k]));

/** Inserts a run with its scores and flows in a transaction; returns the stored run. */
async function insertRun(
  tx: Knex.Transaction,
  record: SnapshotRecord,
): Promise<SnapshotRun> {
  const takenAt = record.finishedAt;
  const [inserted] = await tx(RUNS).insert(
    {
      started_at: record.startedAt,
      finished_at: record.finishedAt,
      entities: record.scorecards.length,
      prometheus_queries: record.prometheusQueries,
      kubernetes_reads: record.kubernetesReads,
      failed_sources: JSON.stringify(record.failedSources),
    },
    ['id'],
  );
  const runId = Number(typeof inserted === 'object' ? inserted.id : inserted);
  const scoreRows = record.scorecards.map(s => ({
    run_id: runId,
    taken_at: takenAt,
    entity_ref: s.entityRef,
    owner: s.owner,
    system: s.system,
    lifecycle: s.lifecycle,
    level: s.level,
    score: s.score,
    clusters: JSON.stringify(s.clusters),
    meshes: JSON.stringify(s.meshes),
    scorecard: JSON.stringify(s),
  }));
  const flowRows = record.flows.map(f => ({
    run_id: runId,
    observed_at: takenAt,
    cluster: f.cluster,
    entity_ref: f.entityRef,
    direction: f.direction,
    workload_namespace: f.workload.namespace,
    workload_name: f.workload.name,
    peer_entity_ref: f.peer.entityRef ?? null,
    peer_namespace: f.peer.namespace ?? null,
    peer_workload: f.peer.workload ?? null,
    peer_identity: f.peer.identity ?? null,
    peer_cluster:
      f.peer.cluster && f.peer.cluster !== f.cluster ? f.peer.cluster : null,
    protocol: f.protocol ?? 'http',
    requests_per_second: f.requestsPerSecond,
    bytes_per_second: f.bytesPerSecond ?? null,
    mtls_share: f.mtlsShare,
    plaintext_reasons: JSON.stringify(f.plaintextReasons),
    unverified_reasons: f.unverifiedReasons?.length
      ? JSON.stringify(f.unverifiedReasons)
      : null,
  }));
  for (let i = 0; i < scoreRows.length; i += INSERT_CHUNK) {
    await tx(SCORES).insert(scoreRows.slice(i, i + INSERT_CHUNK));
  }
  for (let i = 0; i < flowRows.length; i += INSERT_CHUNK) {
    await tx(FLOWS).insert(flowRows.slice(i, i + INSERT_CHUNK));
  }
  const certificateRows = (record.certificates ?? []).map(c => ({
    run_id: runId,
    entity_ref: c.entityRef ?? null,
    cluster: c.certificate.cluster,
    mesh: c.certificate.mesh,
    role: c.certificate.role,
    subject: c.certificate.subject,
    location: c.certificate.location,
    not_before: new Date(c.certificate.notBefore),
    not_after: new Date(c.certificate.notAfter),
    problem: c.certificate.problem ?? null,
  }));
  for (let i = 0; i < certificateRows.length; i += INSERT_CHUNK) {
    await tx(CERTIFICATES).insert(certificateRows.slice(i, i + INSERT_CHUNK));
  }
  const stored = await tx<RunRow>(RUNS).where('id', runId).first();
  return runFromRow(stored!);
}

/**
 * The scorecard snapshots: runs, each entity's score per run, and the flows
 * each run observed. Append-only; a run and everything it found is written
 * in one transaction, and deleted together past retention.
 */
export class ScorecardStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<ScorecardStore> {
    return new ScorecardStore(await migratedClient(options.database));
  }

  constructor(private readonly db: Knex) {}

  /** Stores a run with its scores and flows; returns the stored run. */
  async recordRun(record: SnapshotRecord): Promise<SnapshotRun> {
    return this.db.transaction(tx => insertRun(tx, record));
  }

  /**
   * Stores runs in one transaction, oldest first, only into a store that
   * has none yet: readers see none of them, then all. Returns the stored
   * runs, or none when a run was stored first (by another replica).
   */
  async recordFirstRuns(records: SnapshotRecord[]): Promise<SnapshotRun[]> {
    return this.db.transaction(async tx => {
      if (await tx(RUNS).first('id')) return [];
      const stored: SnapshotRun[] = [];
      for (const record of records) stored.push(await insertRun(tx, record));
      return stored;
    });
  }

  /**
   * A store whose new runs are held back, to be written together by
   * `commit` (see recordFirstRuns); everything else reads this store.
   */
  staged(): StagedScorecardRuns {
    // Defined below, as it extends this class; called only once both are.
    // eslint-disable-next-line @typescript-eslint/no-use-before-define
    return new StagedScorecardRuns(this.db, this);
  }

  /** The newest run, if any. */
  async latestRun(): Promise<SnapshotRun | undefined> {
    const row = await this.db<RunRow>(RUNS)
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .first();
    return row ? runFromRow(row) : undefined;
  }

  /** Every entity's scorecard of a run. */
  async scorecardsOf(runId: number): Promise<EntityScorecard[]> {
    const rows = await this.db<ScoreRow>(SCORES)
      .where('run_id', runId)
      .orderBy('entity_ref')
      .select('scorecard');
    return rows.map(r => JSON.parse(r.scorecard));
  }

  /**
   * The scores of the last run of each UTC day since a time, for trends:
   * the columns only, not the whole scorecards.
   */
  async dailyScores(since: Date): Promise<StoredScore[]> {
    const { ids } = await this.lastRunOfEachDay(since);
    const rows: StoredScore[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = await this.db(SCORES)
        .whereIn('run_id', ids.slice(i, i + 200))
        .select(SCORE_COLUMNS);
      rows.push(...chunk.map(storedScore));
    }
    return rows.sort(
      (a, b) =>
        a.at.localeCompare(b.at) || a.entityRef.localeCompare(b.entityRef),
    );
  }

  /** An entity's newest scorecard and its scores since a time, oldest first. */
  async entityScores(
    entityRef: string,
    since: Date,
  ): Promise<{
    current?: EntityScorecard & { at: string };
    history: StoredScore[];
  }> {
    const latest = await this.db<ScoreRow>(SCORES)
      .where('entity_ref', entityRef)
      .orderBy('taken_at', 'desc')
      .orderBy('run_id', 'desc')
      .first();
    const history = await this.db(SCORES)
      .where('entity_ref', entityRef)
      .where('taken_at', '>=', since)
      .orderBy('taken_at')
      .orderBy('run_id')
      .select(SCORE_COLUMNS);
    return {
      ...(latest
        ? {
            current: {
              ...JSON.parse(latest.scorecard),
              at: toDate(latest.taken_at).toISOString(),
            },
          }
        : {}),
      history: history.map(storedScore),
    };
  }

  /**
   * The flows into and out of some entities observed between two times, one
   * line per pair and direction: first and last seen, how many runs saw it,
   * the most requests per second and the least encrypted share seen.
   */
  async dataflows(
    entityRefs: string[],
    from: Date,
    to: Date,
  ): Promise<Omit<DataflowResponse, 'from' | 'to'>> {
    const inPeriod = (q: Knex.QueryBuilder) =>
      q
        .where('observed_at', '>=', from)
        .where('observed_at', '<=', to)
        .where(inner =>
          inner
            .whereIn('entity_ref', entityRefs)
            .orWhereIn('peer_entity_ref', entityRefs),
        );
    const [{ runs }] = await this.db(RUNS)
      .where('finished_at', '>=', from)
      .where('finished_at', '<=', to)
      .count({ runs: '*' });
    const grouped = await inPeriod(this.db(FLOWS))
      .select([...FLOW_KEY])
      .min({ first_seen: 'observed_at', min_mtls: 'mtls_share' })
      .max({
        last_seen: 'observed_at',
        max_rps: 'requests_per_second',
        max_bytes: 'bytes_per_second',
      })
      .count({ observations: '*' })
      .groupBy([...FLOW_KEY]);
    const reasons = new Map<string, Set<string>>();
    const plaintext = await inPeriod(this.db(FLOWS))
      .where('mtls_share', '<', 1)
      .distinct([...FLOW_KEY, 'plaintext_reasons']);
    for (const row of plaintext) {
      const set = reasons.get(flowKey(row)) ?? new Set<string>();
      for (const r of JSON.parse(row.plaintext_reasons)) set.add(r);
      reasons.set(flowKey(row), set);
    }
    const unverified = new Map<string, Set<string>>();
    const unseen = await inPeriod(this.db(FLOWS))
      .whereNotNull('unverified_reasons')
      .distinct([...FLOW_KEY, 'unverified_reasons']);
    for (const row of unseen) {
      const set = unverified.get(flowKey(row)) ?? new Set<string>();
      for (const r of JSON.parse(row.unverified_reasons)) set.add(r);
      unverified.set(flowKey(row), set);
    }
    const flows = grouped.map((row: any) => ({
      evidenceId: evidenceId(
        'FLOW',
        FLOW_KEY.map(k => row[k] ?? null),
      ),
      entityRef: row.entity_ref,
      direction: row.direction,
      workload: {
        namespace: row.workload_namespace,
        name: row.workload_name,
      },
      peer: {
        ...(row.peer_cluster ? { cluster: row.peer_cluster } : {}),
        ...(row.peer_entity_ref ? { entityRef: row.peer_entity_ref } : {}),
        ...(row.peer_namespace ? { namespace: row.peer_namespace } : {}),
        ...(row.peer_workload ? { workload: row.peer_workload } : {}),
        ...(row.peer_identity ? { identity: row.peer_identity } : {}),
      },
      cluster: row.cluster,
      firstSeen: toDate(row.first_seen).toISOString(),
      lastSeen: toDate(row.last_seen).toISOString(),
      observations: Number(row.observations),
      protocol: row.protocol,
      maxRequestsPerSecond: Number(row.max_rps),
      // MAX skips nulls: set only on TCP flows.
      ...(row.max_bytes !== null && row.max_bytes !== undefined
        ? { maxBytesPerSecond: Number(row.max_bytes) }
        : {}),
      // MIN skips nulls: null only when no run observed the flow's security.
      minMtlsShare: row.min_mtls === null ? null : Number(row.min_mtls),
      plaintextReasons: [...(reasons.get(flowKey(row)) ?? [])].sort(),
      unverifiedReasons: [...(unverified.get(flowKey(row)) ?? [])].sort(),
    }));
    flows.sort(
      (a, b) =>
        compareMtlsShare(a.minMtlsShare, b.minMtlsShare) ||
        a.entityRef.localeCompare(b.entityRef) ||
        a.direction.localeCompare(b.direction) ||
        JSON.stringify(a.peer).localeCompare(JSON.stringify(b.peer)),
    );
    return { runs: Number(runs), flows };
  }

  /**
   * Per entity, the checks that passed in a run since a time, before a
   * run: in the last run of each UTC day and in the run just before, so a
   * week's lookback reads about eight runs, not every hourly one.
   */
  async passedChecks(
    since: Date,
    beforeRunId: number,
  ): Promise<Map<string, Set<string>>> {
    const daily = await this.lastRunOfEachDay(since, beforeRunId);
    const list = [
      ...new Set([...daily.ids, ...(daily.last ? [daily.last] : [])]),
    ];
    const passed = new Map<string, Set<string>>();
    for (let i = 0; i < list.length; i += 50) {
      const rows = await this.db<ScoreRow>(SCORES)
        .whereIn('run_id', list.slice(i, i + 50))
        .select('entity_ref', 'scorecard');
      for (const row of rows) {
        const card: EntityScorecard = JSON.parse(row.scorecard);
        const checks = passed.get(row.entity_ref) ?? new Set<string>();
        for (const c of card.checks) if (c.status === 'pass') checks.add(c.id);
        passed.set(row.entity_ref, checks);
      }
    }
    return passed;
  }

  /**
   * The last run of each UTC day since a time (before a run, if given),
   * oldest first, and the last run of all.
   */
  private async lastRunOfEachDay(
    since: Date,
    beforeRunId?: number,
  ): Promise<{ ids: number[]; last?: number }> {
    let query = this.db<RunRow>(RUNS).where('finished_at', '>=', since);
    if (beforeRunId !== undefined) query = query.where('id', '<', beforeRunId);
    const runs = await query
      .orderBy('finished_at')
      .orderBy('id')
      .select('id', 'finished_at');
    const lastOfDay = new Map<string, number>();
    for (const run of runs) {
      const day = toDate(run.finished_at).toISOString().slice(0, 10);
      lastOfDay.set(day, Number(run.id));
    }
    return {
      ids: [...lastOfDay.values()],
      ...(runs.length > 0 ? { last: Number(runs[runs.length - 1].id) } : {}),
    };
  }

  /** The clusters each entity of a run was read on. */
  async entityClustersOf(runId: number): Promise<Map<string, string[]>> {
    const rows = await this.db<ScoreRow>(SCORES)
      .where('run_id', runId)
      .select('entity_ref', 'clusters');
    return new Map(rows.map(r => [r.entity_ref, JSON.parse(r.clusters)]));
  }

  /** The certificates a run read, per entity, soonest expiry first. */
  async certificatesOf(runId: number): Promise<StoredCertificate[]> {
    const rows = await this.db<CertificateRow>(CERTIFICATES)
      .where('run_id', runId)
      .orderBy([{ column: 'not_after' }, { column: 'id' }]);
    return rows.map(row => ({
      ...(row.entity_ref ? { entityRef: row.entity_ref } : {}),
      certificate: {
        cluster: row.cluster,
        mesh: row.mesh as CertificateStatus['mesh'],
        role: row.role as CertificateStatus['role'],
        subject: row.subject,
        location: row.location,
        notBefore: toDate(row.not_before).toISOString(),
        notAfter: toDate(row.not_after).toISOString(),
        ...(row.problem ? { problem: row.problem } : {}),
      },
    }));
  }

  /** Deletes runs that finished before the cutoff, with what they found. */
  async prune(before: Date): Promise<number> {
    return this.db.transaction<number>(async tx => {
      const old = tx(RUNS).where('finished_at', '<', before).select('id');
      await tx(FLOWS).whereIn('run_id', old).delete();
      await tx(CERTIFICATES).whereIn('run_id', old).delete();
      await tx(SCORES).whereIn('run_id', old).delete();
      return Number(await tx(RUNS).where('finished_at', '<', before).delete());
    });
  }
}

/**
 * Runs held back to be written together: a seeded history and the first
 * snapshot, taken one by one, are stored in one transaction by `commit`.
 * Until then a held-back run's id is its place among them (1, 2, ...).
 */
export class StagedScorecardRuns extends ScorecardStore {
  private readonly held: SnapshotRecord[] = [];

  constructor(db: Knex, private readonly target: ScorecardStore) {
    super(db);
  }

  override async recordRun(record: SnapshotRecord): Promise<SnapshotRun> {
    this.held.push(record);
    return {
      id: this.held.length,
      startedAt: record.startedAt.toISOString(),
      finishedAt: record.finishedAt.toISOString(),
      entities: record.scorecards.length,
      prometheusQueries: record.prometheusQueries,
      kubernetesReads: record.kubernetesReads,
      failedSources: record.failedSources,
    };
  }

  /** Writes the held-back runs (see recordFirstRuns). */
  async commit(): Promise<SnapshotRun[]> {
    return this.target.recordFirstRuns(this.held.splice(0));
  }
}
