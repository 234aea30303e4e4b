import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { CanaryStatus } from '@mesh-posture/plugin-mesh-posture-common';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { CanaryHistoryStore, canaryKey } from './CanaryHistoryStore';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

function status(
  phase: CanaryStatus['phase'],
  at: string,
  overrides: Partial<CanaryStatus> = {},
): CanaryStatus {
  return {
    cluster: 'prod-eu-west',
    namespace: 'payments',
    name: 'fraud-scoring',
    target: { kind: 'Deployment', name: 'fraud-scoring' },
    phase,
    inProgress: phase === 'Progressing',
    analysis: {},
    canaryWeight: phase === 'Progressing' ? 10 : 0,
    failedChecks: 0,
    iterations: 0,
    lastTransitionTime: at,
    revision: 'rev-1',
    metrics: [],
    webhooks: [],
    skipAnalysis: false,
    suspended: false,
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('CanaryHistoryStore on %s', id => {
  async function open(knex?: any) {
    const db = knex ?? (await databases.init(id));
    return {
      knex: db,
      store: await CanaryHistoryStore.create({
        database: mockServices.database({ knex: db }),
      }),
    };
  }
  const key = {
    cluster: 'prod-eu-west',
    namespace: 'payments',
    name: 'fraud-scoring',
  };
  const since = new Date('2026-11-01T00:00:00Z');

  it('records a transition only when the phase or revision changes, across restarts', async () => {
    const { knex, store } = await open();
    const observed = new Date('2026-11-22T10:00:30Z');
    await expect(
      store.record(
        [status('Progressing', '2026-11-22T10:00:00.000Z')],
        observed,
      ),
    ).resolves.toBe(1);
    // Seen again, same phase: nothing new (a weight step is not a transition).
    await expect(
      store.record(
        [
          status('Progressing', '2026-11-22T10:00:00.000Z', {
            canaryWeight: 20,
          }),
        ],
        observed,
      ),
    ).resolves.toBe(0);

    // The backend restarts: a new store on the same database keeps the history.
    const restarted = (await open(knex)).store;
    await expect(
      restarted.record(
        [status('Progressing', '2026-11-22T10:00:00.000Z')],
        new Date('2026-11-22T10:05:00Z'),
      ),
    ).resolves.toBe(0);
    await restarted.record(
      [status('Succeeded', '2026-11-22T10:57:00.000Z')],
      new Date('2026-11-22T10:58:00Z'),
    );
    // A new revision in the same phase as the last row is a transition too.
    await restarted.record(
      [status('Succeeded', '2026-11-22T11:57:00.000Z', { revision: 'rev-2' })],
      new Date('2026-11-22T11:58:00Z'),
    );
    const history = (await restarted.transitions([key], since)).get(
      canaryKey(key),
    )!;
    expect(history.transitions.map(t => [t.phase, t.revision, t.at])).toEqual([
      ['Progressing', 'rev-1', '2026-11-22T10:00:00.000Z'],
      ['Succeeded', 'rev-1', '2026-11-22T10:57:00.000Z'],
      ['Succeeded', 'rev-2', '2026-11-22T11:57:00.000Z'],
    ]);
    expect(history.firstSeen).toBe('2026-11-22T10:00:00.000Z');
  });

  it('stores a transition once when two replicas observe it together', async () => {
    const { knex, store } = await open();
    const other = (await open(knex)).store;
    const seen = status('Failed', '2026-11-22T09:20:00.000Z', {
      name: 'accounts-service',
      namespace: 'open-banking',
      failedChecks: 5,
      message: 'Canary analysis failed, Deployment scaled to zero.',
    });
    const added = await Promise.all([
      store.record([seen], new Date('2026-11-22T09:21:00Z')),
      other.record([seen], new Date('2026-11-22T09:21:01Z')),
    ]);
    expect(added[0] + added[1]).toBe(1);
    const rows = await knex('mesh_posture_canary_transitions').select();
    expect(rows).toHaveLength(1);
    const history = (
      await store.transitions(
        [
          {
            cluster: 'prod-eu-west',
            namespace: 'open-banking',
            name: 'accounts-service',
          },
        ],
        since,
      )
    )
      .values()
      .next().value!;
    expect(history.transitions[0]).toMatchObject({
      phase: 'Failed',
      failedChecks: 5,
      message: 'Canary analysis failed, Deployment scaled to zero.',
    });
  });

  it('imports a history once, and reads back only the asked canaries', async () => {
    const { store } = await open();
    expect(await store.isEmpty()).toBe(true);
    const transitions = [
      {
        ...key,
        phase: 'Progressing' as const,
        revision: 'a',
        canaryWeight: 5,
        failedChecks: 0,
        at: '2026-11-20T10:02:00.000Z',
      },
      {
        ...key,
        phase: 'Succeeded' as const,
        revision: 'a',
        canaryWeight: 0,
        failedChecks: 0,
        at: '2026-11-20T10:57:00.000Z',
      },
      {
        ...key,
        name: 'other',
        phase: 'Failed' as const,
        canaryWeight: 0,
        failedChecks: 2,
        at: '2026-11-20T10:57:00.000Z',
      },
    ];
    await store.importTransitions(transitions);
    await store.importTransitions(transitions);
    expect(await store.isEmpty()).toBe(false);
    const read = await store.transitions([key], since);
    expect(read.get(canaryKey(key))!.transitions).toHaveLength(2);
    expect(
      (await store.transitions([key], new Date('2026-11-21T00:00:00Z'))).get(
        canaryKey(key),
      )!.transitions,
    ).toEqual([]);
  });
});
