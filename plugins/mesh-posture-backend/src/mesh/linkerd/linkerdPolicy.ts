import type {
  AuthorizationGrant,
  PortAccess,
  PortAuthorization,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesContainer,
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import { plural } from '@mesh-posture/plugin-mesh-posture-common';
import { isMeshWide } from '../identities';
import { objectSelectorMatches } from '../selectors';

/*
 * Linkerd's inbound authorization, read from its policy resources
 * (policy.linkerd.io): a `Server` selects a port of some pods; traffic to it
 * is denied unless an `AuthorizationPolicy` (targeting the Server, its
 * Namespace or one of its HTTPRoutes) or a legacy `ServerAuthorization`
 * admits it, or the Server's `accessPolicy` says otherwise. Ports no Server
 * selects follow the default inbound policy.
 */

export const DEFAULT_POLICY_ANNOTATION =
  'config.linkerd.io/default-inbound-policy';
const DEFAULT_POLICY_ENV = 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY';
const PROXY_CONTAINER = 'linkerd-proxy';
/** The proxy's own ports, never application ports. */
const PROXY_PORTS = new Set([4140, 4143, 4191]);

export const LINKERD_DEFAULT_POLICIES = [
  'all-unauthenticated',
  'all-authenticated',
  'cluster-authenticated',
  'cluster-unauthenticated',
  'deny',
  'audit',
] as const;

export interface LinkerdPolicyObjects {
  namespace?: KubernetesObject;
  servers: KubernetesObject[];
  authorizationPolicies: KubernetesObject[];
  meshTLSAuthentications: KubernetesObject[];
  networkAuthentications: KubernetesObject[];
  serverAuthorizations: KubernetesObject[];
  httpRoutes: KubernetesObject[];
}

export interface LinkerdEvaluation {
  ports: PortAuthorization[];
  admitted: Array<{ identity: string; grantedBy: string[] }>;
  /** Policies the controller ignores, and why. */
  notes: string[];
  /**
   * Routes (`HTTPRoute/<name>`, as `route_kind`/`route_name` report them)
   * that carry only the pod's kubelet probes: their plaintext is by design.
   */
  probeRoutes: string[];
}

/** Where identities are minted: `<sa>.<ns>.serviceaccount.identity.<controlPlaneNamespace>.<trustDomain>`. */
export interface LinkerdIdentityDomain {
  controlPlaneNamespace: string;
  trustDomain: string;
}

const ALL_NETWORKS = new Set(['0.0.0.0/0', '::/0']);

function ref(kind: string, o: KubernetesObject): string {
  return `${kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function byAge(a: KubernetesObject, b: KubernetesObject): number {
  return (
    (a.metadata.creationTimestamp ?? '').localeCompare(
      b.metadata.creationTimestamp ?? '',
    ) || a.metadata.name.localeCompare(b.metadata.name)
  );
}

function proxyOf(pod: KubernetesPod): KubernetesContainer | undefined {
  return (
    pod.spec?.containers?.find(c => c.name === PROXY_CONTAINER) ??
    pod.spec?.initContainers?.find(
      c => c.name === PROXY_CONTAINER && c.restartPolicy === 'Always',
    )
  );
}

/**
 * The effective default inbound policy of a pod: the proxy's environment is
 * what the injector resolved (pod annotation, then namespace annotation, then
 * the cluster default); without it, the annotations.
 */
export function defaultInboundPolicy(
  pod: KubernetesPod,
  namespace?: KubernetesObject,
): { policy: string; from: string } {
  const env = proxyOf(pod)?.env?.find(
    e => e.name === DEFAULT_POLICY_ENV,
  )?.value;
  if (env) return { policy: env, from: 'proxy configuration' };
  const podAnnotation = pod.metadata.annotations?.[DEFAULT_POLICY_ANNOTATION];
  if (podAnnotation) return { policy: podAnnotation, from: 'pod annotation' };
  const nsAnnotation =
    namespace?.metadata.annotations?.[DEFAULT_POLICY_ANNOTATION];
  if (nsAnnotation)
    return { policy: nsAnnotation, from: 'namespace annotation' };
  return { policy: 'all-unauthenticated', from: 'Linkerd default' };
}

/** What a default policy or a Server accessPolicy allows, as port access. */
export function accessOfPolicy(policy: string): PortAccess {
  switch (policy) {
    case 'deny':
      return 'deny';
    case 'all-authenticated':
    case 'cluster-authenticated':
      return 'authenticated';
    case 'cluster-unauthenticated':
      return 'cluster';
    case 'audit':
      return 'audit';
    case 'all-unauthenticated':
    default:
      // Unknown values are treated as the most open, never as safe.
      return 'open';
  }
}

/**
 * The identity of a ServiceAccount in Linkerd's format; the control plane's
 * namespace is part of it (linkerd/linkerd2 policy-controller/k8s/index/src/
 * cluster_info.rs `service_account_identity`).
 */
export function serviceAccountIdentity(
  name: string,
  namespace: string,
  domain: LinkerdIdentityDomain,
): string {
  return `${name}.${namespace}.serviceaccount.identity.${domain.controlPlaneNamespace}.${domain.trustDomain}`;
}

function find(
  list: KubernetesObject[],
  name: string,
  namespace: string,
): KubernetesObject | undefined {
  return list.find(
    o =>
      o.metadata.name === name &&
      (o.metadata.namespace ?? namespace) === namespace,
  );
}

/**
 * The grant an AuthorizationPolicy makes: all its authentications must
 * hold. A policy whose MeshTLSAuthentication or NetworkAuthentication does
 * not exist (or is invalid), or that names more than one of either, is
 * ignored by the controller: "Illegal AuthorizationPolicy; ignoring"
 * (linkerd/linkerd2 policy-controller/k8s/index/src/inbound/index.rs
 * `policy_client_authz`). Without a MeshTLSAuthentication or ServiceAccount
 * it admits unauthenticated clients; without a NetworkAuthentication, from
 * every network.
 */
function grantOfAuthorizationPolicy(
  policy: KubernetesObject,
  objects: LinkerdPolicyObjects,
  domain: LinkerdIdentityDomain,
): { grant: AuthorizationGrant } | { ignored: string } {
  const ns = policy.metadata.namespace ?? '';
  const grant: AuthorizationGrant = {
    policy: ref('AuthorizationPolicy', policy),
    identities: [],
    networks: [],
    unauthenticated: true,
  };
  const refs: any[] = policy.spec?.requiredAuthenticationRefs ?? [];
  const count = (kinds: string[]) =>
    refs.filter(r => kinds.includes(r.kind)).length;
  if (count(['MeshTLSAuthentication', 'ServiceAccount']) > 1) {
    return {
      ignored: 'it names more than one MeshTLSAuthentication or ServiceAccount',
    };
  }
  if (count(['NetworkAuthentication']) > 1) {
    return { ignored: 'it names more than one NetworkAuthentication' };
  }
  let networkRef = false;
  for (const r of refs) {
    const refNs = r.namespace ?? ns;
    if (r.kind === 'MeshTLSAuthentication') {
      grant.unauthenticated = false;
      const authn = find(objects.meshTLSAuthentications, r.name, refNs);
      const identityRefs: any[] = authn?.spec?.identityRefs ?? [];
      const identities: any[] = authn?.spec?.identities ?? [];
      if (!authn) {
        return {
          ignored: `MeshTLSAuthentication ${refNs}/${r.name} does not exist`,
        };
      }
      if (
        (identities.length === 0 && identityRefs.length === 0) ||
        identityRefs.some(
          i => i.kind !== 'ServiceAccount' && i.kind !== 'Namespace',
        )
      ) {
        // The controller does not index an invalid authentication.
        return {
          ignored: `MeshTLSAuthentication ${refNs}/${r.name} is invalid`,
        };
      }
      for (const id of identities) grant.identities.push(String(id));
      for (const idRef of identityRefs) {
        grant.identities.push(
          idRef.kind === 'ServiceAccount'
            ? serviceAccountIdentity(
                idRef.name,
                idRef.namespace ?? refNs,
                domain,
              )
            : `*.${idRef.name}.serviceaccount.identity.${domain.controlPlaneNamespace}.${domain.trustDomain}`,
        );
      }
    } else if (r.kind === 'ServiceAccount') {
      // Never checked for existence: the identity is made from the name.
      grant.unauthenticated = false;
      grant.identities.push(serviceAccountIdentity(r.name, refNs, domain));
    } else if (r.kind === 'NetworkAuthentication') {
      networkRef = true;
      const authn = find(objects.networkAuthentications, r.name, refNs);
      const networks: any[] = authn?.spec?.networks ?? [];
      if (!authn) {
        return {
          ignored: `NetworkAuthentication ${refNs}/${r.name} does not exist`,
        };
      }
      if (networks.length === 0) {
        return {
          ignored: `NetworkAuthentication ${refNs}/${r.name} has no networks`,
        };
      }
      for (const n of networks) {
        grant.networks.push(
          n.except?.length
            ? `${n.cidr} except ${n.except.join(', ')}`
            : String(n.cidr),
        );
      }
    } else {
      return {
        ignored: `it names an unsupported authentication kind ${r.kind}`,
      };
    }
  }
  if (!networkRef) {
    // Without a NetworkAuthentication, clients may come from any network.
    grant.networks.push('0.0.0.0/0', '::/0');
  }
  return { grant };
}

/**
 * What a default policy or a Server's accessPolicy adds to the
 * authorizations: the controller extends the policies' authorizations with
 * it (a union; linkerd/linkerd2 policy-controller/k8s/index/src/inbound/
 * index.rs `client_authzs`, k8s/index/src/defaults.rs `default_authzs`).
 */
function grantOfAccessPolicy(
  policy: string,
  where: string,
): AuthorizationGrant | undefined {
  const all = ['0.0.0.0/0', '::/0'];
  switch (policy) {
    case 'all-unauthenticated':
    case 'audit':
      return {
        policy: where,
        identities: [],
        networks: all,
        unauthenticated: true,
      };
    case 'cluster-unauthenticated':
      return {
        policy: where,
        identities: [],
        networks: ['cluster networks'],
        unauthenticated: true,
      };
    case 'all-authenticated':
      return {
        policy: where,
        identities: ['*'],
        networks: all,
        unauthenticated: false,
      };
    case 'cluster-authenticated':
      return {
        policy: where,
        identities: ['*'],
        networks: ['cluster networks'],
        unauthenticated: false,
      };
    default:
      return undefined;
  }
}

function grantOfServerAuthorization(
  authz: KubernetesObject,
  domain: LinkerdIdentityDomain,
): AuthorizationGrant {
  const ns = authz.metadata.namespace ?? '';
  const client = authz.spec?.client ?? {};
  const grant: AuthorizationGrant = {
    policy: ref('ServerAuthorization', authz),
    identities: [],
    networks: (client.networks ?? []).map((n: any) => String(n.cidr)),
    unauthenticated: Boolean(client.unauthenticated),
  };
  const meshTLS = client.meshTLS;
  if (meshTLS) {
    // TLS is required, with any identity or none: not plaintext, but no
    // identity is named either.
    if (meshTLS.unauthenticatedTLS) grant.identities.push('*');
    for (const id of meshTLS.identities ?? [])
      grant.identities.push(String(id));
    for (const sa of meshTLS.serviceAccounts ?? []) {
      grant.identities.push(
        serviceAccountIdentity(sa.name, sa.namespace ?? ns, domain),
      );
    }
  }
  if (grant.networks.length === 0) {
    // An empty network list means the cluster's networks.
    grant.networks.push('cluster networks');
  }
  return grant;
}

/** Port access that the grants of a deny-by-default Server amount to. */
function accessOfGrants(grants: AuthorizationGrant[]): PortAccess {
  if (
    grants.some(
      g => g.unauthenticated && g.networks.some(n => ALL_NETWORKS.has(n)),
    )
  ) {
    return 'open';
  }
  if (grants.some(g => g.unauthenticated)) return 'cluster';
  if (grants.some(g => g.identities.some(isMeshWide))) return 'authenticated';
  return 'deny';
}

function serverCoversPort(
  server: KubernetesObject,
  port: { containerPort: number; name?: string },
): boolean {
  const p = server.spec?.port;
  return typeof p === 'number'
    ? p === port.containerPort
    : typeof p === 'string' && p === port.name;
}

/**
 * The HTTP paths of a pod's kubelet probes (httpGet liveness, readiness and
 * startup probes; linkerd2 policy-controller/k8s/index/src/inbound/workload.rs).
 */
function probePaths(pod: KubernetesPod): Set<string> {
  return new Set(
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]
      .flatMap(c => [c.livenessProbe, c.readinessProbe, c.startupProbe])
      .map(p => p?.httpGet?.path ?? (p?.httpGet ? '/' : undefined))
      .filter((p): p is string => Boolean(p))
      .map(p => p.split('?')[0]),
  );
}

/**
 * Whether an HTTPRoute carries only kubelet probes: every match a GET (or
 * any method) on one of the pod's probe paths, exactly. Such a route is
 * what a Server with routes needs for its probes, since attaching routes
 * removes the controller's own probe route.
 */
function routeIsProbes(route: KubernetesObject, paths: Set<string>): boolean {
  const matches: any[] = (route.spec?.rules ?? []).flatMap(
    (r: any) => r.matches ?? [{}],
  );
  return (
    matches.length > 0 &&
    matches.every(
      m =>
        m.path?.type === 'Exact' &&
        paths.has(m.path?.value) &&
        (!m.method || m.method === 'GET') &&
        !(m.headers ?? []).length,
    )
  );
}

/** Ports the annotation lists: `8080,9000-9100`. */
function portSet(value: string | undefined): (port: number) => boolean {
  const ranges = (value ?? '')
    .split(',')
    .map(p => p.trim())
    .filter(Boolean)
    .map(p => {
      const [lo, hi] = p.split('-').map(Number);
      return [lo, Number.isFinite(hi) ? hi : lo] as const;
    })
    .filter(([lo, hi]) => Number.isInteger(lo) && Number.isInteger(hi));
  return port => ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

/**
 * `config.linkerd.io/proxy-require-identity-inbound-ports`: on the listed
 * ports that no Server selects, the policy controller narrows the default
 * policy to its authenticated form; `deny` and `audit` stay as they are
 * (linkerd/linkerd2 policy-controller/k8s/index/src/inbound/index.rs,
 * `default_inbound_server`). The proxy's own
 * LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY is no longer read
 * (linkerd/linkerd2-proxy linkerd/app/src/env.rs).
 */
export const REQUIRE_IDENTITY_ANNOTATION =
  'config.linkerd.io/proxy-require-identity-inbound-ports';

function requiringIdentity(policy: string): string {
  if (policy === 'all-unauthenticated') return 'all-authenticated';
  if (policy === 'cluster-unauthenticated') return 'cluster-authenticated';
  return policy;
}

/**
 * The authorization posture of each port of a workload, and the identities
 * its policies admit.
 */
export function evaluateLinkerdAuthorization(input: {
  workload: WorkloadRef;
  pods: KubernetesPod[];
  objects: LinkerdPolicyObjects;
  domain: LinkerdIdentityDomain;
}): LinkerdEvaluation {
  const { workload, objects, domain } = input;
  const pod = input.pods.find(p => proxyOf(p)) ?? undefined;
  if (!pod) {
    return { ports: [], admitted: [], notes: [], probeRoutes: [] };
  }
  const notes = new Set<string>();
  const probes = probePaths(pod);
  const probeRoutes = new Set<string>();
  const labels = pod.metadata.labels;
  const servers = objects.servers
    .filter(s => objectSelectorMatches(s.spec?.podSelector, labels))
    .sort(byAge);
  const appPorts = (pod.spec?.containers ?? [])
    .filter(c => c.name !== PROXY_CONTAINER)
    .flatMap(c => c.ports ?? [])
    .filter(p => !PROXY_PORTS.has(p.containerPort));
  const defaults = defaultInboundPolicy(pod, objects.namespace);
  const requiresIdentity = portSet(
    pod.metadata.annotations?.[REQUIRE_IDENTITY_ANNOTATION],
  );
  const admitted = new Map<string, Set<string>>();

  const granted = (p: KubernetesObject) => {
    const result = grantOfAuthorizationPolicy(p, objects, domain);
    if ('ignored' in result) {
      notes.add(
        `${ref(
          'AuthorizationPolicy',
          p,
        )} is ignored by Linkerd and grants nothing: ${result.ignored}`,
      );
      return undefined;
    }
    return result.grant;
  };

  function grantsOf(server: KubernetesObject): AuthorizationGrant[] {
    const ns = server.metadata.namespace;
    const routes = objects.httpRoutes.filter(r =>
      (r.spec?.parentRefs ?? []).some(
        (p: any) => p.kind === 'Server' && p.name === server.metadata.name,
      ),
    );
    const serverPolicies = objects.authorizationPolicies.filter(ap => {
      const t = ap.spec?.targetRef ?? {};
      return (
        (t.kind === 'Server' && t.name === server.metadata.name) ||
        (t.kind === 'Namespace' && (t.name ?? ns) === ns)
      );
    });
    const routePolicies = objects.authorizationPolicies.filter(ap => {
      const t = ap.spec?.targetRef ?? {};
      return (
        (t.kind === 'HTTPRoute' || t.kind === 'GRPCRoute') &&
        routes.some(r => r.metadata.name === t.name)
      );
    });
    // Without a name or selector, a ServerAuthorization selects every
    // Server of its namespace (policy-controller server_selector).
    const legacy = objects.serverAuthorizations.filter(sa => {
      const s = sa.spec?.server ?? {};
      if (s.name) return s.name === server.metadata.name;
      return s.selector
        ? objectSelectorMatches(s.selector, server.metadata.labels)
        : true;
    });
    const grants = [
      ...serverPolicies.map(granted),
      ...legacy.map(a => grantOfServerAuthorization(a, domain)),
    ].filter((g): g is AuthorizationGrant => g !== undefined);
    for (const r of routes) {
      if (routeIsProbes(r, probes))
        probeRoutes.add(`HTTPRoute/${r.metadata.name}`);
    }
    const routeGrants = routePolicies.flatMap(p => {
      const g = granted(p);
      const route = routes.find(r => r.metadata.name === p.spec.targetRef.name);
      const forProbes = route !== undefined && routeIsProbes(route, probes);
      return g
        ? [
            {
              ...g,
              policy: `${g.policy} (route ${p.spec.targetRef.name}${
                forProbes ? ', kubelet probes' : ''
              })`,
            },
          ]
        : [];
    });
    return [...grants, ...routeGrants];
  }

  function record(grants: AuthorizationGrant[]) {
    for (const g of grants) {
      for (const id of g.identities) {
        const set = admitted.get(id) ?? new Set<string>();
        set.add(g.policy);
        admitted.set(id, set);
      }
    }
  }

  function portOf(server: KubernetesObject, label: string): PortAuthorization {
    const grants = grantsOf(server);
    record(grants);
    const accessPolicy: string = server.spec?.accessPolicy ?? 'deny';
    const fromAccessPolicy = grantOfAccessPolicy(
      accessPolicy,
      `Server ${server.metadata.namespace}/${server.metadata.name} accessPolicy ${accessPolicy}`,
    );
    // The accessPolicy is added to the policies' grants, never instead of
    // them. A route's grants admit their callers to that route, and so to
    // the port, except on a route that carries only the pod's probes, which
    // Linkerd admits unauthenticated by design.
    const all = fromAccessPolicy ? [...grants, fromAccessPolicy] : grants;
    const widening = all.filter(g => !g.policy.endsWith(', kubelet probes)'));
    const access =
      accessPolicy === 'audit' ? 'audit' : accessOfGrants(widening);
    const parts = [
      grants.length === 0
        ? 'no authorization'
        : plural(grants.length, 'authorization'),
      ...(accessPolicy !== 'deny' ? [`plus accessPolicy ${accessPolicy}`] : []),
    ];
    return {
      workload,
      port: label,
      selectedBy: ref('Server', server),
      access,
      grants: all,
      explanation: `Server ${server.metadata.name}: ${parts.join(', ')}${
        access === 'deny' && grants.length === 0 ? ', all traffic denied' : ''
      }`,
    };
  }

  const ports: PortAuthorization[] = [];
  const covered = new Set<KubernetesObject>();
  for (const p of appPorts) {
    const server = servers.find(s => serverCoversPort(s, p));
    const label = p.name
      ? `${p.containerPort} (${p.name})`
      : String(p.containerPort);
    if (server) {
      covered.add(server);
      ports.push(portOf(server, label));
    } else {
      const narrowed = requiresIdentity(p.containerPort)
        ? requiringIdentity(defaults.policy)
        : defaults.policy;
      ports.push({
        workload,
        port: label,
        access: accessOfPolicy(narrowed),
        grants: [],
        explanation: `no Server; default policy ${defaults.policy} (${
          defaults.from
        })${
          narrowed !== defaults.policy
            ? `, ${narrowed} on this port (${REQUIRE_IDENTITY_ANNOTATION})`
            : ''
        }`,
      });
    }
  }
  // Servers for ports the pod spec does not declare still apply; one that
  // lost its port to an older Server does not ("Port already matched by
  // another server; skipping").
  const declared = (server: KubernetesObject) =>
    appPorts.some(p => serverCoversPort(server, p));
  const claimed = new Set<string>();
  for (const server of servers.filter(s => !covered.has(s))) {
    const port = String(server.spec?.port ?? '?');
    if (declared(server) || claimed.has(port)) continue;
    claimed.add(port);
    ports.push(portOf(server, port));
  }
  // Every other port follows the default policy.
  ports.push({
    workload,
    port: '*',
    access: accessOfPolicy(defaults.policy),
    grants: [],
    explanation: `default policy ${defaults.policy} (${defaults.from})`,
  });

  return {
    ports,
    admitted: [...admitted.entries()]
      .map(([identity, grantedBy]) => ({
        identity,
        grantedBy: [...grantedBy].sort(),
      }))
      .sort((a, b) => a.identity.localeCompare(b.identity)),
    notes: [...notes],
    probeRoutes: [...probeRoutes].sort(),
  };
}
