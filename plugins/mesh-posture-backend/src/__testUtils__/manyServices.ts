import { Entity } from '@backstage/catalog-model';
import type { FakeObject } from './fakeKubernetesApi';

/*
 * The Kubernetes and catalog side of `manyWorkloadsDataset` in
 * scripts/prometheus-fixtures.js: services `svc-<i>` in four namespaces, two
 * meshed pods each, a Flagger canary for svc-0, and one catalog entity per
 * service owned by one of three teams.
 */

const ns = (i: number) => `team-${i % 4}`;

/** The cluster's objects: namespaces, two meshed pods per service, one canary. */
export function manyServicesObjects(services: number): FakeObject[] {
  const objects: FakeObject[] = [0, 1, 2, 3].map(i => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: `team-${i}` },
  }));
  for (let i = 0; i < services; i++) {
    for (const p of ['a', 'b']) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `svc-${i}-5d8f9-${p}`,
          namespace: ns(i),
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
    metadata: { name: 'svc-0', namespace: 'team-0' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc-0' },
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
