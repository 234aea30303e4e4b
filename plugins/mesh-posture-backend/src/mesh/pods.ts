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

/**
 * The version an application container runs, as its image names it: the
 * tag, else a short digest, else `latest` (what Kubernetes pulls for an
 * image without either).
 */
export function imageVersion(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const tag = imageTag(image);
  if (tag) return tag;
  const digest = image.split('@')[1];
  if (digest) return digest.replace(/^sha256:/, '').slice(0, 12);
  return 'latest';
}

/** A container's literal environment value. */
export function envValue(
  c: KubernetesContainer,
  name: string,
): string | undefined {
  return c.env?.find(e => e.name === name)?.value;
}
