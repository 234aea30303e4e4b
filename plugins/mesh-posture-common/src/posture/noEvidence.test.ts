import { assessSlo, summarizeTraffic } from '../signals/summarize';
import {
  DEFAULT_SCORECARD_MODEL,
  scoreCheckFromCanaries,
  scoreCheckFromChecklists,
  scoreCheckFromSlo,
  scoreChecksFromPosture,
  scoreEntity,
} from '../scorecards/model';
import { SCORE_CHECK_IDS, ScoreCheck } from '../scorecards/types';
import type {
  PortAuthorization,
  SourceReport,
  WorkloadPosture,
  WorkloadRef,
} from '../types';
import { assessPosture, PostureFacts } from './assessPosture';

/*
 * The rule every check follows, as one table: given no data for it (no
 * facts, failed sources, sources that answered with nothing, proxies that
 * reported nothing, no proxy at all), no posture check and no score check
 * passes. A false pass is the worst defect an evidence product has.
 */

const ledger: WorkloadRef = {
  cluster: 'prod',
  namespace: 'payments',
  kind: 'Deployment',
  name: 'ledger',
};

const POSTURE_CHECK_IDS = [
  'inbound-mtls',
  'outbound-mtls',
  'meshed-pods',
  'default-deny',
  'network-default-deny',
  'egress-declared',
  'no-over-grants',
  'denied-callers',
  'certificates',
];

function source(
  role: SourceReport['role'],
  status: SourceReport['status'],
): SourceReport {
  return { role, cluster: 'prod', status, demo: false, durationMs: 1 };
}

function pods(
  total: number,
  meshed: number,
  telemetryFrom?: string,
): WorkloadPosture {
  return {
    workload: ledger,
    mesh: 'linkerd',
    totalPods: total,
    meshedPods: meshed,
    readyPods: total,
    dataPlane: meshed > 0 ? 'sidecar' : 'none',
    proxyVersions: [],
    ...(telemetryFrom ? { telemetryFrom } : {}),
  };
}

const denyEverywhere: PortAuthorization = {
  workload: ledger,
  port: '*',
  access: 'deny',
  grants: [],
  explanation: 'default policy deny (proxy configuration)',
};

function facts(overrides: Partial<PostureFacts>): PostureFacts {
  return {
    entityRef: 'component:default/ledger',
    window: '5m',
    generatedAt: new Date('2026-12-01T10:00:00Z'),
    workloads: [],
    traffic: [],
    certificates: [],
    authorization: [],
    admittedIdentities: [],
    deniedCallers: [],
    callerWindow: '7d',
    gaps: [],
    sources: [],
    ...overrides,
  };
}

const ok = [source('kubernetes', 'ok'), source('prometheus', 'ok')];

/**
 * Situations without data, and the checks whose evidence they do hold
 * (meshed pods are evidence for the pod check, a read policy for
 * default-deny): every other check must not pass.
 */
const NO_DATA: Array<[string, PostureFacts, string[]]> = [
  ['nothing at all', facts({}), []],
  [
    'every source failed',
    facts({
      sources: [
        source('kubernetes', 'timeout'),
        source('prometheus', 'unavailable'),
      ],
    }),
    [],
  ],
  ['sources answered with nothing', facts({ sources: ok }), []],
  [
    'meshed pods whose proxies reported no series',
    facts({ workloads: [pods(3, 3)], sources: ok }),
    ['meshed-pods'],
  ],
  [
    'meshed pods, Prometheus down',
    facts({
      workloads: [pods(3, 3, '2026-11-20T10:00:00Z')],
      authorization: [denyEverywhere],
      sources: [source('kubernetes', 'ok'), source('prometheus', 'timeout')],
    }),
    ['meshed-pods', 'default-deny'],
  ],
  [
    'meshed pods, Kubernetes objects unreadable',
    facts({
      workloads: [pods(3, 3, '2026-11-20T10:00:00Z')],
      sources: [
        source('kubernetes', 'invalid-response'),
        source('prometheus', 'ok'),
      ],
    }),
    // Proxies reporting all along and no refusal counted is evidence.
    ['meshed-pods', 'denied-callers'],
  ],
  [
    'a workload with no proxy',
    facts({ workloads: [pods(2, 0)], sources: ok }),
    [],
  ],
];

describe('no data is never a pass', () => {
  it.each(NO_DATA)('posture checks: %s', (_, input, evidenced) => {
    const posture = assessPosture(input);
    expect(posture.verdict.checks.map(c => c.id).sort()).toEqual(
      [...POSTURE_CHECK_IDS].sort(),
    );
    for (const check of posture.verdict.checks) {
      if (evidenced.includes(check.id)) continue;
      expect({ id: check.id, status: check.status }).not.toEqual({
        id: check.id,
        status: 'pass',
      });
    }
    expect(posture.verdict.status).not.toBe('pass');
  });

  it.each(NO_DATA.filter(([name]) => name !== 'a workload with no proxy'))(
    'posture checks are unknown or not applicable: %s',
    (_, input, evidenced) => {
      for (const check of assessPosture(input).verdict.checks) {
        if (evidenced.includes(check.id)) continue;
        expect([
          check.id,
          ['unknown', 'not-applicable'].includes(check.status),
        ]).toEqual([check.id, true]);
      }
    },
  );

  it('holds the score checks to the same rule, over every check id', () => {
    const judged: ScoreCheck[] = [];
    for (const [, input, evidenced] of NO_DATA) {
      judged.push(
        ...scoreChecksFromPosture(assessPosture(input).verdict.checks).filter(
          c => !evidenced.includes(c.id),
        ),
      );
    }
    judged.push(
      ...scoreChecksFromPosture(undefined, 'Prometheus on prod: timeout'),
      scoreCheckFromSlo(undefined),
      scoreCheckFromSlo(
        assessSlo(summarizeTraffic([], 3600), {
          successRate: 0.999,
          latencyP99Ms: 500,
          from: { successRate: 'default', latencyP99: 'default' },
        }),
      ),
      scoreCheckFromCanaries(undefined),
      scoreCheckFromChecklists(undefined),
      scoreCheckFromChecklists([]),
    );
    expect([...new Set(judged.map(c => c.id))].sort()).toEqual(
      [...SCORE_CHECK_IDS].sort(),
    );
    for (const check of judged) {
      expect({ id: check.id, status: check.status }).not.toEqual({
        id: check.id,
        status: 'pass',
      });
    }
  });

  it('scores nothing, and reaches no level, on no data', () => {
    const checks = [
      ...scoreChecksFromPosture(undefined, 'no data'),
      scoreCheckFromSlo(undefined),
      scoreCheckFromCanaries(undefined),
      scoreCheckFromChecklists(undefined),
    ];
    expect(scoreEntity(checks, DEFAULT_SCORECARD_MODEL)).toMatchObject({
      score: 0,
      level: null,
    });
  });

  it('gives no certificate points to a workload with no proxy', () => {
    const posture = assessPosture(
      facts({ workloads: [pods(2, 0)], sources: ok }),
    );
    const certificates = scoreChecksFromPosture(posture.verdict.checks).find(
      c => c.id === 'certificates',
    );
    expect(certificates?.status).toBe('not-applicable');
  });
});
