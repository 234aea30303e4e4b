import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MeshPosture } from '@mesh-posture/plugin-mesh-posture-common';
import {
  KubernetesObject,
  KubernetesPod,
  MeshAdapter,
  meshPostureClustersExtensionPoint,
  meshPostureMeshesExtensionPoint,
} from '@mesh-posture/plugin-mesh-posture-node';
import request from 'supertest';
import { meshPosturePlugin } from '../plugin';

/*
 * A third mesh, added by a module alone: an adapter through the meshes
 * extension point, a cluster running it through the clusters one. The
 * plugin serves its posture without knowing the mesh.
 */

const PROXY = 'minimal-proxy';

const minimalMesh: MeshAdapter = {
  podMeshState: (p, settings) => {
    const proxied = p.spec?.containers?.some(c => c.name === PROXY);
    return proxied
      ? {
          meshed: true,
          dataPlane: 'sidecar',
          identity: `minimal://${settings.trustDomain ?? 'local'}/${
            p.metadata.namespace
          }/${p.spec?.serviceAccountName ?? 'default'}`,
        }
      : { meshed: false, dataPlane: 'none' };
  },
  objects: {
    read: async () => ({
      certificates: [],
      gaps: [],
      evaluate: () => ({ ports: [], admitted: [], notes: [] }),
    }),
  },
};

function pod(name: string, containers: string[]): KubernetesPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ledger',
      labels: {
        'backstage.io/kubernetes-id': 'ledger',
        'pod-template-hash': '7d9f8',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'ledger-7d9f8',
          controller: true,
        },
      ],
    },
    spec: {
      serviceAccountName: 'ledger',
      containers: containers.map(c => ({ name: c, image: `${c}:1.0` })),
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  } as KubernetesPod;
}

const labModule = createBackendModule({
  pluginId: 'mesh-posture',
  moduleId: 'minimal-mesh',
  register(env) {
    env.registerInit({
      deps: {
        meshes: meshPostureMeshesExtensionPoint,
        clusters: meshPostureClustersExtensionPoint,
      },
      async init({ meshes, clusters }) {
        meshes.addMesh('minimal', minimalMesh);
        clusters.addClusterProvider({
          getClusters: async () => [
            {
              name: 'lab',
              mesh: 'minimal',
              objects: {
                list: async query =>
                  query.resource === 'pods'
                    ? [
                        pod('ledger-7d9f8-a1', ['app', PROXY]),
                        pod('ledger-7d9f8-b2', ['app']),
                      ]
                    : ([] as KubernetesObject[]),
                get: async () => undefined,
              },
            },
          ],
        });
      },
    });
  },
});

describe('a mesh a module adds', () => {
  it('is served by the plugin, its pods read by its own adapter', async () => {
    const { server } = await startTestBackend({
      features: [
        meshPosturePlugin,
        labModule,
        mockServices.scheduler.factory(),
        mockServices.rootConfig.factory({ data: {} }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'ledger',
                namespace: 'default',
                annotations: {
                  'backstage.io/kubernetes-id': 'ledger',
                  'backstage.io/kubernetes-namespace': 'ledger',
                },
              },
              spec: {
                type: 'service',
                owner: 'ledger-team',
                lifecycle: 'production',
              },
            },
          ],
        }),
      ],
    });
    const res = await request(server)
      .get('/api/mesh-posture/v1/entities/component/default/ledger/posture')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const posture: MeshPosture = res.body;
    expect(posture.totalPods).toBe(2);
    expect(posture.meshedPods).toBe(1);
    expect(posture.workloads).toEqual([
      expect.objectContaining({
        mesh: 'minimal',
        workload: expect.objectContaining({
          cluster: 'lab',
          kind: 'Deployment',
          name: 'ledger',
        }),
        meshedPods: 1,
        identity: 'minimal://local/ledger/ledger',
      }),
    ]);
    // Half the pods without a proxy: the meshed-pods check warns, and no
    // check passes for want of telemetry the module did not give.
    const meshed = posture.verdict.checks.find(c => c.id === 'meshed-pods');
    expect(meshed?.status).toBe('warn');
    expect(posture.verdict.status).not.toBe('pass');
  });
});
