import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { ResponseError } from '@backstage/errors';
import type {
  FactRetriever,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import {
  EntityScorecard,
  SCORE_CHECK_IDS,
  ScoreCheckId,
  ScorecardsResponse,
  WORKLOAD_ANNOTATIONS,
} from '@mesh-posture/plugin-mesh-posture-common';
import { DateTime } from 'luxon';

/** The id Tech Insights knows the retriever by, and its config key. */
export const MESH_POSTURE_FACT_RETRIEVER_ID = 'meshPostureFactRetriever';

/** `inbound-mtls` → `checkInboundMtls`: fact names are identifiers. */
export function checkFactName(id: ScoreCheckId): string {
  return `check${id
    .split('-')
    .map(part => part.charAt(0).toLocaleUpperCase('en-US') + part.slice(1))
    .join('')}`;
}

const finite = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

const percent = (share: unknown) =>
  finite(share) ? Math.round(share * 100_000) / 1000 : undefined;

/** One entity's facts; figures the snapshot did not have are left out. */
export function factsOf(
  card: EntityScorecard,
  snapshotAt: DateTime,
): TechInsightFact['facts'] {
  const facts: TechInsightFact['facts'] = {
    meshPostureScore: card.score,
    meshPostureLevel: card.level ?? 'none',
    failingChecks: card.checks.filter(c => c.status === 'fail').map(c => c.id),
    unknownChecks: card.checks
      .filter(c => c.status === 'unknown')
      .map(c => c.id),
    snapshotAt,
  };
  const f = card.figures ?? ({} as Partial<EntityScorecard['figures']>);
  const inbound = percent(f.inboundMtlsShare);
  if (inbound !== undefined) facts.inboundMtlsPercent = inbound;
  const outbound = percent(f.outboundMtlsShare);
  if (outbound !== undefined) facts.outboundMtlsPercent = outbound;
  if (finite(f.totalPods) && finite(f.meshedPods) && f.totalPods > 0) {
    facts.allPodsMeshed = f.meshedPods === f.totalPods;
  }
  if (finite(f.certificateDaysLeft)) {
    facts.certificateDaysLeft = Math.floor(f.certificateDaysLeft);
  }
  const success = percent(f.successRate);
  if (success !== undefined) facts.successRatePercent = success;
  if (finite(f.latencyP99Ms)) facts.latencyP99Ms = f.latencyP99Ms;
  for (const check of card.checks) {
    if ((SCORE_CHECK_IDS as readonly string[]).includes(check.id)) {
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
      description: `Mesh Posture check "${id}": pass, warn, fail, unknown (no data) or not-applicable`,
    },
  ]),
);

/**
 * Publishes each entity's zero-trust scorecard from Mesh Posture's latest
 * snapshot: one request to the mesh-posture backend for the whole catalog,
 * not one per entity.
 */
export const meshPostureFactRetriever: FactRetriever = {
  id: MESH_POSTURE_FACT_RETRIEVER_ID,
  version: '0.1.0',
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
    inboundMtlsPercent: {
      type: 'float',
      description: 'Share of inbound requests over mTLS, in percent',
    },
    outboundMtlsPercent: {
      type: 'float',
      description: 'Share of outbound requests over mTLS, in percent',
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
    successRatePercent: {
      type: 'float',
      description: 'Inbound success rate over the last hour, in percent',
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
  async handler({ discovery, auth, logger }) {
    const base = await discovery.getBaseUrl('mesh-posture');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'mesh-posture',
    });
    const response = await fetch(`${base}/v1/scorecards`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const body = (await response.json()) as ScorecardsResponse;
    if (!body?.run || !Array.isArray(body.entities)) {
      logger.info(
        'Mesh Posture has no scorecard snapshot yet; no facts to publish',
      );
      return [];
    }
    const snapshotAt = DateTime.fromISO(body.run.finishedAt);
    return body.entities
      .filter(
        card =>
          typeof card?.kind === 'string' &&
          typeof card?.namespace === 'string' &&
          typeof card?.name === 'string' &&
          finite(card?.score) &&
          Array.isArray(card?.checks),
      )
      .map(card => ({
        entity: {
          kind: card.kind,
          namespace: card.namespace,
          name: card.name,
        },
        facts: factsOf(card, snapshotAt),
      }));
  },
};
