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

type Answer = (q: SignalsQuery) => WorkloadSignals | Promise<WorkloadSignals>;

function serviceWith(answer: Answer, ...others: Array<[string, Answer]>) {
  const logger = mockServices.logger.mock();
  const clusterOf = (name: string, a: Answer): MeshCluster => ({
    name,
    mesh: 'linkerd',
    objects: objectSourceOf([]),
    telemetry: {
      workloadTelemetry: async () => {
        throw new Error('not used');
      },
      workloadSignals: async q => a(q),
    },
  });
  const clusters = [
    clusterOf('prod', answer),
    ...others.map(([name, a]) => clusterOf(name, a)),
  ];
  return new SignalsService({
    registry: new ClusterRegistry(
      [{ getClusters: async () => clusters }],
      logger,
    ),
    caller: new SourceCaller({ timeoutMs: 200, logger }),
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
    expect(signals.summary!.requests).toBe(64800);
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

  const never: Answer = () => new Promise<WorkloadSignals>(() => {});
  const busy: Answer = q => ({
    summaries: q.workloads.map(workload => ({
      workload,
      requestsPerSecond: 18,
      failuresPerSecond: 9,
      latencyBuckets: [
        { le: 50, rate: 18 },
        { le: Infinity, rate: 18 },
      ],
      errors: [],
    })),
    series: [],
    gaps: [],
  });

  it('says unknown, never "no requests" or 0 req/s, when Prometheus times out', async () => {
    const signals = await serviceWith(never).getSignals(
      entity,
      '24h',
      'inbound',
      mockCredentials.user(),
    );
    expect(signals.summary).toBeNull();
    expect(signals.complete).toBe(false);
    expect(signals.slo).toMatchObject({
      successRate: 'unknown',
      latencyP99: 'unknown',
      errorBudgetRemaining: null,
    });
    expect(signals.notes).toEqual([
      'The golden signals are unknown: no telemetry source answered for component:default/ledger.',
      'Missing: prometheus on prod (timeout).',
    ]);
    expect(signals.notes.join(' ')).not.toMatch(/No requests/);
  });

  it('judges no objective on the part of the traffic whose cluster answered', async () => {
    // The cluster that answered shows a breach; the one that did not may
    // carry most of the traffic.
    const twoClusters: Entity = {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          'mesh-posture.io/workload':
            'prod/payments/Deployment/ledger, dr/payments/Deployment/ledger',
        },
      },
    };
    const signals = await serviceWith(busy, ['dr', never]).getSignals(
      twoClusters,
      '1h',
      'inbound',
      mockCredentials.user(),
    );
    expect(signals.complete).toBe(false);
    expect(signals.summary?.requestsPerSecond).toBe(18);
    expect(signals.slo.successRate).toBe('unknown');
    expect(signals.notes).toContain(
      'These figures cover only the sources that answered; the objectives are not judged.',
    );
    expect(signals.notes).toContain('Missing: prometheus on dr (timeout).');
  });

  it('says "No requests" only when every source answered', async () => {
    const idle: Answer = () => ({ summaries: [], series: [], gaps: [] });
    const signals = await serviceWith(idle).getSignals(
      entity,
      '1h',
      'inbound',
      mockCredentials.user(),
    );
    expect(signals.complete).toBe(true);
    expect(signals.summary?.requests).toBe(0);
    expect(signals.slo.successRate).toBe('no-traffic');
    expect(signals.notes).toEqual(['No requests in the last 1h.']);
  });
});

describe('SignalsService on a workload with no proxy', () => {
  // Two running pods of notifications, neither with a linkerd-proxy.
  const pod = (suffix: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `notifications-5d8f9-${suffix}`,
      namespace: 'messaging',
      labels: {
        'backstage.io/kubernetes-id': 'notifications',
        'pod-template-hash': '5d8f9',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'notifications-5d8f9',
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'app', image: 'example/notifications:1' }] },
    status: { phase: 'Running' },
  });
  const unmeshed: Entity = {
    ...entity,
    metadata: {
      name: 'notifications',
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': 'notifications',
        'backstage.io/kubernetes-namespace': 'messaging',
      },
    },
  };

  function serviceOf(answer: Answer) {
    const logger = mockServices.logger.mock();
    const queries: SignalsQuery[] = [];
    const cluster: MeshCluster = {
      name: 'prod',
      mesh: 'linkerd',
      objects: objectSourceOf([pod('a1'), pod('b2')]),
      telemetry: {
        workloadTelemetry: async () => {
          throw new Error('not used');
        },
        workloadSignals: async q => {
          queries.push(q);
          return answer(q);
        },
      },
    };
    const service = new SignalsService({
      registry: new ClusterRegistry(
        [{ getClusters: async () => [cluster] }],
        logger,
      ),
      caller: new SourceCaller({ timeoutMs: 200, logger }),
      cache: { get: async () => undefined, set: async () => {} } as any,
      logger,
      cacheTtlMs: 0,
      sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
      peers: new PeerEntities({ catalog: catalogServiceMock(), logger }),
    });
    return { service, queries };
  }

  const proxyless = [
    {
      workload: {
        cluster: 'prod',
        namespace: 'messaging',
        kind: 'Deployment',
        name: 'notifications',
      },
      mesh: 'linkerd',
      pods: 2,
    },
  ];

  it("names the workload, and reads its inbound from its callers' proxies", async () => {
    const { service, queries } = serviceOf(q => ({
      summaries: q.workloads.map(workload => ({
        workload,
        requestsPerSecond: 3,
        failuresPerSecond: 0,
        latencyBuckets: [
          { le: 50, rate: 3 },
          { le: Infinity, rate: 3 },
        ],
        errors: [],
      })),
      series: [],
      gaps: [],
    }));
    const signals = await service.getSignals(
      unmeshed,
      '1h',
      'inbound',
      mockCredentials.user(),
    );
    expect(queries.map(q => q.observedBy)).toEqual(['callers']);
    expect(signals.proxyless).toEqual(proxyless);
    expect(signals.summary?.requestsPerSecond).toBe(3);
  });

  it('says meshed callers reported nothing, never "No requests"', async () => {
    const { service } = serviceOf(() => ({
      summaries: [],
      series: [],
      gaps: [],
    }));
    const signals = await service.getSignals(
      unmeshed,
      '1h',
      'inbound',
      mockCredentials.user(),
    );
    expect(signals.proxyless).toEqual(proxyless);
    expect(signals.notes).toEqual([
      "messaging/notifications has no proxy, so its own requests are not observable: they are measured by its callers' proxies (their latency includes the network).",
      'No meshed caller reported requests to it in the last 1h; callers without a proxy are not observed.',
    ]);
  });

  it('asks nothing outbound and does not blame the telemetry for it', async () => {
    const { service, queries } = serviceOf(() => {
      throw new Error('not asked');
    });
    const signals = await service.getSignals(
      unmeshed,
      '1h',
      'outbound',
      mockCredentials.user(),
    );
    expect(queries).toEqual([]);
    expect(signals.summary).toBeNull();
    expect(signals.proxyless).toEqual(proxyless);
    expect(signals.notes).toEqual([
      'messaging/notifications has no proxy, so the requests it makes are not observed.',
    ]);
  });

  it('names no workload when every one reports its own traffic', async () => {
    const signals = await serviceWith(() => ({
      summaries: [],
      series: [],
      gaps: [],
    })).getSignals(entity, '1h', 'inbound', mockCredentials.user());
    expect(signals.proxyless).toBeUndefined();
  });
});
