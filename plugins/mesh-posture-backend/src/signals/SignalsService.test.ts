import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  MeshCluster,
  SignalsQuery,
  WorkloadSignals,
} from '@mesh-posture/plugin-mesh-posture-node';
import { PeerEntities } from '../catalog/PeerEntities';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { SourceCaller } from '../sources/SourceCaller';
import { objectSourceOf } from '../__testUtils__/fakeKubernetesApi';
import { SignalsService } from './SignalsService';

/*
 * The notes the golden signals card shows say what is missing, not a
 * figure that does not apply: no histogram is not "too few requests".
 */

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ledger',
    namespace: 'default',
    annotations: {
      'mesh-posture.io/workload': 'prod/payments/Deployment/ledger',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

function serviceWith(answer: (q: SignalsQuery) => WorkloadSignals) {
  const logger = mockServices.logger.mock();
  const cluster: MeshCluster = {
    name: 'prod',
    mesh: 'linkerd',
    objects: objectSourceOf([]),
    telemetry: {
      workloadTelemetry: async () => {
        throw new Error('not used');
      },
      workloadSignals: async q => answer(q),
    },
  };
  return new SignalsService({
    registry: new ClusterRegistry(
      [{ getClusters: async () => [cluster] }],
      logger,
    ),
    caller: new SourceCaller({ timeoutMs: 5000, logger }),
    cache: { get: async () => undefined, set: async () => {} } as any,
    logger,
    cacheTtlMs: 0,
    sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
    peers: new PeerEntities({ catalog: catalogServiceMock(), logger }),
  });
}

describe('SignalsService notes', () => {
  it('says the histogram is missing when requests came with none', async () => {
    const service = serviceWith(q => ({
      summaries: q.workloads.map(workload => ({
        workload,
        requestsPerSecond: 18,
        failuresPerSecond: 0,
        latencyBuckets: [],
        errors: [],
      })),
      series: [],
      gaps: [],
    }));
    const signals = await service.getSignals(
      entity,
      '1h',
      'inbound',
      mockCredentials.user(),
    );
    expect(signals.summary.requests).toBe(64800);
    expect(signals.notes).toEqual([
      'Latency is not estimated: no request duration histogram was reported for these 64,800 requests.',
    ]);
  });

  it('says too few requests when there is a histogram', async () => {
    const service = serviceWith(q => ({
      summaries: q.workloads.map(workload => ({
        workload,
        requestsPerSecond: 10 / 3600,
        failuresPerSecond: 0,
        latencyBuckets: [
          { le: 50, rate: 10 / 3600 },
          { le: Infinity, rate: 10 / 3600 },
        ],
        errors: [],
      })),
      series: [],
      gaps: [],
    }));
    const signals = await service.getSignals(
      entity,
      '1h',
      'inbound',
      mockCredentials.user(),
    );
    expect(signals.notes).toEqual([
      'p99 is not estimated from 10 requests in the last 1h (it needs at least 100).',
    ]);
  });
});
