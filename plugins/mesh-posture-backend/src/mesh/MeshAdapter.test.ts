import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesPod,
  MeshCluster,
} from '@mesh-posture/plugin-mesh-posture-node';
import { FakeObject, objectSourceOf } from '../__testUtils__/fakeKubernetesApi';
import {
  issuedCa,
  selfSignedPem,
  testCa,
} from '../__testUtils__/testCertificates';
import { IstioObjectAdapter, LinkerdObjectAdapter } from './MeshAdapter';

const DAY = 86400_000;
const now = new Date('2026-11-22T12:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY + 3600_000);

const ledger: WorkloadRef = {
  cluster: 'prod',
  namespace: 'payments',
  kind: 'StatefulSet',
  name: 'ledger',
};

const ledgerPod: KubernetesPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'ledger-0',
    namespace: 'payments',
    labels: { app: 'ledger' },
  },
  spec: {
    serviceAccountName: 'ledger',
    containers: [
      {
        name: 'linkerd-proxy',
        env: [{ name: 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY', value: 'deny' }],
      },
      { name: 'ledger', ports: [{ name: 'grpc', containerPort: 9090 }] },
    ],
  },
};

function cluster(
  mesh: MeshCluster['mesh'],
  settings: MeshCluster['settings'] = {},
): MeshCluster {
  return { name: 'prod', mesh, settings };
}

describe('LinkerdObjectAdapter', () => {
  it('reads every trust anchor of the bundle, the cert-manager issuer and the policies', async () => {
    const current = await selfSignedPem({
      commonName: 'root.linkerd.cluster.local',
      notBefore: at(-10),
      notAfter: at(212),
    });
    const previous = await selfSignedPem({
      commonName: 'root.linkerd.cluster.local',
      notBefore: at(-300),
      notAfter: at(25),
    });
    const objects: FakeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'linkerd-identity-trust-roots',
          namespace: 'linkerd',
        },
        data: { 'ca-bundle.crt': `${current}${previous}` },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd' },
        spec: {
          secretName: 'linkerd-identity-issuer',
          commonName: 'identity.linkerd.cluster.local',
        },
        status: {
          notBefore: at(-30).toISOString(),
          notAfter: at(150).toISOString(),
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'payments' },
      },
      {
        apiVersion: 'policy.linkerd.io/v1beta2',
        kind: 'Server',
        metadata: { name: 'ledger-grpc', namespace: 'payments' },
        spec: { podSelector: { matchLabels: { app: 'ledger' } }, port: 'grpc' },
      },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'ledger-grpc', namespace: 'payments' },
        spec: {
          targetRef: {
            group: 'policy.linkerd.io',
            kind: 'Server',
            name: 'ledger-grpc',
          },
          requiredAuthenticationRefs: [
            { group: '', kind: 'ServiceAccount', name: 'payments-api' },
          ],
        },
      },
      // Egress (Linkerd 2.17+): the global egress namespace denies.
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'EgressNetwork',
        metadata: { name: 'all', namespace: 'linkerd-egress' },
        spec: { trafficPolicy: 'Deny' },
      },
    ];
    const read = await new LinkerdObjectAdapter().read(
      objectSourceOf(objects),
      cluster('linkerd'),
      ['payments'],
      now,
    );
    expect(
      read.certificates.map(c => [c.role, c.daysToExpiry, c.location]),
    ).toEqual([
      ['trust-anchor', 212, 'ConfigMap linkerd/linkerd-identity-trust-roots'],
      ['trust-anchor', 25, 'ConfigMap linkerd/linkerd-identity-trust-roots'],
      [
        'issuer',
        150,
        'Certificate linkerd/linkerd-identity-issuer (cert-manager)',
      ],
    ]);
    expect(read.gaps).toEqual([]);
    // An older Linkerd serving Server only as v1beta2 is still read.
    const evaluation = read.evaluate(ledger, [ledgerPod]);
    expect(evaluation.ports.map(p => [p.port, p.access])).toEqual([
      ['9090 (grpc)', 'deny'],
      ['*', 'deny'],
    ]);
    expect(evaluation.admitted.map(a => a.identity)).toEqual([
      'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
    ]);
    expect(evaluation.egress).toMatchObject({
      mode: 'declared-only',
      decidedBy: 'EgressNetwork linkerd-egress/all denies by default',
    });
  });

  it('reads the issuer Secret only when allowed to, and names the gaps', async () => {
    const issuer = await selfSignedPem({
      commonName: 'identity.linkerd.cluster.local',
      notBefore: at(-30),
      notAfter: at(40),
    });
    const objects: FakeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd' },
        data: {
          'crt.pem': Buffer.from(issuer).toString('base64'),
          'key.pem': Buffer.from('-----BEGIN EC PRIVATE KEY-----').toString(
            'base64',
          ),
        },
      },
    ];
    const adapter = new LinkerdObjectAdapter();
    const off = await adapter.read(
      objectSourceOf(objects),
      cluster('linkerd'),
      ['payments'],
      now,
    );
    expect(off.certificates).toEqual([]);
    expect(off.gaps.map(g => g.message).sort()).toEqual([
      'ConfigMap linkerd/linkerd-identity-trust-roots was not found',
      'EgressNetwork (policy.linkerd.io) is not installed: Linkerd before 2.17 neither controls nor reports calls out of the cluster',
      'policy.linkerd.io resources are not installed: only the default inbound policy is known',
    ]);
    expect(off.issuerUnknown).toContain('reading its Secret is off');
    const on = await new LinkerdObjectAdapter().read(
      objectSourceOf(objects),
      cluster('linkerd', { readIssuerSecret: true }),
      ['payments'],
      now,
    );
    expect(on.issuerUnknown).toBeUndefined();
    expect(on.certificates).toEqual([
      expect.objectContaining({
        role: 'issuer',
        daysToExpiry: 40,
        location: 'Secret linkerd/linkerd-identity-issuer',
      }),
    ]);
    // The private key is never part of what is returned.
    expect(JSON.stringify(on)).not.toContain('PRIVATE KEY');
  });

  it('fails an issuer the bundle did not sign, and passes one it did, as linkerd check does', async () => {
    const anchor = await testCa('root.linkerd.cluster.local');
    const stranger = await testCa('root.linkerd.cluster.local');
    const read = async (issuer: { pem: string }) =>
      new LinkerdObjectAdapter().read(
        objectSourceOf([
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: 'linkerd-identity-trust-roots',
              namespace: 'linkerd',
            },
            data: { 'ca-bundle.crt': anchor.pem },
          },
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd' },
            data: { 'crt.pem': Buffer.from(issuer.pem).toString('base64') },
          },
        ]),
        cluster('linkerd', { readIssuerSecret: true }),
        ['payments'],
        new Date(),
      );
    const good = await read(
      await issuedCa(anchor, 'identity.linkerd.cluster.local'),
    );
    expect(good.certificates.find(c => c.role === 'issuer')).not.toHaveProperty(
      'problem',
    );
    const bad = await read(
      await issuedCa(stranger, 'identity.linkerd.cluster.local'),
    );
    expect(bad.certificates.find(c => c.role === 'issuer')?.problem).toMatch(
      /^not issued by any trust anchor of the bundle/,
    );
  });

  it('fails proxies injected with anchors none of which is in the current bundle, as linkerd check --proxy would', async () => {
    const old = await testCa('root.linkerd.cluster.local');
    const current = await testCa('root.linkerd.cluster.local');
    const objects = await new LinkerdObjectAdapter().read(
      objectSourceOf([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'linkerd-identity-trust-roots',
            namespace: 'linkerd',
          },
          data: { 'ca-bundle.crt': current.pem },
        },
      ]),
      cluster('linkerd'),
      ['payments'],
      new Date(),
    );
    // The injector writes the anchors as a literal env value
    // (linkerd/linkerd2 charts/partials/templates/_proxy.tpl).
    const pod = (name: string, anchors: string): KubernetesPod => ({
      ...ledgerPod,
      metadata: { ...ledgerPod.metadata, name },
      spec: {
        ...ledgerPod.spec,
        containers: [
          {
            name: 'linkerd-proxy',
            env: [
              {
                name: 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY',
                value: 'deny',
              },
              { name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', value: anchors },
            ],
          },
        ],
      },
    });
    const judged = objects.evaluate(ledger, [
      pod('ledger-0', old.pem),
      pod('ledger-1', current.pem),
      // Mid-rotation: the old anchor beside the current one still works.
      pod('ledger-2', `${current.pem}\n${old.pem}`),
    ]);
    expect(judged.certificates).toEqual([
      expect.objectContaining({
        role: 'trust-anchor',
        subject: 'root.linkerd.cluster.local',
        location:
          'proxy env LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS of payments/ledger',
        problem:
          "1 of 3 pods' proxies hold only anchors that are not in the current trust bundle: they cannot verify peers until restarted (linkerd check --proxy)",
      }),
    ]);
    expect(
      objects.evaluate(ledger, [pod('ledger-1', current.pem)]).certificates,
    ).toBeUndefined();
  });

  it("fails the anchors while trust-manager's Bundle that writes them is not Synced", async () => {
    const anchor = await testCa('root.linkerd.cluster.local');
    const objects = (synced: 'True' | 'False'): FakeObject[] => [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'linkerd-identity-trust-roots',
          namespace: 'linkerd',
        },
        data: { 'ca-bundle.crt': anchor.pem },
      },
      // As trust-manager reports it (cert-manager/trust-manager
      // pkg/bundle/bundle.go: Synced False, SourceNotFound).
      {
        apiVersion: 'trust.cert-manager.io/v1alpha1',
        kind: 'Bundle',
        metadata: { name: 'linkerd-identity-trust-roots' },
        spec: {
          sources: [
            { secret: { name: 'linkerd-trust-anchor', key: 'tls.crt' } },
          ],
          target: { configMap: { key: 'ca-bundle.crt' } },
        },
        status: {
          conditions: [
            synced === 'True'
              ? { type: 'Synced', status: 'True', reason: 'Synced' }
              : {
                  type: 'Synced',
                  status: 'False',
                  reason: 'SourceNotFound',
                  message:
                    'Bundle source was not found: failed to retrieve bundle from source: secrets "linkerd-trust-anchor" not found',
                },
          ],
        },
      },
    ];
    const read = (synced: 'True' | 'False') =>
      new LinkerdObjectAdapter().read(
        objectSourceOf(objects(synced)),
        cluster('linkerd'),
        ['payments'],
        new Date(),
      );
    const broken = await read('False');
    expect(
      broken.certificates.find(c => c.role === 'trust-anchor')?.problem,
    ).toBe(
      'trust-manager reports its Bundle not Synced (SourceNotFound): Bundle source was not found: failed to retrieve bundle from source: secrets "linkerd-trust-anchor" not found; the anchors read may be out of date',
    );
    const fine = await read('True');
    expect(
      fine.certificates.find(c => c.role === 'trust-anchor'),
    ).not.toHaveProperty('problem');
  });

  it("reads the webhooks' cert-manager Certificates, and fails one cert-manager cannot issue", async () => {
    // As Linkerd's docs set them up (Secrets `<webhook>-k8s-tls`), with
    // cert-manager's status.
    const webhook = (name: string, ready: 'True' | 'False'): FakeObject => ({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name, namespace: 'linkerd' },
      spec: {
        secretName: `${name}-k8s-tls`,
        commonName: `${name}.linkerd.svc`,
        duration: '24h',
        renewBefore: '1h',
      },
      status: {
        notBefore: at(0).toISOString(),
        notAfter: at(1).toISOString(),
        conditions: [
          ready === 'True'
            ? { type: 'Ready', status: 'True', reason: 'Ready' }
            : {
                type: 'Ready',
                status: 'False',
                reason: 'Failed',
                message: 'The certificate request has failed to complete',
              },
        ],
      },
    });
    const objects = await new LinkerdObjectAdapter().read(
      objectSourceOf([
        webhook('linkerd-proxy-injector', 'True'),
        webhook('linkerd-policy-validator', 'False'),
        // Not a webhook's: left alone.
        webhook('payments-api-ingress', 'False'),
      ]),
      cluster('linkerd'),
      ['payments'],
      now,
    );
    expect(
      objects.certificates
        .filter(c => c.role === 'webhook')
        .map(c => [c.subject, c.problem]),
    ).toEqual([
      ['linkerd-proxy-injector.linkerd.svc', undefined],
      [
        'linkerd-policy-validator.linkerd.svc',
        'cert-manager reports it not Ready (Failed): The certificate request has failed to complete',
      ],
    ]);
  });

  it('reports a trust bundle that is not PEM as invalid', async () => {
    const objects: FakeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'linkerd-identity-trust-roots',
          namespace: 'linkerd',
        },
        data: { 'ca-bundle.crt': 'not a certificate' },
      },
    ];
    await expect(
      new LinkerdObjectAdapter().read(
        objectSourceOf(objects),
        cluster('linkerd'),
        ['payments'],
        now,
      ),
    ).rejects.toMatchObject({ status: 'invalid-response' });
  });
});

describe('IstioObjectAdapter', () => {
  it('reads the root certificate and judges the policies', async () => {
    const root = await selfSignedPem({
      commonName: 'Demo Bank PCI Root CA',
      notBefore: at(-335),
      notAfter: at(30),
    });
    const cardPod: KubernetesPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'card-issuing-1',
        namespace: 'cards',
        labels: { app: 'card-issuing' },
      },
      spec: {
        containers: [
          {
            name: 'card-issuing',
            ports: [{ name: 'http', containerPort: 8080 }],
          },
          { name: 'istio-proxy' },
        ],
      },
    };
    const objects: FakeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio-ca-root-cert', namespace: 'cards' },
        data: { 'root-cert.pem': root },
      },
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'istio-system' },
        spec: { mtls: { mode: 'STRICT' } },
      },
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'card-issuing', namespace: 'cards' },
        spec: {
          selector: { matchLabels: { app: 'card-issuing' } },
          rules: [
            {
              from: [
                {
                  source: {
                    serviceAccounts: ['istio-system/istio-ingressgateway'],
                  },
                },
              ],
            },
          ],
        },
      },
    ];
    const read = await new IstioObjectAdapter().read(
      objectSourceOf(objects),
      cluster('istio'),
      ['cards'],
      now,
    );
    expect(
      read.certificates.map(c => [c.role, c.subject, c.daysToExpiry]),
    ).toEqual([['root', 'Demo Bank PCI Root CA', 30]]);
    const evaluation = read.evaluate(
      {
        cluster: 'prod',
        namespace: 'cards',
        kind: 'Deployment',
        name: 'card-issuing',
      },
      [cardPod],
    );
    expect(evaluation.ports.map(p => [p.port, p.access, p.mtlsMode])).toEqual([
      ['8080 (http)', 'deny', 'STRICT'],
      ['*', 'deny', 'STRICT'],
    ]);
    expect(evaluation.admitted.map(a => a.identity)).toEqual([
      '*/ns/istio-system/sa/istio-ingressgateway',
    ]);
  });
});
