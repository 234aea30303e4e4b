import type { KubernetesObject } from '@mesh-posture/plugin-mesh-posture-node';
import {
  evaluateIstioEgress,
  IstioEgressObjects,
  meshOutboundMode,
  revisionMeshModes,
  sidecarFor,
} from './istioEgress';

const workload = {
  cluster: 'pci',
  namespace: 'cards',
  kind: 'Deployment' as const,
  name: 'card-issuing',
};
const pod = (annotations: Record<string, string> = {}) => ({
  metadata: {
    name: 'card-issuing-1',
    namespace: 'cards',
    labels: { app: 'card-issuing' },
    annotations,
  },
  spec: { containers: [] },
});

// Shapes as networking.istio.io/v1 serves them (istio/api
// networking/v1alpha3/sidecar.proto, service_entry.proto).
function sidecar(
  name: string,
  namespace: string,
  spec: object,
  created = '2026-01-01T00:00:00Z',
): KubernetesObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name, namespace, creationTimestamp: created },
    spec,
  };
}

const cardNetwork: KubernetesObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'card-network', namespace: 'cards' },
  spec: {
    hosts: ['api.cardnetwork.example'],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
    ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
    exportTo: ['.'],
  },
};

function objects(overrides: Partial<IstioEgressObjects>): IstioEgressObjects {
  return {
    sidecars: [],
    serviceEntries: [cardNetwork],
    destinationRules: [],
    meshMode: 'ALLOW_ANY',
    meshModeSource: 'mesh config istio-system/istio, the default',
    rootNamespace: 'istio-system',
    ...overrides,
  };
}

describe('meshOutboundMode', () => {
  it('reads the mesh config, and takes its absence for ALLOW_ANY (istio/istio pkg/config/mesh/mesh.go)', () => {
    expect(
      meshOutboundMode('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n'),
    ).toEqual({ mode: 'REGISTRY_ONLY', explicit: true });
    expect(meshOutboundMode('trustDomain: cluster.local\n')).toEqual({
      mode: 'ALLOW_ANY',
      explicit: false,
    });
    expect(meshOutboundMode(undefined)).toBeUndefined();
    expect(
      meshOutboundMode('outboundTrafficPolicy: [unclosed'),
    ).toBeUndefined();
  });
});

describe('sidecarFor', () => {
  it("picks a matching selector first, then the namespace's, then the root's (push_context.go)", () => {
    const selected = sidecar('issuing-only', 'cards', {
      workloadSelector: { labels: { app: 'card-issuing' } },
    });
    const other = sidecar('vault-only', 'cards', {
      workloadSelector: { labels: { app: 'card-vault' } },
    });
    const namespaceDefault = sidecar('default', 'cards', {});
    const root = sidecar('default', 'istio-system', {});
    const all = [root, namespaceDefault, other, selected];
    const labels = { app: 'card-issuing' };
    const pick = (sidecars: KubernetesObject[]) => {
      const found = sidecarFor('cards', labels, {
        sidecars,
        rootNamespace: 'istio-system',
      });
      return typeof found === 'string'
        ? found
        : found && `${found.metadata.namespace}/${found.metadata.name}`;
    };
    expect(pick(all)).toBe('cards/issuing-only');
    expect(pick([root, namespaceDefault, other])).toBe('cards/default');
    expect(pick([root, other])).toBe('istio-system/default');
    expect(pick([other])).toBeUndefined();
    // An empty selector is a selector, matching every workload.
    expect(
      pick([sidecar('everyone', 'cards', { workloadSelector: {} }), root]),
    ).toBe('cards/everyone');
    // Two at one level: undefined upstream, so nothing to judge on.
    expect(
      pick([
        namespaceDefault,
        sidecar('another', 'cards', {}, '2026-02-01T00:00:00Z'),
      ]),
    ).toBe('ambiguous');
  });
});

/** A workload of the fixture under a mesh config that says REGISTRY_ONLY. */
const underRegistryOnly = (overrides: Partial<IstioEgressObjects>) =>
  evaluateIstioEgress(
    workload,
    [pod()],
    objects({
      meshMode: 'REGISTRY_ONLY',
      meshModeSource: 'mesh config istio-system/istio',
      ...overrides,
    }),
  );

describe('evaluateIstioEgress', () => {
  it('is open under the mesh default, with the ServiceEntries the namespace sees', () => {
    expect(evaluateIstioEgress(workload, [pod()], objects({}))).toEqual({
      workload,
      mode: 'open',
      decidedBy: 'mesh config istio-system/istio, the default (ALLOW_ANY)',
      declared: [
        {
          host: 'api.cardnetwork.example',
          ports: ['TLS 443'],
          by: 'ServiceEntry cards/card-network',
        },
      ],
    });
  });

  it("takes a Sidecar's policy whole: an empty one is REGISTRY_ONLY, the proto's zero value", () => {
    const strict = evaluateIstioEgress(
      workload,
      [pod()],
      objects({
        sidecars: [sidecar('default', 'cards', { outboundTrafficPolicy: {} })],
      }),
    );
    expect(strict).toMatchObject({
      mode: 'declared-only',
      decidedBy: 'Sidecar cards/default (REGISTRY_ONLY, an empty mode)',
    });
    // A Sidecar without a policy leaves the mesh's mode.
    expect(
      underRegistryOnly({
        sidecars: [sidecar('default', 'cards', { egress: [] })],
      }),
    ).toMatchObject({
      mode: 'declared-only',
      decidedBy:
        'mesh config istio-system/istio (REGISTRY_ONLY), Sidecar cards/default leaving it',
    });
  });

  it('hides ServiceEntries not exported to the namespace, and those inside the mesh', () => {
    const elsewhere = {
      ...cardNetwork,
      metadata: { name: 'elsewhere', namespace: 'batch' },
      spec: { ...cardNetwork.spec, hosts: ['batch.example'], exportTo: ['.'] },
    };
    const internal = {
      ...cardNetwork,
      metadata: { name: 'vm', namespace: 'cards' },
      spec: { hosts: ['vm.internal'], location: 'MESH_INTERNAL' },
    };
    const everywhere = {
      ...cardNetwork,
      metadata: { name: 'shared', namespace: 'platform' },
      spec: { hosts: ['shared.example'] },
    };
    expect(
      evaluateIstioEgress(
        workload,
        [pod()],
        objects({
          serviceEntries: [cardNetwork, elsewhere, internal, everywhere],
        }),
      )!.declared.map(d => d.host),
    ).toEqual(['api.cardnetwork.example', 'shared.example']);
  });

  it('names the DestinationRule that makes the sidecar originate TLS to a host (egress-tls-origination)', () => {
    const originate: KubernetesObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'card-network-tls', namespace: 'cards' },
      spec: {
        host: 'api.cardnetwork.example',
        trafficPolicy: {
          portLevelSettings: [
            { port: { number: 80 }, tls: { mode: 'SIMPLE' } },
          ],
        },
      },
    };
    const [entry] = evaluateIstioEgress(
      workload,
      [pod()],
      objects({ destinationRules: [originate] }),
    )!.declared;
    expect(entry.tlsOriginatedBy).toBe(
      'DestinationRule cards/card-network-tls',
    );
    const [plain] = evaluateIstioEgress(
      workload,
      [pod()],
      objects({
        destinationRules: [
          { ...originate, spec: { host: 'api.cardnetwork.example' } },
        ],
      }),
    )!.declared;
    expect(plain.tlsOriginatedBy).toBeUndefined();
  });

  it('is open under REGISTRY_ONLY where a ServiceEntry admits any address on a TCP port', () => {
    const anyPostgres: KubernetesObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'any-postgres', namespace: 'cards' },
      spec: {
        hosts: ['postgres.external'],
        ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }],
      },
    };
    expect(
      underRegistryOnly({
        serviceEntries: [cardNetwork, anyPostgres],
      }),
    ).toMatchObject({
      mode: 'open',
      decidedBy:
        'mesh config istio-system/istio (REGISTRY_ONLY), but ServiceEntry cards/any-postgres admits any address on TCP port 5432 (resolution NONE, no addresses)',
    });
    // With addresses, or DNS resolution, it declares what it names.
    expect(
      evaluateIstioEgress(
        workload,
        [pod()],
        objects({
          meshMode: 'REGISTRY_ONLY',
          serviceEntries: [
            {
              ...anyPostgres,
              spec: { ...anyPostgres.spec, addresses: ['203.0.113.7/32'] },
            },
          ],
        }),
      )!.mode,
    ).toBe('declared-only');
  });

  it('is open in ambient mode, which has no outbound policy (istio/ztunnel)', () => {
    expect(
      evaluateIstioEgress(
        workload,
        [pod({ 'ambient.istio.io/redirection': 'enabled' })],
        objects({ meshMode: 'REGISTRY_ONLY' }),
      ),
    ).toMatchObject({ mode: 'open' });
  });

  it("is unknown for two Sidecars at one level, and for a revision's pods whose mesh config is not read", () => {
    expect(
      evaluateIstioEgress(
        workload,
        [pod()],
        objects({
          sidecars: [
            sidecar('a', 'cards', { outboundTrafficPolicy: {} }),
            sidecar('b', 'cards', { outboundTrafficPolicy: {} }),
          ],
        }),
      ),
    ).toBeUndefined();
    const revisioned = {
      ...pod(),
      metadata: {
        ...pod().metadata,
        labels: { app: 'card-issuing', 'istio.io/rev': 'canary-1-30' },
      },
    };
    expect(
      evaluateIstioEgress(
        workload,
        [revisioned],
        objects({ meshMode: 'REGISTRY_ONLY' }),
      ),
    ).toBeUndefined();
  });

  it("judges a revision's pods on that revision's own mesh config", () => {
    // As istio/istio manifests/charts/istio-control/istio-discovery/
    // templates/configmap.yaml renders it for revision canary-1-30.
    const configMap = (name: string, revision: string, mesh: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: 'istio-system',
        labels: { 'istio.io/rev': revision, release: 'istiod' },
      },
      data: { meshNetworks: 'networks: {}', mesh },
    });
    const modes = revisionMeshModes([
      configMap('istio', 'default', 'rootNamespace: istio-system'),
      configMap(
        'istio-canary-1-30',
        'canary-1-30',
        'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\nrootNamespace: istio-system',
      ),
      configMap('istio-stable', 'stable', 'rootNamespace: istio-system'),
      // Name and label disagree: not that revision's config.
      configMap('istio-other', 'canary-2', 'outboundTrafficPolicy: {}'),
    ]);
    expect([...modes]).toEqual([
      [
        'canary-1-30',
        {
          mode: 'REGISTRY_ONLY',
          source: 'mesh config istio-system/istio-canary-1-30',
        },
      ],
      [
        'stable',
        {
          mode: 'ALLOW_ANY',
          source: 'mesh config istio-system/istio-stable, the default',
        },
      ],
    ]);
    const revisioned = (revision: string) => ({
      ...pod(),
      metadata: {
        ...pod().metadata,
        labels: { app: 'card-issuing', 'istio.io/rev': revision },
      },
    });
    // The default config says ALLOW_ANY; the canary revision refuses.
    expect(
      evaluateIstioEgress(
        workload,
        [revisioned('canary-1-30')],
        objects({ meshMode: 'ALLOW_ANY', revisionModes: modes }),
      ),
    ).toMatchObject({
      mode: 'declared-only',
      decidedBy: 'mesh config istio-system/istio-canary-1-30 (REGISTRY_ONLY)',
    });
    expect(
      evaluateIstioEgress(
        workload,
        [revisioned('stable')],
        objects({ meshMode: 'REGISTRY_ONLY', revisionModes: modes }),
      ),
    ).toMatchObject({ mode: 'open' });
    // A revision whose config was not found stays unknown.
    expect(
      evaluateIstioEgress(
        workload,
        [revisioned('canary-2')],
        objects({ meshMode: 'REGISTRY_ONLY', revisionModes: modes }),
      ),
    ).toBeUndefined();
  });

  it('is open where a ServiceEntry admits every host of a top-level domain', () => {
    // resolution DYNAMIC_DNS forwards whatever name arrives under the
    // wildcard (istio/api networking/v1alpha3/service_entry.proto).
    const dotCom: KubernetesObject = {
      ...cardNetwork,
      metadata: { name: 'anything-dot-com', namespace: 'cards' },
      spec: {
        hosts: ['*.com'],
        location: 'MESH_EXTERNAL',
        resolution: 'DYNAMIC_DNS',
        ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
      },
    };
    expect(
      evaluateIstioEgress(
        workload,
        [pod()],
        objects({ meshMode: 'REGISTRY_ONLY', serviceEntries: [dotCom] }),
      ),
    ).toMatchObject({
      mode: 'open',
      decidedBy:
        'mesh config istio-system/istio, the default (REGISTRY_ONLY), but ServiceEntry cards/anything-dot-com admits every host of *.com',
    });
    // A named domain's wildcard declares that domain.
    const partner = {
      ...dotCom,
      spec: { ...dotCom.spec, hosts: ['*.partner.example'] },
    };
    expect(
      evaluateIstioEgress(
        workload,
        [pod()],
        objects({ meshMode: 'REGISTRY_ONLY', serviceEntries: [partner] }),
      )?.mode,
    ).toBe('declared-only');
  });

  it('is unknown without the mesh config unless a Sidecar decides', () => {
    expect(
      evaluateIstioEgress(workload, [pod()], objects({ meshMode: undefined })),
    ).toBeUndefined();
    expect(
      evaluateIstioEgress(
        workload,
        [pod()],
        objects({
          meshMode: undefined,
          sidecars: [
            sidecar('default', 'cards', {
              outboundTrafficPolicy: { mode: 'ALLOW_ANY' },
            }),
          ],
        }),
      ),
    ).toMatchObject({ mode: 'open' });
  });
});
