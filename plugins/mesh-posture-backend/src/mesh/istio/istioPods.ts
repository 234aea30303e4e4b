import type {
  IdentitySettings,
  KubernetesPod,
  PodMeshState,
} from '@mesh-posture/plugin-mesh-posture-node';
import { findSidecar, imageTag } from '../pods';

const ISTIO_PROXY = 'istio-proxy';

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
    return {
      meshed: true,
      dataPlane: sidecar.native ? 'native-sidecar' : 'sidecar',
      proxyVersion: imageTag(sidecar.container.image),
      identity,
    };
  }
  if (annotations['ambient.istio.io/redirection'] === 'enabled') {
    return { meshed: true, dataPlane: 'ambient', identity };
  }
  return { meshed: false, dataPlane: 'none' };
}
