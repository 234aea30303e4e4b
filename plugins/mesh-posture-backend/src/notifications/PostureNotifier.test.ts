import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import type { EntityScorecard } from '@mesh-posture/plugin-mesh-posture-common';
import { readMeshPostureConfig } from '../config';
import { NoticeStore } from '../database/NoticeStore';
import { ScorecardStore, StoredCertificate } from '../database/ScorecardStore';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { PostureNotifier } from './PostureNotifier';

const databases = TestDatabases.create({ ids: testDatabaseIds() });
const DAY = 24 * 3600_000;
const ref = 'component:default/accounts-service';

function card(inboundMtls: 'pass' | 'fail' | 'unknown'): EntityScorecard {
  return {
    entityRef: ref,
    title: 'Accounts service',
    kind: 'Component',
    namespace: 'default',
    name: 'accounts-service',
    owner: 'group:default/open-banking-team',
    system: null,
    lifecycle: 'production',
    clusters: ['prod-eu-west'],
    meshes: ['linkerd'],
    score: inboundMtls === 'pass' ? 100 : 60,
    level: null,
    checks: [
      {
        id: 'inbound-mtls',
        status: inboundMtls,
        detail:
          inboundMtls === 'pass'
            ? 'all over mTLS'
            : '83% over mTLS (plaintext from notifications)',
      },
    ],
    figures: {
      totalPods: 2,
      meshedPods: 2,
      inboundMtlsShare: inboundMtls === 'pass' ? 1 : 0.83,
      outboundMtlsShare: null,
      inboundRequestsPerSecond: 6,
      successRate: 1,
      latencyP99Ms: 20,
      certificateDaysLeft: 24,
    },
    missing: [],
    demo: false,
  };
}

function anchor(now: Date, daysLeft = 24): StoredCertificate {
  return {
    certificate: {
      cluster: 'prod-eu-west',
      mesh: 'linkerd',
      role: 'trust-anchor',
      subject: 'root.linkerd.cluster.local',
      location: 'ConfigMap linkerd/linkerd-identity-trust-roots',
      notBefore: new Date(now.getTime() - 340 * DAY).toISOString(),
      notAfter: new Date(now.getTime() + daysLeft * DAY + 60_000).toISOString(),
    },
  };
}

const noFindings = { checklists: [], canaryRollbacks: [] };

describe.each(databases.eachSupportedId())('PostureNotifier on %s', id => {
  async function setup(config: object = {}) {
    const knex = await databases.init(id);
    const database = mockServices.database({ knex });
    const scorecards = await ScorecardStore.create({ database });
    const notices = await NoticeStore.create({ database });
    const sent: NotificationSendOptions[] = [];
    let failNext = false;
    let now = new Date('2026-12-07T12:00:00Z');
    const notifier = new PostureNotifier({
      notifications: {
        async send(options) {
          if (failNext) {
            failNext = false;
            throw new Error('notifications backend unavailable');
          }
          sent.push(options);
        },
      },
      settings: readMeshPostureConfig(
        new ConfigReader({
          meshPosture: { notifications: { enabled: true, ...config } },
        }),
      ).notifications,
      scorecards,
      notices,
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    /** Stores a run as the snapshot would, and lets the notifier see it. */
    const runAt = async (
      at: Date,
      status: 'pass' | 'fail' | 'unknown',
      certificates: StoredCertificate[] = [],
      notify = true,
    ) => {
      now = at;
      const run = await scorecards.recordRun({
        startedAt: new Date(at.getTime() - 5000),
        finishedAt: at,
        prometheusQueries: 1,
        kubernetesReads: 1,
        failedSources: [],
        scorecards: [card(status)],
        flows: [],
        certificates,
      });
      return notify ? notifier.afterRun(run, noFindings) : undefined;
    };
    return {
      sent,
      runAt,
      failOnce: () => {
        failNext = true;
      },
    };
  }

  it('sends a certificate and a regression once, updates on a new condition and tells a recurrence', async () => {
    const { sent, runAt } = await setup();
    const t0 = new Date('2026-12-03T10:00:00Z');
    // Four days ago inbound mTLS passed and nothing was due.
    await runAt(t0, 'pass', [], false);
    const t1 = new Date('2026-12-07T12:00:00Z');
    await expect(runAt(t1, 'fail', [anchor(t1)])).resolves.toMatchObject({
      sent: 2,
    });
    expect(sent.map(s => s.payload.scope).sort()).toEqual([
      'mesh-posture:cluster:prod-eu-west:certificates',
      `mesh-posture:${ref}:regressions`,
    ]);
    const regression = sent.find(
      s => s.payload.topic === 'Zero-trust regressions',
    )!;
    expect(regression).toMatchObject({
      recipients: { type: 'entity', entityRef: [ref] },
      payload: {
        title: 'Accounts service: Inbound mTLS no longer passes',
        severity: 'high',
        link: '/catalog/default/component/accounts-service/zero-trust',
      },
    });
    const certificate = sent.find(
      s => s.payload.topic === 'Mesh certificates',
    )!;
    expect(certificate.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/open-banking-team'],
    });

    // The next hour: the same conditions, nothing sent.
    const t2 = new Date(t1.getTime() + 3600_000);
    await expect(runAt(t2, 'fail', [anchor(t1)])).resolves.toMatchObject({
      sent: 0,
      unchanged: 2,
    });

    // The anchor enters its last week: the certificate notice is updated.
    // The last pass is now older than the week's lookback: the regression
    // is no longer news, and its record goes.
    const t3 = new Date(t1.getTime() + 18 * DAY);
    await expect(runAt(t3, 'fail', [anchor(t1)])).resolves.toMatchObject({
      sent: 1,
      cleared: 1,
    });
    expect(sent).toHaveLength(3);
    expect(sent[2].payload).toMatchObject({
      scope: 'mesh-posture:cluster:prod-eu-west:certificates',
      severity: 'high',
    });

    // Rotated and fixed: the certificate notice clears...
    const t4 = new Date(t3.getTime() + 3600_000);
    await expect(runAt(t4, 'pass', [])).resolves.toMatchObject({
      sent: 0,
      cleared: 1,
    });
    // ...and when it recurs, it is told again.
    const t5 = new Date(t4.getTime() + 3600_000);
    await runAt(t5, 'fail', []);
    expect(sent).toHaveLength(4);
    expect(sent[3].payload.scope).toBe(`mesh-posture:${ref}:regressions`);
  });

  it('sends nothing for a check that never passed in the lookback', async () => {
    const { sent, runAt } = await setup();
    await runAt(new Date('2026-11-20T10:00:00Z'), 'pass', [], false);
    await runAt(new Date('2026-12-03T10:00:00Z'), 'fail', [], false);
    // Passed 17 days ago, failing for the whole week since.
    await runAt(new Date('2026-12-07T12:00:00Z'), 'fail');
    expect(sent).toEqual([]);
  });

  it('tries a failed send again at the next run', async () => {
    const { sent, runAt, failOnce } = await setup();
    const t1 = new Date('2026-12-07T12:00:00Z');
    failOnce();
    await expect(runAt(t1, 'pass', [anchor(t1)])).resolves.toMatchObject({
      sent: 0,
      failed: 1,
    });
    await expect(
      runAt(new Date(t1.getTime() + 3600_000), 'pass', [anchor(t1)]),
    ).resolves.toMatchObject({ sent: 1 });
    expect(sent).toHaveLength(1);
  });

  it('sends a change once when two replicas notify after the same run', async () => {
    const knex = await databases.init(id);
    const database = mockServices.database({ knex });
    const scorecards = await ScorecardStore.create({ database });
    const sent: NotificationSendOptions[] = [];
    const now = new Date('2026-12-07T12:00:00Z');
    const replica = async () =>
      new PostureNotifier({
        notifications: {
          async send(options) {
            sent.push(options);
          },
        },
        settings: readMeshPostureConfig(
          new ConfigReader({
            meshPosture: { notifications: { enabled: true } },
          }),
        ).notifications,
        scorecards,
        notices: await NoticeStore.create({ database }),
        logger: mockServices.logger.mock(),
        now: () => now,
      });
    const [a, b] = [await replica(), await replica()];
    const run = await scorecards.recordRun({
      startedAt: new Date(now.getTime() - 5000),
      finishedAt: now,
      prometheusQueries: 1,
      kubernetesReads: 1,
      failedSources: [],
      scorecards: [card('pass')],
      flows: [],
      certificates: [anchor(now)],
    });
    await Promise.all([
      a.afterRun(run, noFindings),
      b.afterRun(run, noFindings),
    ]);
    expect(sent).toHaveLength(1);
  });

  it('keeps a topic turned off silent', async () => {
    const { sent, runAt } = await setup({
      certificates: { enabled: false },
    });
    const t1 = new Date('2026-12-07T12:00:00Z');
    await runAt(t1, 'pass', [anchor(t1)]);
    expect(sent).toEqual([]);
  });
});
