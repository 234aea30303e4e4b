import type {
  IdentitySettings,
  KubernetesContainer,
  KubernetesPod,
  PodMeshState,
} from '@mesh-posture/plugin-mesh-posture-node';
import { envValue, findSidecar, imageTag } from '../pods';

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
    return { meshed: false, dataPlane: 'none' };
  }
  return {
    meshed: true,
    dataPlane: sidecar.native ? 'native-sidecar' : 'sidecar',
    proxyVersion:
      annotations['linkerd.io/proxy-version'] ??
      imageTag(sidecar.container.image),
    identity: linkerdIdentity(pod, sidecar.container, settings),
  };
}
