import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type {
  Dataflow,
  EntityScorecard,
} from '@mesh-posture/plugin-mesh-posture-common';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { ScorecardStore, SnapshotRecord } from './ScorecardStore';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

function scorecard(
  name: string,
  score: number,
  overrides: Partial<EntityScorecard> = {},
): EntityScorecard {
  return {
    entityRef: `component:default/${name}`,
    kind: 'Component',
    namespace: 'default',
    name,
    owner: 'group:default/payments-team',
    system: 'system:default/payments',
    lifecycle: 'production',
    clusters: ['prod-eu-west'],
    meshes: ['linkerd'],
    score,
    level: score >= 90 ? 'Gold' : null,
    checks: [{ id: 'inbound-mtls', status: 'pass', detail: '100% over mTLS' }],
    figures: {
      totalPods: 2,
      meshedPods: 2,
      inboundMtlsShare: 1,
      outboundMtlsShare: null,
      inboundRequestsPerSecond: 3.5,
      successRate: 0.999,
      latencyP99Ms: 120,
      certificateDaysLeft: 200,
    },
    missing: [],
    demo: false,
    ...overrides,
  };
}

function flow(
  entity: string,
  peer: string | undefined,
  mtlsShare: number | null,
  overrides: Partial<Omit<Dataflow, 'at'>> = {},
): Omit<Dataflow, 'at'> {
  return {
    cluster: 'prod-eu-west',
    entityRef: `component:default/${entity}`,
    direction: 'inbound',
    workload: { namespace: 'payments', name: entity },
    peer: {
      namespace: 'web',
      workload: peer ?? 'unknown-caller',
      ...(peer ? { entityRef: `component:default/${peer}` } : {}),
    },
    requestsPerSecond: 2,
    mtlsShare,
    plaintextReasons:
      mtlsShare !== null && mtlsShare < 1 ? ['no_tls_from_remote'] : [],
    ...overrides,
  };
}

function run(
  at: string,
  scorecards: EntityScorecard[],
  flows: Array<Omit<Dataflow, 'at'>> = [],
): SnapshotRecord {
  const finishedAt = new Date(at);
  return {
    startedAt: new Date(finishedAt.getTime() - 4000),
    finishedAt,
    prometheusQueries: 12,
    kubernetesReads: 9,
    failedSources: [],
    scorecards,
    flows,
  };
}

describe.each(databases.eachSupportedId())('ScorecardStore on %s', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await ScorecardStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  it('stores a run with its scorecards and reads them back exactly', async () => {
    const { store } = await createStore();
    await expect(store.latestRun()).resolves.toBeUndefined();
    const cards = [scorecard('ledger', 95.5), scorecard('payments-api', 40)];
    const stored = await store.recordRun({
      ...run('2026-11-20T10:00:00.000Z', cards),
      failedSources: ['prometheus@prod-us-east: timeout'],
    });
    expect(stored).toEqual({
      id: expect.any(Number),
      startedAt: '2026-11-20T09:59:56.000Z',
      finishedAt: '2026-11-20T10:00:00.000Z',
      entities: 2,
      prometheusQueries: 12,
      kubernetesReads: 9,
      failedSources: ['prometheus@prod-us-east: timeout'],
    });
    await expect(store.latestRun()).resolves.toEqual(stored);
    await expect(store.scorecardsOf(stored.id)).resolves.toEqual(cards);
  });

  it('holds staged runs back until they are stored together, only into an empty store', async () => {
    const { store } = await createStore();
    const staged = store.staged();
    const days = ['2026-11-19', '2026-11-20', '2026-11-21'].map(d =>
      run(`${d}T12:00:00.000Z`, [scorecard('ledger', 50)]),
    );
    const held = [];
    for (const day of days) held.push(await staged.recordRun(day));
    expect(held.map(r => [r.id, r.finishedAt])).toEqual([
      [1, '2026-11-19T12:00:00.000Z'],
      [2, '2026-11-20T12:00:00.000Z'],
      [3, '2026-11-21T12:00:00.000Z'],
    ]);
    // Nothing is visible while they are held back.
    await expect(store.latestRun()).resolves.toBeUndefined();
    await expect(staged.latestRun()).resolves.toBeUndefined();

    const stored = await staged.commit();
    expect(stored.map(r => r.finishedAt)).toEqual(held.map(r => r.finishedAt));
    await expect(store.latestRun()).resolves.toEqual(stored[2]);
    const { history } = await store.entityScores(
      'component:default/ledger',
      new Date('2026-11-01T00:00:00Z'),
    );
    expect(history).toHaveLength(3);

    // Into a store that has runs, a staged history writes nothing.
    const late = store.staged();
    await late.recordRun(run('2026-11-18T12:00:00.000Z', []));
    await expect(late.commit()).resolves.toEqual([]);
    await expect(store.latestRun()).resolves.toEqual(stored[2]);
  });

  it('gives the last run of each day for trends, and an entity its history', async () => {
    const { store } = await createStore();
    await store.recordRun(
      run('2026-11-20T08:00:00.000Z', [scorecard('ledger', 10)]),
    );
    await store.recordRun(
      run('2026-11-20T20:00:00.000Z', [scorecard('ledger', 20)]),
    );
    await store.recordRun(
      run('2026-11-21T09:00:00.000Z', [
        scorecard('ledger', 30),
        scorecard('payments-api', 70, { owner: null, clusters: ['a', 'b'] }),
      ]),
    );
    const daily = await store.dailyScores(new Date('2026-11-01T00:00:00Z'));
    expect(
      daily.map(d => [d.at, d.entityRef, d.score, d.owner, d.clusters]),
    ).toEqual([
      [
        '2026-11-20T20:00:00.000Z',
        'component:default/ledger',
        20,
        'group:default/payments-team',
        ['prod-eu-west'],
      ],
      [
        '2026-11-21T09:00:00.000Z',
        'component:default/ledger',
        30,
        'group:default/payments-team',
        ['prod-eu-west'],
      ],
      [
        '2026-11-21T09:00:00.000Z',
        'component:default/payments-api',
        70,
        null,
        ['a', 'b'],
      ],
    ]);
    expect(
      await store.dailyScores(new Date('2026-11-21T00:00:00Z')),
    ).toHaveLength(2);

    const ledger = await store.entityScores(
      'component:default/ledger',
      new Date('2026-11-20T12:00:00Z'),
    );
    expect(ledger.current).toEqual({
      ...scorecard('ledger', 30),
      at: '2026-11-21T09:00:00.000Z',
    });
    expect(ledger.history.map(h => h.score)).toEqual([20, 30]);
    await expect(
      store.entityScores('component:default/nobody', new Date(0)),
    ).resolves.toEqual({ history: [] });
  });

  it('answers as-of dataflow questions over a period', async () => {
    const { store } = await createStore();
    // Day 1: web-frontend calls ledger over mTLS, an unknown caller in plaintext.
    await store.recordRun(
      run(
        '2026-11-01T10:00:00.000Z',
        [scorecard('ledger', 50)],
        [flow('ledger', 'web-frontend', 1), flow('ledger', undefined, 0)],
      ),
    );
    // Day 2: web-frontend partly plaintext; ledger calls out to the database.
    await store.recordRun(
      run(
        '2026-11-02T10:00:00.000Z',
        [scorecard('ledger', 50)],
        [
          flow('ledger', 'web-frontend', 0.75, { requestsPerSecond: 8 }),
          flow('ledger', 'postgres', 1, { direction: 'outbound' }),
        ],
      ),
    );
    // Day 3: seen from the caller's side only.
    await store.recordRun(
      run(
        '2026-11-03T10:00:00.000Z',
        [scorecard('web-frontend', 80)],
        [
          flow('web-frontend', 'ledger', 1, {
            direction: 'outbound',
            workload: { namespace: 'web', name: 'web-frontend' },
            peer: {
              namespace: 'payments',
              workload: 'ledger',
              entityRef: 'component:default/ledger',
            },
          }),
        ],
      ),
    );

    const day1 = await store.dataflows(
      ['component:default/ledger'],
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-11-01T23:59:59Z'),
    );
    expect(day1.runs).toBe(1);
    expect(day1.flows).toEqual([
      expect.objectContaining({
        peer: { namespace: 'web', workload: 'unknown-caller' },
        minMtlsShare: 0,
        plaintextReasons: ['no_tls_from_remote'],
        observations: 1,
      }),
      expect.objectContaining({
        peer: {
          namespace: 'web',
          workload: 'web-frontend',
          entityRef: 'component:default/web-frontend',
        },
        minMtlsShare: 1,
        plaintextReasons: [],
      }),
    ]);

    const allDays = await store.dataflows(
      ['component:default/ledger'],
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-11-30T00:00:00Z'),
    );
    expect(allDays.runs).toBe(3);
    const fromWeb = allDays.flows.find(
      f =>
        f.entityRef === 'component:default/ledger' &&
        f.peer.workload === 'web-frontend',
    );
    expect(fromWeb).toEqual({
      evidenceId: expect.stringMatching(/^FLOW-[0-9A-F]{16}$/),
      entityRef: 'component:default/ledger',
      direction: 'inbound',
      workload: { namespace: 'payments', name: 'ledger' },
      peer: {
        namespace: 'web',
        workload: 'web-frontend',
        entityRef: 'component:default/web-frontend',
      },
      cluster: 'prod-eu-west',
      firstSeen: '2026-11-01T10:00:00.000Z',
      lastSeen: '2026-11-02T10:00:00.000Z',
      observations: 2,
      protocol: 'http',
      maxRequestsPerSecond: 8,
      minMtlsShare: 0.75,
      plaintextReasons: ['no_tls_from_remote'],
      unverifiedReasons: [],
    });
    // Flows seen at the peer name the asked entity as their peer.
    expect(
      allDays.flows.filter(
        f => f.entityRef === 'component:default/web-frontend',
      ),
    ).toEqual([
      expect.objectContaining({
        direction: 'outbound',
        lastSeen: '2026-11-03T10:00:00.000Z',
      }),
    ]);
    expect(allDays.flows).toHaveLength(4);

    const before = await store.dataflows(
      ['component:default/ledger'],
      new Date('2026-10-01T00:00:00Z'),
      new Date('2026-10-31T00:00:00Z'),
    );
    expect(before).toEqual({ runs: 0, flows: [] });
  });

  it('keeps TCP flows, in bytes, and peers on other clusters, as flows of their own', async () => {
    const { store } = await createStore();
    const flows = (bytes: number) => [
      flow('ledger', 'payments-api', 1),
      flow('ledger', 'statements', 0, {
        protocol: 'tcp',
        requestsPerSecond: 0,
        bytesPerSecond: bytes,
      }),
      flow('ledger', 'payments-api', 1, {
        peer: {
          cluster: 'prod-eu-north',
          namespace: 'web',
          workload: 'payments-api',
          entityRef: 'component:default/payments-api',
        },
      }),
    ];
    await store.recordRun(
      run('2026-11-01T10:00:00.000Z', [scorecard('ledger', 50)], flows(9000)),
    );
    await store.recordRun(
      run('2026-11-02T10:00:00.000Z', [scorecard('ledger', 50)], flows(12000)),
    );
    const { flows: read } = await store.dataflows(
      ['component:default/ledger'],
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-11-30T00:00:00Z'),
    );
    expect(
      read.map(f => ({
        peer: f.peer.workload,
        cluster: f.peer.cluster,
        protocol: f.protocol,
        bytes: f.maxBytesPerSecond,
        observations: f.observations,
      })),
    ).toEqual([
      {
        peer: 'statements',
        cluster: undefined,
        protocol: 'tcp',
        bytes: 12000,
        observations: 2,
      },
      {
        peer: 'payments-api',
        cluster: 'prod-eu-north',
        protocol: 'http',
        bytes: undefined,
        observations: 2,
      },
      {
        peer: 'payments-api',
        cluster: undefined,
        protocol: 'http',
        bytes: undefined,
        observations: 2,
      },
    ]);
  });

  it('keeps flows whose security no proxy observed apart from plaintext', async () => {
    const { store } = await createStore();
    const unseen = (at: string, share: number | null) =>
      run(
        at,
        [scorecard('ledger', 50)],
        [
          flow('ledger', 'card-vault', share, {
            direction: 'outbound',
            ...(share === null
              ? {
                  unverifiedReasons: [
                    'not observed at the destination: it runs in cluster pci',
                  ],
                }
              : {}),
          }),
        ],
      );
    await store.recordRun(unseen('2026-11-01T10:00:00.000Z', null));
    const day1 = await store.dataflows(
      ['component:default/ledger'],
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-11-01T23:59:59Z'),
    );
    expect(day1.flows).toEqual([
      expect.objectContaining({
        minMtlsShare: null,
        plaintextReasons: [],
        unverifiedReasons: [
          'not observed at the destination: it runs in cluster pci',
        ],
      }),
    ]);
    // A later run that did observe it gives the share; the reasons stay.
    await store.recordRun(unseen('2026-11-02T10:00:00.000Z', 1));
    const both = await store.dataflows(
      ['component:default/ledger'],
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-11-02T23:59:59Z'),
    );
    expect(both.flows).toEqual([
      expect.objectContaining({ minMtlsShare: 1, observations: 2 }),
    ]);
  });

  it("keeps each run's certificates, per entity, soonest expiry first", async () => {
    const { store } = await createStore();
    const anchor = {
      cluster: 'prod-eu-west',
      mesh: 'linkerd' as const,
      role: 'trust-anchor' as const,
      subject: 'root.linkerd.cluster.local',
      location: 'ConfigMap linkerd/linkerd-identity-trust-roots',
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
    };
    const workload = {
      ...anchor,
      role: 'workload' as const,
      subject: 'payments/ledger',
      location: 'linkerd telemetry',
      notBefore: '2026-11-19T10:00:00.000Z',
      notAfter: '2026-11-21T10:00:00.000Z',
      problem: 'not signed by the trust anchor',
    };
    const stored = await store.recordRun({
      ...run('2026-11-20T10:00:00.000Z', [scorecard('ledger', 95)]),
      certificates: [
        // A cluster's own, stored once without an entity.
        { certificate: anchor },
        { entityRef: 'component:default/ledger', certificate: workload },
      ],
    });
    await expect(store.certificatesOf(stored.id)).resolves.toEqual([
      { entityRef: 'component:default/ledger', certificate: workload },
      { certificate: anchor },
    ]);
    await expect(store.entityClustersOf(stored.id)).resolves.toEqual(
      new Map([['component:default/ledger', ['prod-eu-west']]]),
    );
    const later = await store.recordRun(
      run('2026-11-21T10:00:00.000Z', [scorecard('ledger', 95)]),
    );
    await expect(store.certificatesOf(later.id)).resolves.toEqual([]);
  });

  it('prunes old runs together with their scores and flows', async () => {
    const { store, knex } = await createStore();
    await store.recordRun({
      ...run(
        '2026-10-01T10:00:00.000Z',
        [scorecard('ledger', 10)],
        [flow('ledger', 'web-frontend', 1)],
      ),
      certificates: [
        {
          entityRef: 'component:default/ledger',
          certificate: {
            cluster: 'prod-eu-west',
            mesh: 'linkerd',
            role: 'issuer',
            subject: 'identity.linkerd.cluster.local',
            location: 'Secret linkerd/linkerd-identity-issuer',
            notBefore: '2026-01-01T00:00:00.000Z',
            notAfter: '2027-01-01T00:00:00.000Z',
          },
        },
      ],
    });
    const kept = await store.recordRun(
      run(
        '2026-11-21T10:00:00.000Z',
        [scorecard('ledger', 20)],
        [flow('ledger', 'web-frontend', 1)],
      ),
    );
    await expect(store.prune(new Date('2026-11-01T00:00:00Z'))).resolves.toBe(
      1,
    );
    const count = async (table: string) =>
      Number((await knex(table).count({ n: '*' }))[0].n);
    expect(await count('mesh_posture_snapshot_runs')).toBe(1);
    expect(await count('mesh_posture_entity_scores')).toBe(1);
    expect(await count('mesh_posture_dataflows')).toBe(1);
    expect(await count('mesh_posture_certificates')).toBe(0);
    await expect(store.latestRun()).resolves.toEqual(kept);
  });
});
