import type {
  IdentitySettings,
  KubernetesContainer,
  KubernetesPod,
  PodMeshState,
} from '@mesh-posture/plugin-mesh-posture-node';
import { envValue, findSidecar, imageTag } from '../pods';
import { annotation, cidrList, PodBypass, portList } from '../bypass';

const LINKERD_PROXY = 'linkerd-proxy';

/**
 * Linkerd's injector writes the identity with Kubernetes variable references
 * (`$(_pod_sa).$(_pod_ns).serviceaccount.identity.{{.Release.Namespace}}.{{$trustDomain}}`,
 * linkerd/linkerd2 charts/partials/templates/_proxy.tpl); resolve them from
 * the pod itself. Without it, the same form from the cluster's settings.
 */
function linkerdIdentity(
  pod: KubernetesPod,
  container: KubernetesContainer,
  settings: IdentitySettings,
): string | undefined {
  const template = envValue(container, 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME');
  const sa = pod.spec?.serviceAccountName ?? 'default';
  if (!template) {
    return `${sa}.${pod.metadata.namespace}.serviceaccount.identity.${
      settings.linkerdNamespace ?? 'linkerd'
    }.${settings.trustDomain ?? 'cluster.local'}`;
  }
  return template
    .replace('$(_pod_sa)', sa)
    .replace('$(_pod_ns)', pod.metadata.namespace);
}

/**
 * The ports and subnets a pod's proxy-init (or the CNI plugin) leaves out
 * of the redirect, from the annotations linkerd/linkerd2 pkg/k8s/labels.go
 * names and proxy-init reads (`skip-subnets`: linkerd2-proxy-init
 * cni-plugin/main.go). The injector copies a namespace's config annotations
 * onto the pod (controller/proxy-injector/webhook.go
 * AppendNamespaceAnnotations), so the pod's own are the whole story.
 * Opaque ports are not among them: the proxy still carries them, over mTLS
 * between meshed pods, only without reading HTTP.
 */
function linkerdBypass(pod: KubernetesPod): PodBypass[] {
  const out: PodBypass[] = [];
  for (const [setting, direction, field] of [
    ['config.linkerd.io/skip-inbound-ports', 'inbound', 'ports'],
    ['config.linkerd.io/skip-outbound-ports', 'outbound', 'ports'],
    ['config.linkerd.io/skip-subnets', 'outbound', 'ipRanges'],
  ] as const) {
    const value = annotation(pod, setting);
    if (value === undefined) continue;
    const values = field === 'ports' ? portList(value) : cidrList(value);
    if (values.length > 0) out.push({ direction, [field]: values, setting });
  }
  return out;
}

/**
 * A pod is meshed when it runs the `linkerd-proxy` container, regular or
 * native sidecar (linkerd/linkerd2 controller/proxy-injector).
 */
export function linkerdPodMeshState(
  pod: KubernetesPod,
  settings: IdentitySettings,
): PodMeshState {
  const annotations = pod.metadata.annotations ?? {};
  const sidecar = findSidecar(pod, LINKERD_PROXY);
  if (!sidecar) {
    return {
      meshed: false,
      dataPlane: 'none',
      ...(pod.spec?.hostNetwork ? { hostNetwork: true } : {}),
    };
  }
  const bypass = linkerdBypass(pod);
  return {
    meshed: true,
    ...(bypass.length > 0 ? { bypass } : {}),
    dataPlane: sidecar.native ? 'native-sidecar' : 'sidecar',
    proxyContainer: LINKERD_PROXY,
    proxyVersion:
      annotations['linkerd.io/proxy-version'] ??
      imageTag(sidecar.container.image),
    identity: linkerdIdentity(pod, sidecar.container, settings),
  };
}
