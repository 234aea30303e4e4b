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

/** The identity of a ServiceAccount in Linkerd's format. */
export function serviceAccountIdentity(
  name: string,
  namespace: string,
  trustDomain: string,
): string {
  return `${name}.${namespace}.serviceaccount.identity.linkerd.${trustDomain}`;
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

/** The grant an AuthorizationPolicy makes: all its authentications must hold. */
function grantOfAuthorizationPolicy(
  policy: KubernetesObject,
  objects: LinkerdPolicyObjects,
  trustDomain: string,
): AuthorizationGrant {
  const ns = policy.metadata.namespace ?? '';
  const grant: AuthorizationGrant = {
    policy: ref('AuthorizationPolicy', policy),
    identities: [],
    networks: [],
    unauthenticated: true,
  };
  const refs: any[] = policy.spec?.requiredAuthenticationRefs ?? [];
  let networkRef = false;
  for (const r of refs) {
    const refNs = r.namespace ?? ns;
    if (r.kind === 'MeshTLSAuthentication') {
      grant.unauthenticated = false;
      const authn = find(objects.meshTLSAuthentications, r.name, refNs);
      if (!authn) {
        // A missing reference admits nobody, which Linkerd also does.
        grant.identities.push(
          `(missing MeshTLSAuthentication ${refNs}/${r.name})`,
        );
        continue;
      }
      for (const id of authn.spec?.identities ?? [])
        grant.identities.push(String(id));
      for (const idRef of authn.spec?.identityRefs ?? []) {
        if (idRef.kind === 'ServiceAccount') {
          grant.identities.push(
            serviceAccountIdentity(
              idRef.name,
              idRef.namespace ?? refNs,
              trustDomain,
            ),
          );
        } else if (idRef.kind === 'Namespace') {
          grant.identities.push(
            `*.${idRef.name}.serviceaccount.identity.linkerd.${trustDomain}`,
          );
        }
      }
    } else if (r.kind === 'ServiceAccount') {
      grant.unauthenticated = false;
      grant.identities.push(serviceAccountIdentity(r.name, refNs, trustDomain));
    } else if (r.kind === 'NetworkAuthentication') {
      networkRef = true;
      const authn = find(objects.networkAuthentications, r.name, refNs);
      for (const n of authn?.spec?.networks ?? []) {
        grant.networks.push(
          n.except?.length
            ? `${n.cidr} except ${n.except.join(', ')}`
            : String(n.cidr),
        );
      }
      if (!authn)
        grant.networks.push(
          `(missing NetworkAuthentication ${refNs}/${r.name})`,
        );
    }
  }
  if (!networkRef) {
    // Without a NetworkAuthentication, clients may come from any network.
    grant.networks.push('0.0.0.0/0', '::/0');
  }
  return grant;
}

function grantOfServerAuthorization(
  authz: KubernetesObject,
  trustDomain: string,
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
    if (meshTLS.unauthenticatedTLS) grant.unauthenticated = true;
    for (const id of meshTLS.identities ?? [])
      grant.identities.push(String(id));
    for (const sa of meshTLS.serviceAccounts ?? []) {
      grant.identities.push(
        serviceAccountIdentity(sa.name, sa.namespace ?? ns, trustDomain),
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
  if (grants.some(g => g.identities.includes('*'))) return 'authenticated';
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
 * The authorization posture of each port of a workload, and the identities
 * its policies admit.
 */
export function evaluateLinkerdAuthorization(input: {
  workload: WorkloadRef;
  pods: KubernetesPod[];
  objects: LinkerdPolicyObjects;
  trustDomain: string;
}): LinkerdEvaluation {
  const { workload, objects, trustDomain } = input;
  const pod = input.pods.find(p => proxyOf(p)) ?? undefined;
  if (!pod) {
    return { ports: [], admitted: [] };
  }
  const labels = pod.metadata.labels;
  const servers = objects.servers
    .filter(s => objectSelectorMatches(s.spec?.podSelector, labels))
    .sort(byAge);
  const appPorts = (pod.spec?.containers ?? [])
    .filter(c => c.name !== PROXY_CONTAINER)
    .flatMap(c => c.ports ?? [])
    .filter(p => !PROXY_PORTS.has(p.containerPort));
  const defaults = defaultInboundPolicy(pod, objects.namespace);
  const admitted = new Map<string, Set<string>>();

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
        t.kind === 'HTTPRoute' && routes.some(r => r.metadata.name === t.name)
      );
    });
    const legacy = objects.serverAuthorizations.filter(sa => {
      const s = sa.spec?.server ?? {};
      return s.name
        ? s.name === server.metadata.name
        : objectSelectorMatches(s.selector, server.metadata.labels);
    });
    const grants = [
      ...serverPolicies.map(p =>
        grantOfAuthorizationPolicy(p, objects, trustDomain),
      ),
      ...legacy.map(a => grantOfServerAuthorization(a, trustDomain)),
    ];
    const routeGrants = routePolicies.map(p => {
      const g = grantOfAuthorizationPolicy(p, objects, trustDomain);
      return { ...g, policy: `${g.policy} (route ${p.spec.targetRef.name})` };
    });
    return [...grants, ...routeGrants];
  }

  function record(grants: AuthorizationGrant[]) {
    for (const g of grants) {
      for (const id of g.identities) {
        if (id.startsWith('(missing')) continue;
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
    // Route-level grants admit only some requests; they do not widen the port.
    const serverGrants = grants.filter(g => !g.policy.includes('(route '));
    const access =
      accessPolicy === 'deny'
        ? accessOfGrants(serverGrants)
        : accessOfPolicy(accessPolicy);
    const explanation =
      accessPolicy === 'deny'
        ? `Server ${server.metadata.name}: ${
            grants.length === 0
              ? 'no authorization, all traffic denied'
              : `${grants.length} authorization${grants.length > 1 ? 's' : ''}`
          }`
        : `Server ${server.metadata.name} accessPolicy ${accessPolicy}`;
    return {
      workload,
      port: label,
      selectedBy: ref('Server', server),
      access,
      grants,
      explanation,
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
      ports.push({
        workload,
        port: label,
        access: accessOfPolicy(defaults.policy),
        grants: [],
        explanation: `no Server; default policy ${defaults.policy} (${defaults.from})`,
      });
    }
  }
  // Servers for ports the pod spec does not declare still apply.
  for (const server of servers.filter(s => !covered.has(s))) {
    ports.push(portOf(server, String(server.spec?.port ?? '?')));
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
  };
}
