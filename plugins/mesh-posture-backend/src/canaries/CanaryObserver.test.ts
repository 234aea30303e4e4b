import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { CanaryTransition } from '@mesh-posture/plugin-mesh-posture-common';
import { canaryRollouts } from '@mesh-posture/plugin-mesh-posture-node';
import { CanaryHistoryStore, canaryKey } from '../database/CanaryHistoryStore';
import {
  DemoMesh,
  demoCanaryHistory,
} from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { SourceCaller } from '../sources/SourceCaller';
import { CanaryObserver } from './CanaryObserver';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const fraud = {
  cluster: 'prod-eu-west',
  namespace: 'payments',
  name: 'fraud-scoring',
};
const accounts = {
  cluster: 'prod-eu-west',
  namespace: 'open-banking',
  name: 'accounts-service',
};

describe('CanaryObserver', () => {
  it('records each phase change of every cluster’s canaries once, polling the demo', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await CanaryHistoryStore.create({
      database: mockServices.database({ knex }),
    });
    let now = new Date('2026-11-22T12:10:00Z');
    const logger = mockServices.logger.mock();
    const observer = new CanaryObserver({
      registry: new ClusterRegistry([new DemoMesh({ now: () => now })], logger),
      caller: new SourceCaller({ timeoutMs: 5000, logger }),
      store,
      logger,
      now: () => now,
    });
    // 12:10: both progressing (accounts-service's six-hour cycle began at 12:00).
    await expect(observer.observe()).resolves.toBe(2);
    await expect(observer.observe()).resolves.toBe(0);
    now = new Date('2026-11-22T12:58:00Z');
    // fraud-scoring succeeded, accounts-service rolled back at minute 20.
    await expect(observer.observe()).resolves.toBe(2);
    const history = await store.transitions(
      [fraud, accounts],
      new Date('2026-11-22T00:00:00Z'),
    );
    expect(
      history.get(canaryKey(fraud))!.transitions.map(t => t.phase),
    ).toEqual(['Progressing', 'Succeeded']);
    expect(
      canaryRollouts(history.get(canaryKey(accounts))!.transitions),
    ).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        maxFailedChecks: 5,
        durationSeconds: 1200,
      }),
    ]);
  });
});

describe('demoCanaryHistory', () => {
  it('gives a day of hourly fraud-scoring releases and four rolled-back accounts-service ones', () => {
    const history = demoCanaryHistory(new Date('2026-11-22T11:00:30Z'), 1);
    const of = (k: typeof fraud): CanaryTransition[] =>
      history.filter(t => t.name === k.name);
    const fraudRollouts = canaryRollouts(of(fraud));
    expect(fraudRollouts.filter(r => r.outcome === 'succeeded')).toHaveLength(
      24,
    );
    expect(fraudRollouts[0].durationSeconds).toBe(55 * 60);
    const accountsRollouts = canaryRollouts(of(accounts));
    expect(accountsRollouts.map(r => r.outcome)).toEqual([
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
  });
});
