import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  compareWorstFirst,
  CertificateInventory,
  DataflowResponse,
  EntityScoreResponse,
  EntityScorecard,
  matchesScorecardFilter,
  meshPostureReadPermission,
  rollUpScores,
  ScorecardFilter,
  ScorecardModel,
  scorecardFacets,
  scorecardsCsv,
  ScorecardsResponse,
  ScoreTrendPoint,
  ScoreTrendResponse,
} from '@mesh-posture/plugin-mesh-posture-common';
import { buildCertificateInventory } from './certificateInventory';
import { entityKey } from '../catalog/entityKey';
import { ScorecardStore, StoredScore } from '../database/ScorecardStore';

const DAY = 24 * 3600_000;

/** The filter columns of a stored score, shaped like a scorecard for the shared matcher. */
function asFilterable(s: StoredScore): EntityScorecard {
  return {
    entityRef: s.entityRef,
    owner: s.owner,
    system: s.system,
    lifecycle: s.lifecycle,
    level: s.level,
    clusters: s.clusters,
    meshes: s.meshes,
  } as EntityScorecard;
}

function trendPoints(scores: StoredScore[]): ScoreTrendPoint[] {
  const byRun = new Map<number, StoredScore[]>();
  for (const s of scores)
    byRun.set(s.runId, [...(byRun.get(s.runId) ?? []), s]);
  return [...byRun.values()]
    .map(run => ({
      at: run[0].at,
      score:
        Math.round(
          (run.reduce((sum, s) => sum + s.score, 0) / run.length) * 10,
        ) / 10,
      entities: run.length,
    }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Reads the scorecard snapshots for people: only the entities the caller
 * may read in the catalog (and whose posture they may read), filtered,
 * worst first, rolled up, as trends, as CSV, and as dataflows over time.
 */
export class ScorecardService {
  constructor(
    private readonly options: {
      store: ScorecardStore;
      catalog: CatalogService;
      permissions: PermissionsService;
      model: ScorecardModel;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Of these entity refs, the ones the caller may see. One catalog query. */
  async visible(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const unique = [...new Set(refs)];
    if (unique.length === 0) return new Set();
    const { items } = await this.options.catalog.getEntitiesByRefs(
      {
        entityRefs: unique,
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    );
    const readable = items.flatMap(e => (e ? [entityKey(e)] : []));
    const decisions = await this.options.permissions.authorize(
      readable.map(resourceRef => ({
        permission: meshPostureReadPermission,
        resourceRef,
      })),
      { credentials },
    );
    return new Set(
      readable.filter((_, i) => decisions[i]?.result === AuthorizeResult.ALLOW),
    );
  }

  async scorecards(
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
  ): Promise<ScorecardsResponse> {
    const { store, model } = this.options;
    const run = await store.latestRun();
    const all = run ? await store.scorecardsOf(run.id) : [];
    const seen = await this.visible(
      all.map(s => s.entityRef),
      credentials,
    );
    const mine = all.filter(s => seen.has(s.entityRef));
    const entities = mine
      .filter(s => matchesScorecardFilter(s, filter))
      .sort(compareWorstFirst);
    return {
      run: run ?? null,
      model,
      entities,
      rollups: {
        byOwner: rollUpScores(entities, e => e.owner),
        bySystem: rollUpScores(entities, e => e.system),
      },
      facets: scorecardFacets(mine),
    };
  }

  async csv(
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
  ): Promise<{ filename: string; body: string }> {
    const { run, entities } = await this.scorecards(filter, credentials);
    const day = (run?.finishedAt ?? this.now().toISOString()).slice(0, 10);
    return {
      filename: `zero-trust-scorecards-${day}.csv`,
      body: scorecardsCsv(entities, run?.finishedAt),
    };
  }

  /**
   * The certificate inventory of the latest run: every certificate read
   * through an entity the caller may read, once, soonest expiry first.
   */
  async certificates(
    credentials: BackstageCredentials,
    generatedBy: string,
  ): Promise<CertificateInventory> {
    const { store } = this.options;
    const run = (await store.latestRun()) ?? null;
    const [stored, clustersOf] = run
      ? await Promise.all([
          store.certificatesOf(run.id),
          store.entityClustersOf(run.id),
        ])
      : [[], new Map<string, string[]>()];
    const seen = await this.visible([...clustersOf.keys()], credentials);
    const now = this.now();
    return {
      run,
      generatedAt: now.toISOString(),
      generatedBy,
      certificates: buildCertificateInventory(stored, seen, now, clustersOf),
    };
  }

  async trend(
    days: number,
    groupBy: 'owner' | 'system',
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
  ): Promise<ScoreTrendResponse> {
    const since = new Date(this.now().getTime() - days * DAY);
    const scores = await this.options.store.dailyScores(since);
    const seen = await this.visible(
      scores.map(s => s.entityRef),
      credentials,
    );
    const mine = scores.filter(
      s =>
        seen.has(s.entityRef) &&
        matchesScorecardFilter(asFilterable(s), filter),
    );
    const groups = new Map<string | null, StoredScore[]>();
    for (const s of mine) {
      const key = s[groupBy];
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    return {
      days,
      catalog: trendPoints(mine),
      groups: [...groups.entries()]
        .map(([key, list]) => ({ key, points: trendPoints(list) }))
        .sort((a, b) => (a.key ?? '~').localeCompare(b.key ?? '~')),
    };
  }

  /** The entity's latest scorecard and its history; the caller may read it. */
  async entityScore(
    entityRef: string,
    days: number,
  ): Promise<EntityScoreResponse> {
    const since = new Date(this.now().getTime() - days * DAY);
    const { current, history } = await this.options.store.entityScores(
      entityRef,
      since,
    );
    return {
      entityRef,
      model: this.options.model,
      current: current ?? null,
      history: history.map(h => ({ at: h.at, score: h.score, level: h.level })),
    };
  }

  /**
   * Flows into and out of entities the caller may read, over a period. Flows
   * observed at entities the caller may not read are left out, and peers
   * they may not read are not linked.
   */
  async dataflow(
    entityRefs: string[],
    from: Date,
    to: Date,
    credentials: BackstageCredentials,
  ): Promise<DataflowResponse> {
    const { runs, flows } = await this.options.store.dataflows(
      entityRefs,
      from,
      to,
    );
    const seen = await this.visible(
      flows.flatMap(f => [
        f.entityRef,
        ...(f.peer.entityRef ? [f.peer.entityRef] : []),
      ]),
      credentials,
    );
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      runs,
      flows: flows
        .filter(f => seen.has(f.entityRef))
        .map(f => {
          if (!f.peer.entityRef || seen.has(f.peer.entityRef)) return f;
          const { entityRef: _hidden, ...peer } = f.peer;
          return { ...f, peer };
        }),
    };
  }
}
