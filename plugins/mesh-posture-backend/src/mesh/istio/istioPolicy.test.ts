import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  evaluateIstioAuthorization,
  normalizePrincipal,
  resolvePeerAuthentication,
} from './istioPolicy';

const cardIssuing: WorkloadRef = {
  cluster: 'pci',
  namespace: 'cards',
  kind: 'Deployment',
  name: 'card-issuing',
};

const pod: KubernetesPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'card-issuing-5d4f-abcde',
    namespace: 'cards',
    labels: { app: 'card-issuing' },
    annotations: { 'sidecar.istio.io/status': '{}' },
  },
  spec: {
    serviceAccountName: 'card-issuing',
    containers: [
      {
        name: 'card-issuing',
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'admin', containerPort: 9000 },
        ],
      },
      {
        name: 'istio-proxy',
        ports: [{ name: 'http-envoy-prom', containerPort: 15090 }],
      },
    ],
  },
};

let created = 0;
function obj(
  kind: string,
  namespace: string,
  name: string,
  spec: any,
): KubernetesObject {
  created++;
  return {
    apiVersion: 'security.istio.io/v1',
    kind,
    metadata: {
      name,
      namespace,
      creationTimestamp: `2026-01-${String(created).padStart(
        2,
        '0',
      )}T00:00:00Z`,
    },
    spec,
  };
}

const meshStrict = obj('PeerAuthentication', 'istio-system', 'default', {
  mtls: { mode: 'STRICT' },
});
const nsPermissive = obj('PeerAuthentication', 'cards', 'default', {
  mtls: { mode: 'PERMISSIVE' },
});
const workloadUnset = obj('PeerAuthentication', 'cards', 'card-issuing', {
  selector: { matchLabels: { app: 'card-issuing' } },
  mtls: { mode: 'UNSET' },
  portLevelMtls: { 9000: { mode: 'DISABLE' } },
});
const allowIngress = obj(
  'AuthorizationPolicy',
  'cards',
  'card-issuing-callers',
  {
    selector: { matchLabels: { app: 'card-issuing' } },
    action: 'ALLOW',
    rules: [
      {
        from: [
          {
            source: {
              principals: [
                'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
              ],
            },
          },
        ],
        to: [{ operation: { methods: ['POST'], paths: ['/v1/cards*'] } }],
      },
    ],
  },
);

function evaluate(
  peerAuthentications: KubernetesObject[],
  authorizationPolicies: KubernetesObject[],
) {
  return evaluateIstioAuthorization({
    workload: cardIssuing,
    pods: [pod],
    rootNamespace: 'istio-system',
    objects: { peerAuthentications, authorizationPolicies },
  });
}

describe('resolvePeerAuthentication', () => {
  it('is PERMISSIVE with no policy at all', () => {
    expect(
      resolvePeerAuthentication({
        namespace: 'cards',
        rootNamespace: 'istio-system',
        labels: pod.metadata.labels,
        peerAuthentications: [],
      }),
    ).toMatchObject({ mode: 'PERMISSIVE', from: 'Istio default' });
  });

  it('lets namespace override mesh, and UNSET inherit, with port-level modes', () => {
    const resolved = resolvePeerAuthentication({
      namespace: 'cards',
      rootNamespace: 'istio-system',
      labels: pod.metadata.labels,
      peerAuthentications: [meshStrict, nsPermissive, workloadUnset],
    });
    expect(resolved.mode).toBe('PERMISSIVE');
    expect(resolved.from).toBe('PeerAuthentication cards/default');
    expect(resolved.ports.get(9000)).toBe('DISABLE');
  });

  it('takes the mesh-wide policy from the root namespace only', () => {
    const elsewhere = obj('PeerAuthentication', 'other', 'default', {
      mtls: { mode: 'DISABLE' },
    });
    expect(
      resolvePeerAuthentication({
        namespace: 'cards',
        rootNamespace: 'istio-system',
        labels: pod.metadata.labels,
        peerAuthentications: [meshStrict, elsewhere],
      }).mode,
    ).toBe('STRICT');
  });
});

describe('evaluateIstioAuthorization', () => {
  it('is default-deny with STRICT mTLS and an ALLOW policy naming principals', () => {
    const result = evaluate([meshStrict], [allowIngress]);
    expect(result.ports.map(p => [p.port, p.access, p.mtlsMode])).toEqual([
      ['8080 (http)', 'deny', 'STRICT'],
      ['9000 (admin)', 'deny', 'STRICT'],
      ['*', 'deny', 'STRICT'],
    ]);
    expect(result.admitted).toEqual([
      {
        identity:
          'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
        grantedBy: ['AuthorizationPolicy cards/card-issuing-callers'],
      },
    ]);
  });

  it('is open without an ALLOW policy under PERMISSIVE, authenticated under STRICT', () => {
    expect(evaluate([], []).ports.map(p => p.access)).toEqual([
      'open',
      'open',
      'open',
    ]);
    expect(evaluate([meshStrict], []).ports[0]).toMatchObject({
      access: 'authenticated',
      explanation:
        'mTLS STRICT (PeerAuthentication istio-system/default); no ALLOW policy: every caller not denied is allowed',
    });
  });

  it('treats an ALLOW policy without rules as allow-nothing', () => {
    const allowNothing = obj(
      'AuthorizationPolicy',
      'cards',
      'allow-nothing',
      {},
    );
    const result = evaluate([meshStrict], [allowNothing]);
    expect(result.ports[0].access).toBe('deny');
    expect(result.ports[0].explanation).toContain(
      'ALLOW policy with no rules: all traffic denied',
    );
    expect(result.admitted).toEqual([]);
  });

  it('treats a rule without `from` as admitting everyone', () => {
    const allowAll = obj('AuthorizationPolicy', 'cards', 'allow-all', {
      rules: [{}],
    });
    expect(evaluate([meshStrict], [allowAll]).ports[0].access).toBe(
      'authenticated',
    );
    expect(evaluate([], [allowAll]).ports[0].access).toBe('open');
  });

  it('applies root-namespace policies mesh-wide and ignores other namespaces', () => {
    const meshDeny = obj('AuthorizationPolicy', 'istio-system', 'deny-all', {});
    const otherNs = obj('AuthorizationPolicy', 'payments', 'allow-all', {
      rules: [{}],
    });
    expect(evaluate([meshStrict], [meshDeny, otherNs]).ports[0].access).toBe(
      'deny',
    );
  });

  it('makes a port with DISABLE accept plaintext from ip blocks', () => {
    const fromNetwork = obj('AuthorizationPolicy', 'cards', 'from-lb', {
      rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }],
    });
    const result = evaluate([meshStrict, workloadUnset], [fromNetwork]);
    const admin = result.ports.find(p => p.port === '9000 (admin)')!;
    expect(admin).toMatchObject({ mtlsMode: 'DISABLE', access: 'cluster' });
    expect(admin.grants[0]).toMatchObject({
      networks: ['10.0.0.0/8'],
      unauthenticated: true,
    });
    // Under STRICT the same grant admits any client with a mesh identity
    // from those networks: no identity is named, so it is not default-deny.
    const http = result.ports.find(p => p.port === '8080 (http)')!;
    expect(http).toMatchObject({ mtlsMode: 'STRICT', access: 'authenticated' });
  });

  it('notes policies it cannot judge', () => {
    const custom = obj('AuthorizationPolicy', 'cards', 'ext-authz', {
      action: 'CUSTOM',
      provider: { name: 'opa' },
      rules: [{}],
    });
    const waypoint = obj('AuthorizationPolicy', 'cards', 'waypoint', {
      targetRefs: [{ kind: 'Gateway', name: 'waypoint' }],
    });
    expect(evaluate([meshStrict], [custom, waypoint]).notes).toEqual([
      "AuthorizationPolicy cards/waypoint targets a gateway or waypoint: it applies there, to traffic sent through it; traffic to the pods' own addresses reaches them past it (a waypoint serves services by default: istio.io/waypoint-for), so the pods' own policies are what is judged here",
      'AuthorizationPolicy cards/ext-authz delegates to an external authorizer (CUSTOM), which can only refuse more; not judged here',
    ]);
  });
});

/*
 * From istio/istio (86c9f01f, 2026-08-22): `principals: ["*"]` becomes the
 * authenticated regex `.+` and `namespaces` the regex `.*\/ns/<ns>/.*`
 * (pilot/pkg/security/authz/matcher/string.go, model/generator.go): both
 * match only mTLS callers. `notPrincipals`/`notNamespaces` become the
 * negation of that match, which holds for plaintext
 * (tests/integration/security/testdata/authz/plaintext.yaml.tmpl). DENY
 * `rules: [{}]` denies everything (builder/testdata/http/deny-empty-rule).
 * `to.operation.ports` restricts a rule to those destination ports.
 */
describe('evaluateIstioAuthorization as Istio evaluates it', () => {
  const port = (result: ReturnType<typeof evaluate>, name: string) =>
    result.ports.find(p => p.port === name)!;

  it('reads principals: ["*"] as any authenticated caller, and lists it', () => {
    const anyAuthenticated = obj('AuthorizationPolicy', 'cards', 'mesh-only', {
      rules: [{ from: [{ source: { principals: ['*'] } }] }],
    });
    const result = evaluate([meshStrict], [anyAuthenticated]);
    expect(port(result, '8080 (http)').access).toBe('authenticated');
    expect(result.admitted).toEqual([
      { identity: '*', grantedBy: ['AuthorizationPolicy cards/mesh-only'] },
    ]);
  });

  it('reads a trust-domain-wide principal prefix as any authenticated caller', () => {
    const prefix = obj('AuthorizationPolicy', 'cards', 'whole-domain', {
      rules: [{ from: [{ source: { principals: ['cluster.local/*'] } }] }],
    });
    expect(port(evaluate([meshStrict], [prefix]), '8080 (http)').access).toBe(
      'authenticated',
    );
  });

  it('ignores a dry-run policy: it is logged, not enforced', () => {
    const dryRun = {
      ...obj('AuthorizationPolicy', 'cards', 'trial', {
        rules: [
          { from: [{ source: { principals: ['cluster.local/ns/a/sa/b'] } }] },
        ],
      }),
    };
    dryRun.metadata.annotations = { 'istio.io/dry-run': 'true' };
    const result = evaluate([nsPermissive], [dryRun]);
    expect(port(result, '8080 (http)').access).toBe('open');
    expect(result.notes).toContain(
      'AuthorizationPolicy cards/trial is a dry run (istio.io/dry-run): logged, not enforced',
    );
  });

  it('reads namespaces: ["*"] as any authenticated caller', () => {
    const anyNamespace = obj('AuthorizationPolicy', 'cards', 'any-ns', {
      rules: [{ from: [{ source: { namespaces: ['*'] } }] }],
    });
    expect(
      port(evaluate([meshStrict], [anyNamespace]), '8080 (http)').access,
    ).toBe('authenticated');
  });

  it('reads the namespace-isolation DENY as narrowed to the namespace', () => {
    // The pattern Istio's docs give: refuse everything not from "cards".
    const isolation = obj('AuthorizationPolicy', 'cards', 'ns-isolation', {
      action: 'DENY',
      rules: [{ from: [{ source: { notNamespaces: ['cards'] } }] }],
    });
    // Even under PERMISSIVE: plaintext has no namespace and is refused.
    const result = evaluate([nsPermissive], [isolation]);
    expect(port(result, '8080 (http)')).toMatchObject({
      mtlsMode: 'PERMISSIVE',
      access: 'deny',
    });
    expect(port(result, '8080 (http)').explanation).toContain(
      'AuthorizationPolicy cards/ns-isolation refuses all but */ns/cards/sa/*',
    );
    expect(result.admitted).toEqual([
      {
        identity: '*/ns/cards/sa/*',
        grantedBy: ['AuthorizationPolicy cards/ns-isolation'],
      },
    ]);
  });

  it('refuses every caller on DENY rules: [{}], and plaintext on DENY notPrincipals: ["*"]', () => {
    const denyAll = obj('AuthorizationPolicy', 'cards', 'deny-all', {
      action: 'DENY',
      rules: [{}],
    });
    expect(
      port(evaluate([nsPermissive], [denyAll]), '8080 (http)').access,
    ).toBe('deny');
    const denyPlaintext = obj('AuthorizationPolicy', 'cards', 'mtls-only', {
      action: 'DENY',
      rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }],
    });
    expect(
      port(evaluate([nsPermissive], [denyPlaintext]), '8080 (http)').access,
    ).toBe('authenticated');
  });

  it('takes DENY principals out of what an ALLOW admits', () => {
    const allow = obj('AuthorizationPolicy', 'cards', 'callers', {
      rules: [
        {
          from: [
            {
              source: {
                principals: [
                  'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
                  'cluster.local/ns/batch/sa/reconciliation',
                ],
              },
            },
          ],
        },
      ],
    });
    const deny = obj('AuthorizationPolicy', 'cards', 'no-batch', {
      action: 'DENY',
      rules: [{ from: [{ source: { namespaces: ['batch'] } }] }],
    });
    expect(evaluate([meshStrict], [allow, deny]).admitted).toEqual([
      {
        identity:
          'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
        grantedBy: ['AuthorizationPolicy cards/callers'],
      },
    ]);
  });

  it('does not count a DENY of some paths as narrowing who may call', () => {
    const denyAdmin = obj('AuthorizationPolicy', 'cards', 'no-admin-paths', {
      action: 'DENY',
      rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }],
    });
    const result = evaluate([nsPermissive], [denyAdmin]);
    expect(port(result, '8080 (http)').access).toBe('open');
    expect(result.notes).toContain(
      'AuthorizationPolicy cards/no-admin-paths refuses only some requests (operations or conditions), so it is not counted as narrowing who may call',
    );
  });

  it('applies rules to the ports they name, and not to the others', () => {
    const httpOnly = obj('AuthorizationPolicy', 'cards', 'http-callers', {
      rules: [
        {
          from: [{ source: { principals: ['*'] } }],
          to: [{ operation: { ports: ['8080'] } }],
        },
      ],
    });
    const result = evaluate([meshStrict], [httpOnly]);
    expect(port(result, '8080 (http)').access).toBe('authenticated');
    // An ALLOW policy exists and no rule covers 9000: nothing is admitted.
    expect(port(result, '9000 (admin)')).toMatchObject({
      access: 'deny',
      grants: [],
    });
  });
});

describe('normalizePrincipal', () => {
  it('compares metric and policy principals', () => {
    expect(normalizePrincipal('spiffe://cluster.local/ns/a/sa/b')).toBe(
      'cluster.local/ns/a/sa/b',
    );
    expect(normalizePrincipal('cluster.local/ns/a/sa/b')).toBe(
      'cluster.local/ns/a/sa/b',
    );
  });
});
