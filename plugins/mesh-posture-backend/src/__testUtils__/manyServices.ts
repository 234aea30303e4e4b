import { testAssembler } from './testAssembler';
import { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_SCORECARD_MODEL } from '@mesh-posture/plugin-mesh-posture-common';
import type { MeshCluster } from '@mesh-posture/plugin-mesh-posture-node';
import { ConfigReader } from '@backstage/config';
import { PeerEntities } from '../catalog/PeerEntities';
import { readMeshPostureConfig } from '../config';
import { LinkerdTelemetry } from '../mesh/linkerd/LinkerdTelemetry';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { scopePlaceholder } from '../prometheus/promql';
import { SharedEndpoint } from '../prometheus/SharedEndpoint';
import { ScorecardSnapshot } from '../scorecards/ScorecardSnapshot';
import { SignalsService } from '../signals/SignalsService';
import { countSourceRequest } from '@mesh-posture/plugin-mesh-posture-node';
import { FakeObject, objectSourceOf } from './fakeKubernetesApi';

/*
 * The Kubernetes and catalog side of scripts/many-services-dataset.js:
 * services `svc-<i>` laid out in namespaces (and clusters) as the dataset
 * lays them, two meshed pods each, a Flagger canary for the first service
 * of each cluster, and one catalog entity per service owned by one of three
 * teams.
 */

const {
  namespaceOf,
  clusterOf,
} = require('../../scripts/many-services-dataset');

/** How the services are spread: see many-services-dataset.js. */
export interface ManyServicesLayout {
  perNamespace?: number;
  clusters?: number;
}

const ns = (i: number, layout?: ManyServicesLayout): string =>
  namespaceOf(i, layout);

/**
 * The objects of services [from, to): namespaces, two meshed pods per
 * service, a canary for the first.
 */
export function manyServicesObjects(
  to: number,
  layout: ManyServicesLayout = {},
  from = 0,
): FakeObject[] {
  const namespaces = new Set<string>();
  for (let i = from; i < to; i++) namespaces.add(ns(i, layout));
  const objects: FakeObject[] = [...namespaces].map(name => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
  for (let i = from; i < to; i++) {
    for (const p of ['a', 'b']) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `svc-${i}-5d8f9-${p}`,
          namespace: ns(i, layout),
          labels: {
            'backstage.io/kubernetes-id': `svc-${i}`,
            'pod-template-hash': '5d8f9',
          },
          annotations: { 'linkerd.io/proxy-version': 'edge-24.11.8' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: `svc-${i}-5d8f9`,
              controller: true,
            },
          ],
        },
        spec: {
          serviceAccountName: `svc-${i}`,
          containers: [
            {
              name: 'linkerd-proxy',
              image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8',
            },
            { name: 'app', image: `registry.example/svc-${i}:1.0.0` },
          ],
        },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      });
    }
  }
  objects.push({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: `svc-${from}`, namespace: ns(from, layout) },
    spec: {
      targetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: `svc-${from}`,
      },
    },
  });
  return objects;
}

export function manyServicesEntity(i: number): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${i}`,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': `svc-${i}` },
    },
    spec: { type: 'service', lifecycle: 'production', owner: `team-${i % 3}` },
    relations: [
      { type: 'ownedBy', targetRef: `group:default/team-${i % 3}` },
      { type: 'partOf', targetRef: 'system:default/payments' },
    ],
  };
}

/**
 * The Linkerd cluster of `services` services: their objects in memory
 * (reads counted as the HTTP source counts them) and a real Prometheus.
 */
export function manyServicesCluster(
  services: number,
  prometheusUrl: string,
  where: {
    layout?: ManyServicesLayout;
    index?: number;
    /** The clusters' one endpoint, their series told apart by `cluster`. */
    endpoint?: SharedEndpoint;
  } = {},
): MeshCluster {
  const layout = where.layout ?? {};
  const index = where.index ?? 0;
  // The cluster's block of services: its first one's cluster.
  const { from, to } = clusterOf(
    index * Math.ceil(services / (layout.clusters ?? 1)),
    { ...layout, services },
  );
  const objects = objectSourceOf(manyServicesObjects(to, layout, from));
  const name = (layout.clusters ?? 1) > 1 ? `prod-${index}` : 'prod';
  return {
    name,
    mesh: 'linkerd',
    objects: {
      list: async (query, options) => {
        countSourceRequest('kubernetesReads');
        return objects.list(query, options);
      },
      get: async (query, options) => {
        countSourceRequest('kubernetesReads');
        return objects.get(query, options);
      },
    },
    telemetry: where.endpoint
      ? new LinkerdTelemetry({
          prometheus: where.endpoint.forCluster(name),
          scope: [scopePlaceholder('cluster')],
        })
      : new LinkerdTelemetry({
          prometheus: new PrometheusClient({ url: prometheusUrl }),
        }),
  };
}

/**
 * Both paths over the first `entityCount` services at one instant: the
 * batched snapshot, and the per-entity posture and signals services.
 */
export function manyServicesPaths(options: {
  cluster: MeshCluster | MeshCluster[];
  entityCount: number;
  at: Date;
  logger: LoggerService;
  /**
   * The production defaults (a page's 5 s and the snapshot's own source
   * deadline, callers over 7d) for the benchmark; tests' otherwise.
   */
  defaults?: boolean;
}) {
  const { cluster, entityCount, at, logger } = options;
  const entities = Array.from({ length: entityCount }, (_, i) =>
    manyServicesEntity(i),
  );
  const catalog = catalogServiceMock({ entities });
  const clusters = Array.isArray(cluster) ? cluster : [cluster];
  const defaults = readMeshPostureConfig(new ConfigReader({}));
  const settings = options.defaults
    ? {}
    : {
        sourceTimeoutMs: 30_000,
        callerWindow: '1h',
        minimumCallerHistoryMs: 30 * 60_000,
      };
  const { assembler, registry, caller } = testAssembler(clusters, {
    ...settings,
    logger,
    now: () => at,
  });
  // The snapshot's assembler, with the snapshot's deadline.
  const batch = options.defaults
    ? testAssembler(clusters, {
        sourceTimeoutMs: defaults.snapshot.sourceTimeoutMs,
        logger,
        now: () => at,
      })
    : { assembler, caller };
  const peers = new PeerEntities({ catalog, logger });
  const snapshot = new ScorecardSnapshot({
    catalog,
    auth: mockServices.auth(),
    assembler: batch.assembler,
    caller: batch.caller,
    peers,
    // measure() stores nothing; run() is not called on these.
    store: {} as any,
    model: DEFAULT_SCORECARD_MODEL,
    sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
    logger,
    now: () => at,
  });
  const signals = new SignalsService({
    registry,
    caller,
    cache: { get: async () => undefined, set: async () => {} } as any,
    logger,
    cacheTtlMs: 0,
    sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
    peers,
    now: () => at,
  });
  return { entities, assembler, snapshot, signals };
}
