import { testAssembler } from '../__testUtils__/testAssembler';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_SCORECARD_MODEL } from '@mesh-posture/plugin-mesh-posture-common';
import { PeerEntities } from '../catalog/PeerEntities';
import { ScorecardStore } from '../database/ScorecardStore';
import { DemoMesh } from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import { backfillScorecards } from './history';
import { ScorecardSnapshot } from './ScorecardSnapshot';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const ledger: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'card-issuing',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'card-issuing' },
  },
  spec: { type: 'service', owner: 'cards-team', lifecycle: 'production' },
};

describe('backfillScorecards', () => {
  it('takes one real snapshot a day, at each day as the demo was, once', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await ScorecardStore.create({
      database: mockServices.database({ knex }),
    });
    const logger = mockServices.logger.mock();
    const catalog = catalogServiceMock({ entities: [ledger] });
    const snapshotAt = (at: Date) =>
      new ScorecardSnapshot({
        catalog,
        auth: mockServices.auth(),
        ...(() => {
          const { assembler, caller } = testAssembler(
            [new DemoMesh({ now: () => at })],
            { minimumCallerHistoryMs: 3600_000, logger, now: () => at },
          );
          return { assembler, caller };
        })(),
        peers: new PeerEntities({ catalog, logger }),
        store,
        model: DEFAULT_SCORECARD_MODEL,
        sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
        logger,
        now: () => at,
      });
    const now = () => new Date('2026-11-22T08:30:00Z');

    await expect(
      backfillScorecards({ store, days: 3, snapshotAt, now }),
    ).resolves.toBe(3);
    const days = await store.dailyScores(new Date('2026-11-01T00:00:00Z'));
    expect(days.map(d => d.at)).toEqual([
      '2026-11-19T12:00:00.000Z',
      '2026-11-20T12:00:00.000Z',
      '2026-11-21T12:00:00.000Z',
    ]);
    const latest = await store.scorecardsOf((await store.latestRun())!.id);
    expect(latest).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/card-issuing',
        demo: true,
        clusters: ['pci-eu-central'],
      }),
    ]);
    // Each day saw the demo as it was then: the PCI CA's days left change.
    const figures = await Promise.all(
      [1, 2, 3].map(async id => (await store.scorecardsOf(id))[0].figures),
    );
    expect(new Set(figures.map(f => f.certificateDaysLeft)).size).toBe(3);

    await expect(
      backfillScorecards({ store, days: 3, snapshotAt, now }),
    ).resolves.toBe(0);
  });
});
