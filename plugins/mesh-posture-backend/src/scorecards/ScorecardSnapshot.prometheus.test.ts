import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { scoreChecksFromPosture } from '@mesh-posture/plugin-mesh-posture-common';
import type { MeshCluster } from '@mesh-posture/plugin-mesh-posture-node';
import { resolveWorkloadTarget } from '../posture/resolveWorkloadTarget';
import { countingSourceUsage } from '@mesh-posture/plugin-mesh-posture-node';
import {
  manyServicesCluster,
  manyServicesPaths,
} from '../__testUtils__/manyServices';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';

const { manyWorkloadsDataset } = require('../../scripts/prometheus-fixtures');

jest.setTimeout(120_000);

const SERVICES = 24;

describeWithPrometheus('scorecard snapshot against a real Prometheus', () => {
  const dataset = manyWorkloadsDataset(
    Math.floor(Date.now() / 1000) - 120,
    SERVICES,
  );
  const at = new Date(dataset.at * 1000);
  let prometheus: RealPrometheus;
  let cluster: MeshCluster;

  beforeAll(async () => {
    prometheus = await startPrometheus(dataset.openMetrics);
    cluster = manyServicesCluster(SERVICES, prometheus.url);
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  const setup = (entityCount: number) =>
    manyServicesPaths({
      cluster,
      entityCount,
      at,
      logger: mockServices.logger.mock(),
    });

  it('makes as many source requests for 24 entities as for 4', async () => {
    const few = await countingSourceUsage(() => setup(4).snapshot.measure(at));
    const many = await countingSourceUsage(() =>
      setup(SERVICES).snapshot.measure(at),
    );
    expect(few.value.scorecards).toHaveLength(4);
    expect(many.value.scorecards).toHaveLength(SERVICES);
    expect(many.value.failedSources).toEqual([]);
    expect(many.usage.prometheusQueries).toBeGreaterThan(0);
    expect(many.usage.kubernetesReads).toBeGreaterThan(0);
    expect(many.usage).toEqual(few.usage);

    // The per-entity path asks once per entity for the same answers.
    const perEntity = setup(4);
    const alone = await countingSourceUsage(() =>
      Promise.all(
        perEntity.entities.map(e =>
          perEntity.assembler.assemble(
            `component:default/${e.metadata.name}`,
            resolveWorkloadTarget(e)!,
            '1h',
          ),
        ),
      ),
    );
    expect(alone.usage.prometheusQueries).toBeGreaterThan(
      few.usage.prometheusQueries,
    );
  });

  it('gives each entity exactly the posture and signals of the per-entity path', async () => {
    const { entities, assembler, snapshot, signals } = setup(SERVICES);
    const withoutTimings = (p: any) => ({
      ...p,
      sources: p.sources.map((s: any) => ({ ...s, durationMs: 0 })),
    });
    const batch = await assembler.assembleMany(
      entities.map(e => ({
        entityRef: `component:default/${e.metadata.name}`,
        target: resolveWorkloadTarget(e)!,
      })),
      '1h',
    );
    const { scorecards, flows } = await snapshot.measure(at);
    const credentials = mockCredentials.service();

    for (const [i, e] of entities.entries()) {
      const ref = `component:default/${e.metadata.name}`;
      const alone = await assembler.assemble(
        ref,
        resolveWorkloadTarget(e)!,
        '1h',
      );
      expect(withoutTimings(batch[i].posture)).toEqual(withoutTimings(alone));

      const card = scorecards.find(c => c.entityRef === ref)!;
      const fromPosture = scoreChecksFromPosture(alone.verdict.checks);
      expect(card.checks.slice(0, fromPosture.length)).toEqual(fromPosture);
      expect(card.figures.inboundMtlsShare).toBe(alone.inbound.mtlsShare);
      expect(card.figures.meshedPods).toBe(2);

      const golden = await signals.getSignals(e, '1h', 'inbound', credentials);
      expect(card.figures.successRate).toBeCloseTo(
        golden.summary!.successRate!,
        9,
      );
      expect(card.figures.latencyP99Ms).toBe(golden.summary!.latencyMs.p99);
      expect(card.checks.find(c => c.id === 'golden-signals')?.status).toBe(
        golden.slo.successRate === 'breached' ? 'fail' : 'pass',
      );
    }

    // Ground truth of the fixture: plaintext into every fifth service,
    // one canary, owners and system from the catalog.
    const svc0 = scorecards.find(c => c.name === 'svc-0')!;
    const svc1 = scorecards.find(c => c.name === 'svc-1')!;
    expect(svc0.figures.inboundMtlsShare).toBeLessThan(1);
    expect(svc1.figures.inboundMtlsShare).toBe(1);
    expect(svc0.checks.find(c => c.id === 'progressive-delivery')).toEqual(
      expect.objectContaining({ status: 'pass' }),
    );
    expect(svc1.checks.find(c => c.id === 'progressive-delivery')?.status).toBe(
      'fail',
    );
    expect(svc1.owner).toBe('group:default/team-1');
    expect(svc1.system).toBe('system:default/payments');

    // Flows: svc-0 → svc-1 seen at both ends, linked to the catalog.
    expect(flows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entityRef: 'component:default/svc-1',
          direction: 'inbound',
          peer: expect.objectContaining({
            entityRef: 'component:default/svc-0',
          }),
          mtlsShare: 1,
        }),
        expect.objectContaining({
          entityRef: 'component:default/svc-0',
          direction: 'inbound',
          mtlsShare: 0,
          plaintextReasons: ['no_tls_from_remote'],
        }),
      ]),
    );
  });
});
