import type { ChecklistView } from '../checklists/types';
import type { SloAssessment } from '../signals/types';
import {
  compareWorstFirst,
  DEFAULT_SCORECARD_MODEL,
  matchesScorecardFilter,
  rollUpScores,
  scoreCheckFromCanaries,
  scoreCheckFromChecklists,
  scoreCheckFromSlo,
  scoreChecksFromPosture,
  scorecardFacets,
  scorecardModelFrom,
  scorecardsCsv,
  scoreEntity,
} from './model';
import {
  EntityScorecard,
  SCORE_CHECK_IDS,
  ScoreCheck,
  ScoreCheckId,
  ScoreCheckStatus,
} from './types';

function checks(
  statuses: Partial<Record<ScoreCheckId, ScoreCheckStatus>>,
  rest: ScoreCheckStatus = 'pass',
): ScoreCheck[] {
  return SCORE_CHECK_IDS.map(id => ({
    id,
    status: statuses[id] ?? rest,
    detail: id,
  }));
}

describe('scoreEntity', () => {
  const model = DEFAULT_SCORECARD_MODEL;

  it.each<
    [
      string,
      Partial<Record<ScoreCheckId, ScoreCheckStatus>>,
      ScoreCheckStatus,
      number,
      string | null,
    ]
  >([
    ['everything passes', {}, 'pass', 100, 'Gold'],
    ['everything fails', {}, 'fail', 0, null],
    ['no data anywhere is not a pass', {}, 'unknown', 0, null],
    // 100 - 5 (progressive delivery) = 95, and Gold's required checks pass.
    ['no canary', { 'progressive-delivery': 'fail' }, 'pass', 95, 'Gold'],
    // Outbound plaintext: 85 would be Silver on points; Gold requires outbound mTLS.
    ['a plaintext call out', { 'outbound-mtls': 'fail' }, 'pass', 85, 'Silver'],
    // Gold on points (90) but certificates warn: Gold requires them to pass.
    ['a certificate expiring', { certificates: 'warn' }, 'pass', 95, 'Silver'],
    // 100 - 20 = 80 on points, but Silver requires inbound mTLS.
    ['inbound unknown', { 'inbound-mtls': 'unknown' }, 'pass', 80, 'Bronze'],
    // Checklists not applicable: out of the score, 90 of 90.
    [
      'no checklist applies',
      { checklists: 'not-applicable' },
      'pass',
      100,
      'Gold',
    ],
    // 100 - 10 - 15 - 20 = 55: Bronze.
    [
      'unmeshed but answered',
      {
        'meshed-pods': 'fail',
        'outbound-mtls': 'fail',
        'inbound-mtls': 'fail',
      },
      'pass',
      55,
      'Bronze',
    ],
    // Calls out to anything: 100 - 5, still Gold on points and requirements.
    [
      'egress open to undeclared destinations',
      { 'egress-declared': 'warn' },
      'pass',
      97.5,
      'Gold',
    ],
    // Warnings earn half: 100 - 0.5 * (10 + 5) = 92.5, but certificates must pass for Gold.
    [
      'warnings earn half',
      { certificates: 'warn', 'golden-signals': 'warn' },
      'pass',
      92.5,
      'Silver',
    ],
    // No network default-deny beside the mesh: 100 - 0.5 * 5, still Gold.
    [
      'the network open beneath the mesh',
      { 'network-default-deny': 'warn' },
      'pass',
      97.5,
      'Gold',
    ],
  ])('%s', (_name, statuses, rest, score, level) => {
    const result = scoreEntity(checks(statuses, rest), model);
    expect(result.score).toBe(score);
    expect(result.level).toBe(level);
  });

  it('counts a missing check as unknown, and says so', () => {
    const result = scoreEntity(
      checks({}).filter(c => c.id !== 'inbound-mtls'),
      model,
    );
    expect(result.score).toBe(80);
    expect(result.checks.find(c => c.id === 'inbound-mtls')).toEqual({
      id: 'inbound-mtls',
      status: 'unknown',
      detail: 'not reported',
    });
  });

  it('leaves out checks weighted 0, and requirements on them', () => {
    const custom = scorecardModelFrom({
      weights: { 'progressive-delivery': 0, certificates: 0 },
    });
    const result = scoreEntity(
      checks({ 'progressive-delivery': 'fail', certificates: 'fail' }),
      custom,
    );
    expect(result.score).toBe(100);
    expect(result.level).toBe('Gold');
    expect(result.checks.map(c => c.id)).not.toContain('certificates');
  });

  it('rounds to one decimal', () => {
    const custom = scorecardModelFrom({
      weights: Object.fromEntries(SCORE_CHECK_IDS.map(id => [id, 1])),
    });
    // 9 of 11 equal checks pass: 81.818… → 81.8.
    expect(SCORE_CHECK_IDS).toHaveLength(11);
    expect(
      scoreEntity(
        checks({
          checklists: 'fail',
          'golden-signals': 'fail',
        }),
        custom,
      ).score,
    ).toBe(81.8);
  });
});

describe('scorecardModelFrom', () => {
  it('takes weights, the warning credit and levels over the defaults', () => {
    const model = scorecardModelFrom({
      weights: { 'inbound-mtls': 40 },
      warnCredit: 0,
      levels: [
        { name: 'Bronze', minScore: 40 },
        { name: 'Platinum', minScore: 98, requires: ['default-deny'] },
      ],
    });
    expect(model.weights['inbound-mtls']).toBe(40);
    expect(model.weights['outbound-mtls']).toBe(15);
    expect(model.warnCredit).toBe(0);
    // Highest first.
    expect(model.levels.map(l => l.name)).toEqual(['Platinum', 'Bronze']);
  });

  it.each([
    [
      { weights: { 'dns-sec': 3 } },
      'meshPosture.scorecards.weights.dns-sec is not a check',
    ],
    [
      { weights: { checklists: -1 } },
      'weights.checklists must be a number from 0 to 1000',
    ],
    [{ weights: { checklists: '5' } }, 'weights.checklists must be a number'],
    [
      { weights: Object.fromEntries(SCORE_CHECK_IDS.map(id => [id, 0])) },
      'at least one check',
    ],
    [{ warnCredit: 2 }, 'warnCredit must be a number from 0 to 1'],
    [
      { levels: [{ name: 'Gold', minScore: 120 }] },
      'levels[0].minScore must be a number from 0 to 100',
    ],
    [{ levels: [{ name: '<script>', minScore: 1 }] }, 'levels[0].name must be'],
    [
      {
        levels: [
          { name: 'A', minScore: 1 },
          { name: 'a', minScore: 2 },
        ],
      },
      'levels[1].name "a" is used twice',
    ],
    [{ levels: [{ name: 'none', minScore: 1 }] }, 'reserved'],
    [
      { levels: [{ name: 'A', minScore: 1, requires: ['fast'] }] },
      'levels[0].requires must list checks',
    ],
  ])('refuses %j', (input, message) => {
    expect(() => scorecardModelFrom(input as any)).toThrow(message);
  });
});

describe('checks from the sources', () => {
  it('maps the posture checks, and says why when there is no posture', () => {
    const mapped = scoreChecksFromPosture([
      {
        id: 'inbound-mtls',
        title: '',
        status: 'pass',
        detail: '100% of 3 req/s',
      },
      { id: 'denied-callers', title: '', status: 'fail', detail: 'ignored' },
    ]);
    expect(mapped).toHaveLength(8);
    expect(mapped[0]).toEqual({
      id: 'inbound-mtls',
      status: 'pass',
      detail: '100% of 3 req/s',
    });
    expect(mapped.find(c => c.id === 'certificates')?.status).toBe('unknown');
    expect(
      scoreChecksFromPosture(undefined, 'Prometheus down').every(
        c => c.detail === 'Prometheus down',
      ),
    ).toBe(true);
  });

  it('takes not-applicable from the posture, and never makes an unknown into one', () => {
    const outbound = (status: 'unknown' | 'not-applicable') => ({
      id: 'outbound-mtls',
      title: '',
      status,
      detail: 'no outbound requests in the last 1h',
    });
    expect(scoreChecksFromPosture([outbound('not-applicable')])[1].status).toBe(
      'not-applicable',
    );
    expect(scoreChecksFromPosture([outbound('unknown')])[1].status).toBe(
      'unknown',
    );
  });

  const slo = (successRate: string, latencyP99: string): SloAssessment => ({
    successRateTarget: 0.999,
    latencyP99TargetMs: 300,
    from: { successRate: 'default', latencyP99: 'default' },
    successRate: successRate as any,
    latencyP99: latencyP99 as any,
    errorBudgetRemaining: 0.5,
  });

  it.each([
    ['met', 'met', 'pass'],
    ['met', 'at-risk', 'warn'],
    ['at-risk', 'met', 'warn'],
    ['breached', 'met', 'fail'],
    ['met', 'breached', 'fail'],
    ['no-traffic', 'no-traffic', 'unknown'],
    // Enough requests for a success rate, too few for p99: judged on the rate.
    ['met', 'unknown', 'pass'],
    ['breached', 'unknown', 'fail'],
    // A source did not answer: nothing is judged.
    ['unknown', 'unknown', 'unknown'],
  ])('golden signals with success %s and p99 %s: %s', (s, l, status) => {
    expect(scoreCheckFromSlo(slo(s, l)).status).toBe(status);
  });

  it('golden signals without data are unknown', () => {
    expect(scoreCheckFromSlo(undefined, 'Prometheus on prod: timeout')).toEqual(
      {
        id: 'golden-signals',
        status: 'unknown',
        detail: 'Prometheus on prod: timeout',
      },
    );
  });

  it('progressive delivery passes with a canary', () => {
    expect(scoreCheckFromCanaries(['payments/fraud-scoring']).status).toBe(
      'pass',
    );
    expect(scoreCheckFromCanaries([]).status).toBe('fail');
    expect(scoreCheckFromCanaries(undefined).status).toBe('unknown');
  });

  const TITLES: Record<string, string> = {
    a: 'Threat model',
    b: 'PCI DSS v4.0',
  };
  const view = (
    id: string,
    state?: 'current' | 'expiring' | 'stale',
  ): ChecklistView =>
    ({
      template: { id, title: TITLES[id] },
      ...(state ? { attestation: { state } } : {}),
    } as unknown as ChecklistView);

  it.each<[string, ChecklistView[] | undefined, ScoreCheckStatus, string]>([
    [
      'all current',
      [view('a', 'current'), view('b', 'current')],
      'pass',
      '2 checklists attested and current',
    ],
    [
      'one expiring',
      [view('a', 'current'), view('b', 'expiring')],
      'warn',
      'expiring: PCI DSS v4.0',
    ],
    [
      'one stale',
      [view('a', 'stale'), view('b', 'expiring')],
      'fail',
      'stale: Threat model; expiring: PCI DSS v4.0',
    ],
    [
      'one never attested',
      [view('a'), view('b', 'current')],
      'fail',
      'never attested: Threat model',
    ],
    ['none applies', [], 'not-applicable', 'no checklist applies'],
    ['unreadable', undefined, 'unknown', 'checklists could not be read'],
  ])('checklists %s', (_name, views, status, detail) => {
    expect(scoreCheckFromChecklists(views)).toEqual({
      id: 'checklists',
      status,
      detail,
    });
  });
});

function levelOf(score: number): string | null {
  if (score >= 90) return 'Gold';
  return score >= 50 ? 'Bronze' : null;
}

function scorecard(
  ref: string,
  score: number,
  extra: Partial<EntityScorecard> = {},
): EntityScorecard {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return {
    entityRef: ref,
    kind,
    namespace,
    name,
    owner: 'group:default/payments-team',
    system: 'system:default/payments',
    lifecycle: 'production',
    clusters: ['prod-eu-west'],
    meshes: ['linkerd'],
    score,
    level: levelOf(score),
    checks: checks({}, score >= 50 ? 'pass' : 'fail'),
    figures: {
      totalPods: 2,
      meshedPods: 2,
      inboundMtlsShare: 1,
      outboundMtlsShare: 1,
      inboundRequestsPerSecond: 3,
      successRate: 0.999,
      latencyP99Ms: 40,
      certificateDaysLeft: 120,
    },
    missing: [],
    demo: false,
    ...extra,
  };
}

describe('filters, roll-ups and order', () => {
  const all = [
    scorecard('component:default/payments-api', 95),
    scorecard('component:default/ledger', 60, { system: null }),
    scorecard('component:default/card-issuing', 30, {
      owner: 'group:default/cards-team',
      clusters: ['pci-eu-central'],
      meshes: ['istio'],
    }),
  ];

  it('filters by any of the values given, and by level "none"', () => {
    const names = (f: object) =>
      all.filter(e => matchesScorecardFilter(e, f)).map(e => e.name);
    expect(names({})).toEqual(['payments-api', 'ledger', 'card-issuing']);
    expect(names({ owner: ['group:default/cards-team'] })).toEqual([
      'card-issuing',
    ]);
    expect(names({ mesh: ['linkerd'], level: ['Bronze', 'none'] })).toEqual([
      'ledger',
    ]);
    expect(names({ level: ['none'] })).toEqual(['card-issuing']);
    expect(names({ system: ['system:default/payments'] })).toEqual([
      'payments-api',
      'card-issuing',
    ]);
  });

  it('offers every value seen as a facet', () => {
    expect(scorecardFacets(all)).toEqual({
      owner: ['group:default/cards-team', 'group:default/payments-team'],
      system: ['system:default/payments'],
      lifecycle: ['production'],
      cluster: ['pci-eu-central', 'prod-eu-west'],
      mesh: ['istio', 'linkerd'],
      level: ['Bronze', 'Gold', 'none'],
    });
  });

  it('rolls up by owner, worst group first, with levels and failing checks', () => {
    const rollups = rollUpScores(all, e => e.owner);
    expect(rollups.map(r => [r.key, r.entities, r.score])).toEqual([
      ['group:default/cards-team', 1, 30],
      ['group:default/payments-team', 2, 77.5],
    ]);
    expect(rollups[0].levels).toEqual({ none: 1 });
    expect(rollups[0].failing['inbound-mtls']).toBe(1);
    expect(rollups[1].levels).toEqual({ Gold: 1, Bronze: 1 });
    expect(rollUpScores(all, e => e.system).map(r => r.key)).toEqual([
      null,
      'system:default/payments',
    ]);
  });

  it('orders worst first', () => {
    expect([...all].sort(compareWorstFirst).map(e => e.name)).toEqual([
      'card-issuing',
      'ledger',
      'payments-api',
    ]);
  });
});

describe('scorecardsCsv', () => {
  it('writes one row per entity and one column per check', () => {
    const csv = scorecardsCsv(
      [scorecard('component:default/payments-api', 95)],
      '2026-11-22T10:00:00.000Z',
    );
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      `entity,title,owner,system,lifecycle,clusters,meshes,score,level,${SCORE_CHECK_IDS.join(
        ',',
      )},failing_details,snapshot_at`,
    );
    expect(lines[1]).toBe(
      'component:default/payments-api,payments-api,group:default/payments-team,system:default/payments,production,prod-eu-west,linkerd,95.0,Gold,pass,pass,pass,pass,pass,pass,pass,pass,pass,pass,pass,,2026-11-22T10:00:00.000Z',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });

  it("fills the title with the entity's title where it has one", () => {
    const csv = scorecardsCsv([
      scorecard('component:default/payments-api', 95, {
        title: 'Payments API',
      }),
    ]);
    expect(csv.split('\r\n')[1]).toMatch(
      /^component:default\/payments-api,Payments API,/,
    );
  });

  it('quotes commas and quotes, and defuses formulas', () => {
    const csv = scorecardsCsv([
      scorecard('component:default/x', 10, {
        title: '=HYPERLINK("http://evil","a, b")',
      }),
    ]);
    expect(csv.split('\r\n')[1]).toContain(
      `"'=HYPERLINK(""http://evil"",""a, b"")"`,
    );
    expect(csv).toContain(
      'inbound-mtls: inbound-mtls | outbound-mtls: outbound-mtls',
    );
  });

  it.each([
    [' =1+1', `' =1+1`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `"'\r=1+1"`],
    ['  \n+cmd', `"'  \n+cmd"`],
    [' -2+3', `' -2+3`],
    [' @SUM(A1)', `' @SUM(A1)`],
    ['\uFF1D1+1', `'\uFF1D1+1`],
    ['\tplain', `'\tplain`],
  ])('defuses %j, a formula after leading whitespace', (title, cell) => {
    const csv = scorecardsCsv([
      scorecard('component:default/x', 10, { title }),
    ]);
    expect(csv.split('\r\n').slice(1).join('\r\n')).toContain(
      `component:default/x,${cell},`,
    );
  });

  it('leaves text that is not a formula as it is', () => {
    const csv = scorecardsCsv([
      scorecard('component:default/x', 10, { title: 'a = b' }),
    ]);
    expect(csv.split('\r\n')[1]).toContain('component:default/x,a = b,');
  });
});
