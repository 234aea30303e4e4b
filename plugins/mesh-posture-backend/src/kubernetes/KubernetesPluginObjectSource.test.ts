import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { labelEquals } from '@mesh-posture/plugin-mesh-posture-common';
import {
  ClusterObjectSource,
  KubernetesPod,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  FakeKubernetesApi,
  FakeObject,
  startFakeKubernetesApi,
} from '../__testUtils__/fakeKubernetesApi';
import {
  RealKubernetesPlugin,
  startKubernetesPlugin,
} from '../__testUtils__/realKubernetesPlugin';
import {
  KubernetesPluginObjectSource,
  resourcePath,
} from './KubernetesPluginObjectSource';
import { VersionedLister } from '../mesh/objects';
import { readNetworkPolicies } from '../network/networkPolicy';

/*
 * The source through the real Backstage Kubernetes plugin: a backend process
 * runs `@backstage/plugin-kubernetes-backend` configured with one cluster
 * whose URL is a fake API server, and the source calls the plugin's proxy
 * with a service token, as in production.
 */

jest.setTimeout(90_000);

function pod(name: string, labels: Record<string, string>): FakeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'payments', labels },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Running' },
  };
}

const objects: FakeObject[] = [
  pod('payments-api-7d9f8b6c5-a1', {
    'backstage.io/kubernetes-id': 'payments-api',
  }),
  pod('payments-api-7d9f8b6c5-b2', {
    'backstage.io/kubernetes-id': 'payments-api',
  }),
  pod('ledger-0', { 'backstage.io/kubernetes-id': 'ledger' }),
  {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name: 'payments-api-http', namespace: 'payments' },
    spec: {
      podSelector: { matchLabels: { app: 'payments-api' } },
      port: 'http',
    },
  },
  // kubernetes/api networking/v1: the namespace's default-deny.
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: 'payments' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'linkerd-identity-trust-roots', namespace: 'linkerd' },
    data: { 'ca-bundle.crt': '-----BEGIN CERTIFICATE-----\n...' },
  },
];

describe('KubernetesPluginObjectSource through the Kubernetes plugin', () => {
  let api: FakeKubernetesApi;
  let plugin: RealKubernetesPlugin;
  let source: ClusterObjectSource;

  beforeAll(async () => {
    api = await startFakeKubernetesApi({
      objects,
      token: 'sa-token-of-the-kubernetes-plugin',
      forbidden: ['secrets', 'adminnetworkpolicies.policy.networking.k8s.io'],
    });
    plugin = await startKubernetesPlugin([
      {
        name: 'prod-eu-west',
        url: api.url,
        serviceAccountToken: 'sa-token-of-the-kubernetes-plugin',
      },
    ]);
    source = new KubernetesPluginObjectSource({
      discovery: {
        getBaseUrl: async (pluginId: string) => {
          expect(pluginId).toBe('kubernetes');
          return plugin.baseUrl;
        },
        getExternalBaseUrl: async () => plugin.baseUrl,
      },
      auth: mockServices.auth.mock({
        getOwnServiceCredentials: async () =>
          mockCredentials.service('plugin:mesh-posture'),
        getPluginRequestToken: async ({ targetPluginId }) => {
          expect(targetPluginId).toBe('kubernetes');
          return { token: plugin.token };
        },
      }),
    });
  });

  afterAll(async () => {
    await plugin?.stop();
    await api?.stop();
  });

  it('lists pods by label selector in a namespace', async () => {
    const pods = await source.list(
      {
        cluster: 'prod-eu-west',
        apiVersion: 'v1',
        resource: 'pods',
        namespace: 'payments',
        selector: labelEquals('backstage.io/kubernetes-id', 'payments-api'),
      },
      {},
    );
    expect(pods?.map(p => p.metadata.name)).toEqual([
      'payments-api-7d9f8b6c5-a1',
      'payments-api-7d9f8b6c5-b2',
    ]);
    expect(api.requests).toContain(
      'GET /api/v1/namespaces/payments/pods?limit=500&labelSelector=backstage.io%2Fkubernetes-id%3Dpayments-api',
    );
  });

  it('reads the NetworkPolicies, and names a policy kind it may not list as a gap', async () => {
    const reading = await readNetworkPolicies(
      source,
      'prod-eu-west',
      new VersionedLister(),
    );
    expect(api.requests).toContain(
      'GET /apis/networking.k8s.io/v1/networkpolicies?limit=500',
    );
    const isolation = reading.evaluate(
      {
        workload: {
          cluster: 'prod-eu-west',
          namespace: 'payments',
          kind: 'Deployment',
          name: 'payments-api',
        },
        mesh: 'linkerd',
        dataPlane: 'none',
        totalPods: 1,
        meshedPods: 0,
        readyPods: 1,
        proxyVersions: [],
      },
      [pod('payments-api-7d9f8b6c5-a1', {}) as KubernetesPod],
    );
    expect(isolation?.ingress.policies).toEqual(['payments/default-deny']);
    expect(reading.gaps.map(g => g.message)).toEqual([
      expect.stringMatching(
        /^AdminNetworkPolicy could not be read, so policies of those kinds may exist unseen: not allowed to read/,
      ),
    ]);
  });

  it('lists custom resources and reads one object', async () => {
    const servers = await source.list(
      {
        cluster: 'prod-eu-west',
        apiVersion: 'policy.linkerd.io/v1beta3',
        resource: 'servers',
        namespace: 'payments',
      },
      {},
    );
    expect(servers?.map(s => s.metadata.name)).toEqual(['payments-api-http']);
    const roots = await source.get(
      {
        cluster: 'prod-eu-west',
        apiVersion: 'v1',
        resource: 'configmaps',
        namespace: 'linkerd',
        name: 'linkerd-identity-trust-roots',
      },
      {},
    );
    expect(roots?.data?.['ca-bundle.crt']).toContain('BEGIN CERTIFICATE');
  });

  it('says a resource the cluster does not serve is absent, not an error', async () => {
    await expect(
      source.list(
        {
          cluster: 'prod-eu-west',
          apiVersion: 'security.istio.io/v1',
          resource: 'peerauthentications',
          namespace: 'payments',
        },
        {},
      ),
    ).resolves.toBeUndefined();
  });

  it('names a forbidden read with the RBAC hint', async () => {
    const error = await source
      .get(
        {
          cluster: 'prod-eu-west',
          apiVersion: 'v1',
          resource: 'secrets',
          namespace: 'linkerd',
          name: 'linkerd-identity-issuer',
        },
        {},
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error.status).toBe('unavailable');
    expect(error.message).toContain('not allowed to read secrets');
  });

  it('reports a cluster the Kubernetes plugin does not know', async () => {
    const error = await source
      .list({ cluster: 'prod-us-east', apiVersion: 'v1', resource: 'pods' }, {})
      .catch(e => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain('prod-us-east');
  });
});

describe('resourcePath', () => {
  it('builds core and group paths from checked parts', () => {
    expect(
      resourcePath({ apiVersion: 'v1', resource: 'pods', namespace: 'a' }),
    ).toBe('/api/v1/namespaces/a/pods');
    expect(
      resourcePath({
        apiVersion: 'policy.linkerd.io/v1alpha1',
        resource: 'authorizationpolicies',
      }),
    ).toBe('/apis/policy.linkerd.io/v1alpha1/authorizationpolicies');
  });

  it.each([
    { apiVersion: '../v1', resource: 'pods' },
    { apiVersion: 'v1', resource: 'pods/../secrets' },
    { apiVersion: 'v1', resource: 'pods', namespace: 'a/b' },
    { apiVersion: 'v1', resource: 'pods', name: '..' },
  ])('refuses %j', query => {
    expect(() => resourcePath(query)).toThrow();
  });
});
