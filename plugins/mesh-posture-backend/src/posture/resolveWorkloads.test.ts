import {
  parseLabelSelector,
  matchesLabelSelector,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesPod,
  MeshCluster,
} from '@mesh-posture/plugin-mesh-posture-node';
import { MeshAdapters } from '../mesh/adapters';
import { workloadsInCluster } from './resolveWorkloads';

/*
 * A snapshot hands one cluster-wide pod listing to every entity; each picks
 * its candidates by its selector's first `In` requirement from an index.
 * Whatever the selector, the pods picked must be exactly those a plain
 * filter over the whole listing would take.
 */

function pod(
  name: string,
  namespace: string,
  labels: Record<string, string>,
): KubernetesPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${name}-5d8f9-x1`,
      namespace,
      labels: { ...labels, 'pod-template-hash': '5d8f9' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${name}-5d8f9`,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'app', image: `example/${name}:1` }] },
    status: { phase: 'Running' },
  } as KubernetesPod;
}

const pods: KubernetesPod[] = [
  pod('api', 'payments', { app: 'api', tier: 'web' }),
  pod('api', 'staging', { app: 'api', tier: 'web' }),
  pod('ledger', 'payments', { app: 'ledger', tier: 'data' }),
  pod('legacy', 'payments', { app: 'api', legacy: 'true' }),
  pod('worker', 'payments', { tier: 'batch' }),
];

const cluster: MeshCluster = { name: 'prod', mesh: 'linkerd' };

describe('workloadsInCluster on a cluster-wide listing', () => {
  it.each([
    ['app=api', undefined],
    ['app=api', 'payments'],
    ['app in (api,ledger)', 'payments'],
    ['app in (api,ledger),tier!=data', undefined],
    ['tier,!legacy', 'payments'],
    ['app notin (api)', undefined],
    ['app=absent', undefined],
  ])('picks for %s in %s what a filter would', (text, namespace) => {
    const selector = parseLabelSelector(text);
    const found = workloadsInCluster(
      cluster,
      { selector, ...(namespace ? { namespace } : {}), explicit: [] },
      { report: {} as any, pods, scoped: false },
      new MeshAdapters(),
    );
    const expected = pods.filter(
      p =>
        (!namespace || p.metadata.namespace === namespace) &&
        matchesLabelSelector(selector, p.metadata.labels),
    );
    expect(
      found.groups.flatMap(g => g.pods.map(p => p.metadata.name)).sort(),
    ).toEqual(expected.map(p => p.metadata.name).sort());
  });
});
