import type {
  IdentitySettings,
  KubernetesPod,
  PodMeshState,
} from '@mesh-posture/plugin-mesh-posture-node';
import { findSidecar, imageTag } from '../pods';
import { annotation, cidrList, PodBypass, portList } from '../bypass';

const ISTIO_PROXY = 'istio-proxy';

/**
 * The traffic a sidecar pod's redirect leaves out, from the annotations
 * istio-init (or istio-cni) applies (istio/api annotation/annotations.yaml
 * `traffic.sidecar.istio.io/*`; istio/istio tools/istio-iptables). An
 * include list other than `*` leaves out everything it does not name; an
 * empty one, everything. Ambient pods have no such redirect: ztunnel takes
 * all their traffic.
 */
function istioBypass(pod: KubernetesPod): PodBypass[] {
  const out: PodBypass[] = [];
  // Each annotation: the direction it governs, and whether it names what
  // skips the proxy (exclude) or the only things that do not (include).
  for (const [name, direction, field] of [
    ['excludeInboundPorts', 'inbound', 'ports'],
    ['includeInboundPorts', 'inbound', 'onlyPorts'],
    ['excludeOutboundPorts', 'outbound', 'ports'],
    ['excludeOutboundIPRanges', 'outbound', 'ipRanges'],
    ['includeOutboundIPRanges', 'outbound', 'onlyIpRanges'],
  ] as const) {
    const setting = `traffic.sidecar.istio.io/${name}`;
    const value = annotation(pod, setting)?.trim();
    if (value === undefined) continue;
    const parse =
      field === 'ports' || field === 'onlyPorts' ? portList : cidrList;
    if (field === 'onlyPorts' || field === 'onlyIpRanges') {
      // `*` (the default) captures everything; any other list, only itself.
      if (value !== '*') {
        out.push({ direction, [field]: parse(value), setting });
      }
    } else if (field === 'ipRanges' && value === '*') {
      // Excluding every range leaves nothing captured.
      out.push({ direction, onlyIpRanges: [], setting });
    } else if (parse(value).length > 0) {
      out.push({ direction, [field]: parse(value), setting });
    }
  }
  return out;
}

/**
 * A pod is meshed by an injected `istio-proxy` sidecar (with its
 * `sidecar.istio.io/status` annotation) or by ambient redirection.
 */
export function istioPodMeshState(
  pod: KubernetesPod,
  settings: IdentitySettings,
): PodMeshState {
  const annotations = pod.metadata.annotations ?? {};
  const sa = pod.spec?.serviceAccountName ?? 'default';
  // spiffe://<trust domain>/ns/<ns>/sa/<sa> (istio/istio pkg/spiffe/spiffe.go).
  const identity = `spiffe://${settings.trustDomain ?? 'cluster.local'}/ns/${
    pod.metadata.namespace
  }/sa/${sa}`;
  const sidecar = findSidecar(pod, ISTIO_PROXY);
  if (sidecar && annotations['sidecar.istio.io/status']) {
    const bypass = istioBypass(pod);
    return {
      meshed: true,
      ...(bypass.length > 0 ? { bypass } : {}),
      dataPlane: sidecar.native ? 'native-sidecar' : 'sidecar',
      proxyContainer: ISTIO_PROXY,
      proxyVersion: imageTag(sidecar.container.image),
      identity,
    };
  }
  if (annotations['ambient.istio.io/redirection'] === 'enabled') {
    return { meshed: true, dataPlane: 'ambient', identity };
  }
  return {
    meshed: false,
    dataPlane: 'none',
    ...(pod.spec?.hostNetwork ? { hostNetwork: true } : {}),
  };
}
