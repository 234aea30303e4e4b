import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { readDurationFromConfig } from '@backstage/config';
import { ForwardedError, ResponseError } from '@backstage/errors';
import type {
  FactRetriever,
  FactRetrieverContext,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import {
  EntityScorecard,
  SCORE_CHECK_IDS,
  ScoreCheckId,
  ScorecardsResponse,
  WORKLOAD_ANNOTATIONS,
  MESH_POSTURE_CHECKS,
} from '@mesh-posture/plugin-mesh-posture-common';
import { DateTime, Duration } from 'luxon';

/**
 * The id Tech Insights knows the retriever by: its facts, its schema, its
 * scheduled task and its entry under `techInsights.factRetrievers`.
 * @public
 */
export const MESH_POSTURE_FACT_RETRIEVER_ID = 'mesh-posture-retriever';

/** Tech Insights' own default for a retriever's run. */
const DEFAULT_TIMEOUT = Duration.fromObject({ minutes: 5 });

const CHECK_STATUSES: readonly string[] = [
  'pass',
  'warn',
  'fail',
  'unknown',
  'not-applicable',
];

/**
 * `inbound-mtls` → `checkInboundMtls`: fact names are identifiers.
 * @public
 */
export function checkFactName(id: ScoreCheckId): string {
  return `check${id
    .split('-')
    .map(part => part.charAt(0).toLocaleUpperCase('en-US') + part.slice(1))
    .join('')}`;
}

const nonEmpty = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0;

/**
 * The request gets the run's own time limit: the one Tech Insights is
 * configured with for this retriever, else Tech Insights' default.
 */
function requestTimeout(config: FactRetrieverContext['config']): Duration {
  const key = `techInsights.factRetrievers.${MESH_POSTURE_FACT_RETRIEVER_ID}.timeout`;
  return config.has(key)
    ? Duration.fromObject(readDurationFromConfig(config.getConfig(key)))
    : DEFAULT_TIMEOUT;
}

const finite = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** A share from 0 to 1; anything else is not a share. */
const share = (value: unknown) =>
  finite(value) && value >= 0 && value <= 1 ? value : undefined;

const checkIds = (card: EntityScorecard, status: string) =>
  card.checks
    .filter(
      c =>
        c?.status === status &&
        (SCORE_CHECK_IDS as readonly string[]).includes(c?.id),
    )
    .map(c => c.id);

/** One entity's facts; figures the snapshot did not have are left out. */
export function factsOf(
  card: EntityScorecard,
  snapshotAt: DateTime,
): TechInsightFact['facts'] {
  const facts: TechInsightFact['facts'] = {
    meshPostureScore: card.score,
    meshPostureLevel:
      typeof card.level === 'string' && card.level ? card.level : 'none',
    failingChecks: checkIds(card, 'fail'),
    unknownChecks: checkIds(card, 'unknown'),
  };
  if (snapshotAt.isValid) facts.snapshotAt = snapshotAt;
  const f = card.figures ?? ({} as Partial<EntityScorecard['figures']>);
  const inbound = share(f.inboundMtlsShare);
  if (inbound !== undefined) facts.inboundMtlsShare = inbound;
  const outbound = share(f.outboundMtlsShare);
  if (outbound !== undefined) facts.outboundMtlsShare = outbound;
  if (
    finite(f.totalPods) &&
    finite(f.meshedPods) &&
    f.totalPods > 0 &&
    f.meshedPods >= 0
  ) {
    facts.allPodsMeshed = f.meshedPods >= f.totalPods;
  }
  if (finite(f.certificateDaysLeft)) {
    facts.certificateDaysLeft = Math.floor(f.certificateDaysLeft);
  }
  const success = share(f.successRate);
  if (success !== undefined) facts.successRate = success;
  if (finite(f.latencyP99Ms) && f.latencyP99Ms >= 0) {
    facts.latencyP99Ms = f.latencyP99Ms;
  }
  for (const check of card.checks) {
    if (
      (SCORE_CHECK_IDS as readonly string[]).includes(check?.id) &&
      CHECK_STATUSES.includes(check?.status)
    ) {
      facts[checkFactName(check.id)] = check.status;
    }
  }
  return facts;
}

const checkFacts = Object.fromEntries(
  SCORE_CHECK_IDS.map(id => [
    checkFactName(id),
    {
      type: 'string' as const,
      description: `Mesh Posture check "${id}" (${MESH_POSTURE_CHECKS[id].title}; passes when ${MESH_POSTURE_CHECKS[id].passes}): pass, warn, fail, unknown (no data) or not-applicable`,
    },
  ]),
);

/**
 * Publishes each entity's zero-trust scorecard from Mesh Posture's latest
 * snapshot: one request to the mesh-posture backend for the whole catalog,
 * not one per entity.
 * @public
 */
export const meshPostureFactRetriever: FactRetriever = {
  id: MESH_POSTURE_FACT_RETRIEVER_ID,
  version: '0.2.0',
  title: 'Mesh Posture',
  description:
    "Zero-trust scorecards from Mesh Posture's snapshots: score, level, mTLS shares, meshed pods, certificates, golden signals and every check",
  entityFilter: WORKLOAD_ANNOTATIONS.map(a => ({
    [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS,
  })),
  schema: {
    meshPostureScore: {
      type: 'float',
      description: 'Zero-trust score, 0 to 100',
    },
    meshPostureLevel: {
      type: 'string',
      description: 'Level reached (e.g. Gold, Silver, Bronze), or none',
    },
    inboundMtlsShare: {
      type: 'float',
      description:
        'Share of inbound requests over mTLS, from 0 to 1 (absent without inbound traffic)',
    },
    outboundMtlsShare: {
      type: 'float',
      description:
        'Share of outbound requests over mTLS, from 0 to 1 (absent without outbound traffic)',
    },
    allPodsMeshed: {
      type: 'boolean',
      description: "Whether every pod runs the mesh's proxy",
    },
    certificateDaysLeft: {
      type: 'integer',
      description:
        'Days until the first mesh certificate (anchor, issuer, root) expires',
    },
    successRate: {
      type: 'float',
      description: 'Inbound success rate over the last hour, from 0 to 1',
    },
    latencyP99Ms: {
      type: 'float',
      description: 'Inbound p99 latency over the last hour, in milliseconds',
    },
    failingChecks: {
      type: 'set',
      description: 'Ids of the checks that fail',
    },
    unknownChecks: {
      type: 'set',
      description: 'Ids of the checks without data',
    },
    snapshotAt: {
      type: 'datetime',
      description: 'When Mesh Posture took the snapshot the facts come from',
    },
    ...checkFacts,
  },
  async handler({ config, discovery, auth, logger }) {
    const url = `${await discovery.getBaseUrl('mesh-posture')}/v1/scorecards`;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'mesh-posture',
    });
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(requestTimeout(config).toMillis()),
      });
    } catch (error) {
      // The cause names the URL and the failure, never the headers.
      throw new ForwardedError(
        `Mesh Posture scorecards could not be fetched from ${url}`,
        error,
      );
    }
    if (!response.ok) {
      const cause = await ResponseError.fromResponse(response);
      throw new ForwardedError(
        `Mesh Posture answered ${response.status} for ${url}: ${cause.body.error.message}`,
        cause,
      );
    }
    let body: ScorecardsResponse;
    try {
      body = await response.json();
    } catch (error) {
      throw new ForwardedError(
        `Mesh Posture answered ${url} with something that is not JSON`,
        error,
      );
    }
    if (body?.run === null) {
      logger.info(
        'Mesh Posture has no scorecard snapshot yet; no facts to publish',
      );
      return [];
    }
    if (!body?.run || !Array.isArray(body.entities)) {
      throw new Error(
        `Mesh Posture answered ${url} without a run and its entities; is it an older version?`,
      );
    }
    const snapshotAt = DateTime.fromISO(String(body.run.finishedAt), {
      setZone: true,
    });
    const cards = body.entities.filter(
      card =>
        nonEmpty(card?.kind) &&
        nonEmpty(card?.namespace) &&
        nonEmpty(card?.name) &&
        finite(card?.score) &&
        Array.isArray(card?.checks),
    );
    if (cards.length < body.entities.length) {
      logger.warn(
        `Left out ${
          body.entities.length - cards.length
        } malformed Mesh Posture scorecards`,
      );
    }
    return cards.map(card => ({
      entity: { kind: card.kind, namespace: card.namespace, name: card.name },
      facts: factsOf(card, snapshotAt),
    }));
  },
};
