import { TestDatabases } from '@backstage/backend-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import type { PostureObservation } from '@mesh-posture/plugin-mesh-posture-common';
import { ObservationStore } from './ObservationStore';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

function observation(
  entityRef: string,
  observedAt: string,
  overrides: Partial<PostureObservation> = {},
): PostureObservation {
  return {
    entityRef,
    observedAt,
    verdict: 'pass',
    totalPods: 4,
    meshedPods: 4,
    inboundMtlsShare: 1,
    outboundMtlsShare: null,
    inboundRequestsPerSecond: 12.5,
    outboundRequestsPerSecond: 0,
    complete: true,
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('ObservationStore on %s', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await ObservationStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  it('records readings and reads them back exactly', async () => {
    const { store } = await createStore();
    const written = observation(
      'component:default/ledger',
      '2026-11-22T10:00:00.000Z',
      {
        verdict: 'fail',
        inboundMtlsShare: 0.875,
        outboundMtlsShare: null,
      },
    );
    await expect(store.record(written, 600_000)).resolves.toBe(true);
    await expect(store.latest('component:default/ledger')).resolves.toEqual(
      written,
    );
    await expect(store.latest('component:default/other')).resolves.toBe(
      undefined,
    );
  });

  it('keeps at most one reading per entity per interval', async () => {
    const { store, knex } = await createStore();
    const ref = 'component:default/payments-api';
    await store.record(observation(ref, '2026-11-22T10:00:00.000Z'), 600_000);
    await expect(
      store.record(observation(ref, '2026-11-22T10:05:00.000Z'), 600_000),
    ).resolves.toBe(false);
    await expect(
      store.record(
        observation('component:default/ledger', '2026-11-22T10:05:00.000Z'),
        600_000,
      ),
    ).resolves.toBe(true);
    await expect(
      store.record(observation(ref, '2026-11-22T10:10:00.001Z'), 600_000),
    ).resolves.toBe(true);
    const [{ n }] = await knex('mesh_posture_observations')
      .where('entity_ref', ref)
      .count({ n: '*' });
    expect(Number(n)).toBe(2);
  });

  it('finds the last complete reading behind an incomplete one', async () => {
    const { store } = await createStore();
    const ref = 'component:default/accounts-service';
    await store.record(observation(ref, '2026-11-22T09:00:00.000Z'), 0);
    await store.record(
      observation(ref, '2026-11-22T10:00:00.000Z', {
        complete: false,
        verdict: 'unknown',
      }),
      0,
    );
    expect((await store.latest(ref))?.observedAt).toBe(
      '2026-11-22T10:00:00.000Z',
    );
    expect((await store.latest(ref, { completeOnly: true }))?.observedAt).toBe(
      '2026-11-22T09:00:00.000Z',
    );
  });

  it('lists a time range oldest first, bounded, and prunes old rows', async () => {
    const { store } = await createStore();
    const ref = 'component:default/ledger';
    for (let hour = 0; hour < 6; hour++) {
      await store.record(
        observation(ref, `2026-11-22T0${hour}:00:00.000Z`, {
          inboundRequestsPerSecond: hour,
        }),
        0,
      );
    }
    const listed = await store.list(ref, new Date('2026-11-22T02:00:00Z'), 3);
    expect(listed.map(o => o.inboundRequestsPerSecond)).toEqual([3, 4, 5]);
    await expect(store.prune(new Date('2026-11-22T03:00:00Z'))).resolves.toBe(
      3,
    );
    expect(
      (await store.list(ref, new Date(0), 100)).map(o => o.observedAt),
    ).toEqual([
      '2026-11-22T03:00:00.000Z',
      '2026-11-22T04:00:00.000Z',
      '2026-11-22T05:00:00.000Z',
    ]);
  });
});
