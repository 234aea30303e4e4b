import type {
  KubernetesContainer,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';

/*
 * What every mesh adapter reads off a pod; each mesh's own reading is in
 * its directory (linkerd/linkerdPods.ts, istio/istioPods.ts).
 */

/** The named proxy container of a pod, regular or native sidecar. */
export function findSidecar(
  pod: KubernetesPod,
  name: string,
): { container: KubernetesContainer; native: boolean } | undefined {
  const regular = pod.spec?.containers?.find(c => c.name === name);
  if (regular) {
    return { container: regular, native: false };
  }
  // Native sidecars (Kubernetes 1.29+): an init container that keeps running.
  const init = pod.spec?.initContainers?.find(
    c => c.name === name && c.restartPolicy === 'Always',
  );
  return init ? { container: init, native: true } : undefined;
}

/** The tag of an image reference (`repo/name:tag@digest` → `tag`). */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(colon + 1) : undefined;
}

/** A container's literal environment value. */
export function envValue(
  c: KubernetesContainer,
  name: string,
): string | undefined {
  return c.env?.find(e => e.name === name)?.value;
}
