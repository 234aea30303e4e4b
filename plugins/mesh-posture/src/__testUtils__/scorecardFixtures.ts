import {
  compareWorstFirst,
  DEFAULT_SCORECARD_MODEL,
  EntityScorecard,
  rollUpScores,
  ScoreCheck,
  scorecardFacets,
  ScorecardsResponse,
  scoreCheckFromChecklists,
  scoreEntity,
  SCORE_CHECK_IDS,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  partlyFilledThreatModel,
  zeroTrustWithExemption,
} from './checklistFixtures';

const RUN = {
  id: 42,
  startedAt: '2026-11-22T09:00:00.000Z',
  finishedAt: '2026-11-22T09:00:04.000Z',
  entities: 3,
  prometheusQueries: 12,
  kubernetesReads: 19,
  failedSources: [],
};

/** A scorecard scored by the real model from checks that all pass but `overrides`. */
export function scorecard(
  name: string,
  owner: string,
  system: string,
  overrides: Partial<Record<ScoreCheck['id'], Omit<ScoreCheck, 'id'>>> = {},
): EntityScorecard {
  const checks: ScoreCheck[] = SCORE_CHECK_IDS.map(id => ({
    id,
    ...(overrides[id] ?? { status: 'pass', detail: `${id} holds` }),
  }));
  return {
    entityRef: `component:default/${name}`,
    kind: 'Component',
    namespace: 'default',
    name,
    owner,
    system,
    lifecycle: 'production',
    clusters: ['prod-eu-west'],
    meshes: ['linkerd'],
    ...scoreEntity(checks, DEFAULT_SCORECARD_MODEL),
    figures: {
      totalPods: 2,
      meshedPods: 2,
      inboundMtlsShare: 1,
      outboundMtlsShare: 1,
      inboundRequestsPerSecond: 4,
      successRate: 0.999,
      latencyP99Ms: 80,
      certificateDaysLeft: 200,
    },
    missing: [],
    demo: true,
  };
}

export const ledger = scorecard(
  'ledger',
  'group:default/payments-team',
  'system:default/payments',
);
export const accounts = scorecard(
  'accounts-service',
  'group:default/open-banking-team',
  'system:default/open-banking',
  {
    'inbound-mtls': {
      status: 'fail',
      detail: '87% of 4 req/s inbound over mTLS; plaintext from notifications',
    },
    'golden-signals': { status: 'unknown', detail: 'no requests to judge' },
    // Judged by the shared logic the snapshot uses, from real checklists.
    checklists: scoreCheckFromChecklists([
      partlyFilledThreatModel().view(),
      zeroTrustWithExemption().view(),
    ]),
  },
);
export const paymentsApi = scorecard(
  'payments-api',
  'group:default/payments-team',
  'system:default/payments',
  { certificates: { status: 'warn', detail: 'issuer expires in 30 days' } },
);

/** The response for some entities, built by the shared logic as the backend does. */
export function scorecardsResponse(
  entities: EntityScorecard[] = [ledger, accounts, paymentsApi],
  all: EntityScorecard[] = [ledger, accounts, paymentsApi],
): ScorecardsResponse {
  const sorted = [...entities].sort(compareWorstFirst);
  return {
    run: { ...RUN, entities: all.length },
    model: DEFAULT_SCORECARD_MODEL,
    entities: sorted,
    rollups: {
      byOwner: rollUpScores(sorted, e => e.owner),
      bySystem: rollUpScores(sorted, e => e.system),
    },
    facets: scorecardFacets(all),
  };
}
