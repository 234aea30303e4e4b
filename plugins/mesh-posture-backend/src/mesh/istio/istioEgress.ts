import type {
  EgressPolicy,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import { parse as parseYaml } from 'yaml';
import { byCreation } from './istioPolicy';
import { objectSelectorMatches } from '../selectors';

/** What Istio's egress depends on in a cluster. */
export interface IstioEgressObjects {
  /** `networking.istio.io` Sidecars, every namespace. */
  sidecars: KubernetesObject[];
  /** `networking.istio.io` ServiceEntries, every namespace. */
  serviceEntries: KubernetesObject[];
  /** `networking.istio.io` DestinationRules, every namespace. */
  destinationRules: KubernetesObject[];
  /** The mesh config's `outboundTrafficPolicy.mode`; undefined when unread. */
  meshMode?: string;
  /** Where the mesh mode came from, in words. */
  meshModeSource: string;
  /**
   * The mode of each revisioned control plane, from its own mesh config
   * (`istio-<revision>`); a revision missing here is unknown.
   */
  revisionModes?: ReadonlyMap<string, { mode: string; source: string }>;
  rootNamespace: string;
}

/**
 * The mesh config of each revisioned control plane: istio/istio
 * manifests/charts/istio-control/istio-discovery/templates/configmap.yaml
 * names it `istio-<revision>` and labels it `istio.io/rev: <revision>`
 * (the default revision's is `istio`, labelled `default`). A ConfigMap
 * whose name and label disagree, or whose YAML cannot be read, is left out.
 */
export function revisionMeshModes(
  configMaps: KubernetesObject[],
): Map<string, { mode: string; source: string }> {
  const modes = new Map<string, { mode: string; source: string }>();
  for (const cm of configMaps) {
    const revision = cm.metadata.labels?.['istio.io/rev'];
    if (!revision || revision === 'default') continue;
    if (cm.metadata.name !== `istio-${revision}`) continue;
    const mesh = meshOutboundMode(cm.data?.mesh);
    if (!mesh) continue;
    modes.set(revision, {
      mode: mesh.mode,
      source: `mesh config ${cm.metadata.namespace}/${cm.metadata.name}${
        mesh.explicit ? '' : ', the default'
      }`,
    });
  }
  return modes;
}

/**
 * The mesh-wide mode from the `istio` ConfigMap's `mesh` key (istio/istio
 * pilot/pkg/bootstrap/mesh.go, pkg/config/mesh/kubemesh/watcher.go):
 * absent means `ALLOW_ANY` (pkg/config/mesh/mesh.go DefaultMeshConfig).
 * Undefined when the YAML cannot be read.
 */
export function meshOutboundMode(
  meshYaml: string | undefined,
): { mode: string; explicit: boolean } | undefined {
  if (meshYaml === undefined) return undefined;
  let config: any;
  try {
    config = parseYaml(meshYaml) ?? {};
  } catch {
    return undefined;
  }
  const mode = config?.outboundTrafficPolicy?.mode;
  if (typeof mode === 'string') return { mode, explicit: true };
  return { mode: 'ALLOW_ANY', explicit: false };
}

function selects(sidecar: KubernetesObject, labels: Record<string, string>) {
  // A Sidecar's workloadSelector is labels only; none match every workload.
  const wanted = sidecar.spec?.workloadSelector?.labels ?? {};
  return objectSelectorMatches({ matchLabels: wanted }, labels);
}

// istiod tells the two apart by whether the field is set at all
// (pilot/pkg/model/push_context.go `WorkloadSelector == nil`).
const hasSelector = (s: KubernetesObject) =>
  s.spec?.workloadSelector !== undefined && s.spec?.workloadSelector !== null;

/**
 * The Sidecar that applies to a workload's pods, as istiod picks it
 * (istio/istio pilot/pkg/model/push_context.go initSidecarScopes and
 * doGetSidecarScope): the oldest of its namespace whose workloadSelector
 * the pods' labels match, else its namespace's Sidecar without a selector,
 * else the root namespace's without one.
 */
export function sidecarFor(
  namespace: string,
  labels: Record<string, string>,
  objects: Pick<IstioEgressObjects, 'sidecars' | 'rootNamespace'>,
): KubernetesObject | undefined | 'ambiguous' {
  const inNamespace = objects.sidecars
    .filter(s => s.metadata.namespace === namespace)
    .sort(byCreation);
  // Two candidates at one level are undefined behaviour upstream
  // (networking/v1alpha3/sidecar.proto): nothing to judge on.
  const one = (list: KubernetesObject[]) =>
    list.length > 1 ? ('ambiguous' as const) : list[0];
  const selected = inNamespace.filter(
    s => hasSelector(s) && selects(s, labels),
  );
  if (selected.length > 0) return one(selected);
  const namespaceDefault = inNamespace.filter(s => !hasSelector(s));
  if (namespaceDefault.length > 0) return one(namespaceDefault);
  return one(
    objects.sidecars
      .filter(
        s => s.metadata.namespace === objects.rootNamespace && !hasSelector(s),
      )
      .sort(byCreation),
  );
}

/**
 * Whether a ServiceEntry is visible to a namespace (istio/api
 * networking/v1alpha3/service_entry.proto exportTo: none = everywhere,
 * `*` everywhere, `.` its own namespace, or names).
 */
function exportedTo(entry: KubernetesObject, namespace: string) {
  const to: unknown = entry.spec?.exportTo;
  if (!Array.isArray(to) || to.length === 0) return true;
  return to.some(
    t =>
      t === '*' ||
      t === namespace ||
      (t === '.' && entry.metadata.namespace === namespace),
  );
}

/** TLS modes with which the sidecar originates TLS (istio/api networking/v1alpha3/destination_rule.proto ClientTLSSettings). */
const ORIGINATING = new Set(['SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']);

/**
 * The DestinationRule, visible to the namespace, that makes the sidecar
 * originate TLS to a host: `trafficPolicy.tls.mode` or that of a
 * `portLevelSettings` entry (istio.io docs tasks/traffic-management/
 * egress/egress-tls-origination).
 */
function originatingRule(
  host: string,
  namespace: string,
  rules: KubernetesObject[],
): KubernetesObject | undefined {
  return rules.find(r => {
    if (r.spec?.host !== host || !exportedTo(r, namespace)) return false;
    const policy = r.spec?.trafficPolicy ?? {};
    const modes = [
      policy.tls?.mode,
      ...(Array.isArray(policy.portLevelSettings)
        ? policy.portLevelSettings.map((p: any) => p?.tls?.mode)
        : []),
    ];
    return modes.some(m => ORIGINATING.has(m));
  });
}

/**
 * The TCP ports on which a ServiceEntry admits any destination: resolution
 * NONE (the default) without `addresses` matches every IP on a TCP port
 * (istio/api networking/v1alpha3/service_entry.proto, Resolution NONE).
 */
function anyHostPorts(entry: KubernetesObject): string[] {
  const resolution = entry.spec?.resolution ?? 'NONE';
  const addresses: unknown = entry.spec?.addresses;
  if (resolution !== 'NONE') return [];
  const everyAddress =
    Array.isArray(addresses) &&
    addresses.some(a => a === '0.0.0.0/0' || a === '::/0');
  if (Array.isArray(addresses) && addresses.length > 0 && !everyAddress) {
    return [];
  }
  return (Array.isArray(entry.spec?.ports) ? entry.spec.ports : [])
    .filter((p: any) => (p?.protocol ?? 'TCP').toUpperCase() === 'TCP')
    .map((p: any) => String(p?.number));
}

/**
 * Wildcard hosts that cover a whole top-level domain or everything (`*`,
 * `*.com`): with resolution NONE or DYNAMIC_DNS the sidecar forwards any
 * name under them (istio/api networking/v1alpha3/service_entry.proto;
 * validation rejects only a bare `*` with DNS resolution), which declares
 * nothing in particular.
 */
function topLevelWildcards(entry: KubernetesObject): string[] {
  const hosts: unknown = entry.spec?.hosts;
  return (Array.isArray(hosts) ? hosts : []).filter(
    (h): h is string =>
      typeof h === 'string' && (h === '*' || /^\*\.[^.]+\.?$/.test(h)),
  );
}

/**
 * A workload's egress on Istio's sidecars. The Sidecar that applies sets
 * the mode when it has `outboundTrafficPolicy` (an empty one is
 * REGISTRY_ONLY, the proto's zero value: pilot/pkg/model/sidecar.go takes
 * the Sidecar's policy whole); otherwise the mesh config does. Ambient
 * pods have no outbound policy at all: ztunnel passes every destination
 * through (istio/ztunnel src/proxy/outbound.rs). Undefined when the mode
 * cannot be known (the mesh config unread and no Sidecar decides).
 */
export function evaluateIstioEgress(
  workload: WorkloadRef,
  pods: KubernetesPod[],
  objects: IstioEgressObjects,
): EgressPolicy | undefined {
  const declared = objects.serviceEntries
    .filter(
      e =>
        (e.spec?.location ?? 'MESH_EXTERNAL') === 'MESH_EXTERNAL' &&
        exportedTo(e, workload.namespace),
    )
    .flatMap(e =>
      (Array.isArray(e.spec?.hosts) ? e.spec.hosts : [])
        .filter((h: unknown): h is string => typeof h === 'string')
        .map((host: string) => {
          const rule = originatingRule(
            host,
            workload.namespace,
            objects.destinationRules,
          );
          return {
            host,
            ports: (Array.isArray(e.spec?.ports) ? e.spec.ports : [])
              .map((p: any) =>
                p?.number !== undefined
                  ? `${p.protocol ?? 'TCP'} ${p.number}`
                  : undefined,
              )
              .filter((p: unknown): p is string => typeof p === 'string'),
            by: `ServiceEntry ${e.metadata.namespace}/${e.metadata.name}`,
            ...(rule
              ? {
                  tlsOriginatedBy: `DestinationRule ${rule.metadata.namespace}/${rule.metadata.name}`,
                }
              : {}),
          };
        }),
    )
    .sort((a, b) => a.host.localeCompare(b.host));
  const ambient = pods.some(
    p => p.metadata.annotations?.['ambient.istio.io/redirection'] === 'enabled',
  );
  if (ambient) {
    return {
      workload,
      mode: 'open',
      decidedBy:
        'ambient mode: ztunnel has no outbound traffic policy and passes undeclared destinations through',
      declared,
    };
  }
  const labels = pods[0]?.metadata.labels ?? {};
  const found = sidecarFor(workload.namespace, labels, objects);
  if (found === 'ambiguous') return undefined;
  const sidecar = found;
  const policy = sidecar?.spec?.outboundTrafficPolicy;
  let mode: string | undefined;
  let decidedBy: string;
  if (sidecar && policy && typeof policy === 'object') {
    mode = typeof policy.mode === 'string' ? policy.mode : 'REGISTRY_ONLY';
    decidedBy = `Sidecar ${sidecar.metadata.namespace}/${
      sidecar.metadata.name
    } (${mode}${typeof policy.mode === 'string' ? '' : ', an empty mode'})`;
  } else if (labels['istio.io/rev'] && labels['istio.io/rev'] !== 'default') {
    // The injection template labels each pod with the revision that
    // injected it (istio.io/rev); that control plane reads istio-<revision>,
    // and the default config says nothing of these pods.
    const revision = objects.revisionModes?.get(labels['istio.io/rev']);
    mode = revision?.mode;
    decidedBy = `${
      revision?.source ?? `mesh config of revision ${labels['istio.io/rev']}`
    } (${mode ?? 'unknown'})${
      sidecar
        ? `, Sidecar ${sidecar.metadata.namespace}/${sidecar.metadata.name} leaving it`
        : ''
    }`;
  } else {
    mode = objects.meshMode;
    decidedBy = `${objects.meshModeSource} (${mode ?? 'unknown'})${
      sidecar
        ? `, Sidecar ${sidecar.metadata.namespace}/${sidecar.metadata.name} leaving it`
        : ''
    }`;
  }
  if (mode === undefined) return undefined;
  // A ServiceEntry that matches every address on a port declares nothing:
  // REGISTRY_ONLY then refuses nothing there.
  const wideOpen = objects.serviceEntries
    .filter(
      e =>
        (e.spec?.location ?? 'MESH_EXTERNAL') === 'MESH_EXTERNAL' &&
        exportedTo(e, workload.namespace),
    )
    .flatMap(e => [
      ...anyHostPorts(e).map(
        port =>
          `ServiceEntry ${e.metadata.namespace}/${e.metadata.name} admits any address on TCP port ${port} (resolution NONE, no addresses)`,
      ),
      ...topLevelWildcards(e).map(
        host =>
          `ServiceEntry ${e.metadata.namespace}/${e.metadata.name} admits every host of ${host}`,
      ),
    ]);
  if (mode === 'REGISTRY_ONLY' && wideOpen.length > 0) {
    return {
      workload,
      mode: 'open',
      decidedBy: `${decidedBy}, but ${wideOpen.join('; ')}`,
      declared,
    };
  }
  return {
    workload,
    // ALLOW_ANY_DYNAMIC_DNS (mesh-wide, 1.31) lets any host through too.
    mode: mode === 'REGISTRY_ONLY' ? 'declared-only' : 'open',
    decidedBy,
    declared,
  };
}
