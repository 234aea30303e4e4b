import type {
  EgressPolicy,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { KubernetesObject } from '@mesh-posture/plugin-mesh-posture-node';

/** What Linkerd's egress depends on in a cluster. */
export interface LinkerdEgressObjects {
  /** `policy.linkerd.io` EgressNetworks, every namespace. */
  egressNetworks: KubernetesObject[];
  /** Routes of any kind, every namespace: those with an EgressNetwork parent declare. */
  routes: KubernetesObject[];
  /** `egress.globalEgressNetworkNamespace` of the control plane. */
  globalNamespace: string;
}

/**
 * Every address outside the cluster: no `networks` (which defaults to all
 * of IPv4 and IPv6, egress_network.rs), or both families whole.
 */
function coversEverything(network: KubernetesObject): boolean {
  const networks: unknown = network.spec?.networks;
  if (networks === undefined || networks === null) return true;
  if (!Array.isArray(networks)) return false;
  const whole = (cidr: string) =>
    networks.some(
      (n: any) =>
        n?.cidr === cidr && !(Array.isArray(n?.except) && n.except.length > 0),
    );
  return whole('0.0.0.0/0') && whole('::/0');
}

const nameOf = (o: KubernetesObject) =>
  `${o.metadata.namespace}/${o.metadata.name}`;

/**
 * A workload's egress on Linkerd (2.17+). The EgressNetworks of its own
 * namespace apply if it has any, else those of the global egress namespace
 * (linkerd/linkerd2 policy-controller/k8s/index/src/outbound/index/
 * egress_network.rs `resolve_egress_network`); an address none covers goes
 * out through the controller's `egress-fallback`, always allowed
 * (policy-controller/grpc/src/outbound.rs `fallback`). So undeclared
 * destinations are refused only where every EgressNetwork that applies
 * denies by default (`trafficPolicy: Deny`) and one of them covers every
 * address. Routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute) whose parent
 * is one of them declare hosts.
 */
export function evaluateLinkerdEgress(
  workload: WorkloadRef,
  objects: LinkerdEgressObjects,
): EgressPolicy {
  const own = objects.egressNetworks.filter(
    n => n.metadata.namespace === workload.namespace,
  );
  const applying =
    own.length > 0
      ? own
      : objects.egressNetworks.filter(
          n => n.metadata.namespace === objects.globalNamespace,
        );
  const names = new Set(applying.map(nameOf));
  const declared = objects.routes
    .flatMap(route => {
      const parents: any[] = Array.isArray(route.spec?.parentRefs)
        ? route.spec.parentRefs
        : [];
      const network = parents.find(
        p =>
          p?.kind === 'EgressNetwork' &&
          names.has(`${p.namespace ?? route.metadata.namespace}/${p.name}`),
      );
      if (!network) return [];
      const hosts: string[] = Array.isArray(route.spec?.hostnames)
        ? route.spec.hostnames.filter((h: unknown) => typeof h === 'string')
        : [];
      const by = `${route.kind ?? 'Route'} ${nameOf(route)}`;
      const ports = network.port !== undefined ? [String(network.port)] : [];
      // A route without hostnames admits every host on its port.
      return (hosts.length > 0 ? hosts : ['*']).map(host => ({
        host,
        ports,
        by,
      }));
    })
    .sort((a, b) => a.host.localeCompare(b.host));
  const where =
    own.length > 0
      ? `namespace ${workload.namespace}`
      : `the global egress namespace ${objects.globalNamespace}`;
  if (applying.length === 0) {
    return {
      workload,
      mode: 'open',
      decidedBy: `no EgressNetwork in ${workload.namespace} or ${objects.globalNamespace}: calls out of the cluster go through (egress-fallback)`,
      declared,
    };
  }
  const allowing = applying.filter(n => n.spec?.trafficPolicy !== 'Deny');
  if (allowing.length > 0) {
    return {
      workload,
      mode: 'open',
      decidedBy: `EgressNetwork ${allowing
        .map(nameOf)
        .join(', ')} allows by default`,
      declared,
    };
  }
  if (!applying.some(coversEverything)) {
    return {
      workload,
      mode: 'open',
      decidedBy: `the EgressNetworks of ${where} cover only some addresses: the rest go through (egress-fallback)`,
      declared,
    };
  }
  // A route that names no host (a TCPRoute never does) admits every
  // destination on its port: nothing is refused there.
  const everyHost = declared.filter(d => d.host === '*');
  if (everyHost.length > 0) {
    return {
      workload,
      mode: 'open',
      decidedBy: `EgressNetwork ${applying
        .map(nameOf)
        .join(', ')} denies by default, but ${everyHost
        .map(
          d =>
            `${d.by} admits every destination${
              d.ports.length ? ` on port ${d.ports.join(', ')}` : ''
            }`,
        )
        .join('; ')}`,
      declared,
    };
  }
  return {
    workload,
    mode: 'declared-only',
    decidedBy: `EgressNetwork ${applying
      .map(nameOf)
      .join(', ')} denies by default`,
    declared,
  };
}
