import type {
  ClusterObjectSource,
  KubernetesObject,
} from '@mesh-posture/plugin-mesh-posture-node';

/**
 * Lists a resource, trying the API versions newest first: a mesh release
 * serves only some of them, and the newest carries the most fields. The
 * version that answered is remembered per cluster. Resolves `undefined` when
 * the cluster serves none of them (the CRD is not installed).
 */
export class VersionedLister {
  private readonly chosen = new Map<string, string>();

  async list(
    source: ClusterObjectSource,
    cluster: string,
    group: string,
    versions: string[],
    resource: string,
    signal?: AbortSignal,
  ): Promise<KubernetesObject[] | undefined> {
    const cacheKey = `${cluster}|${group}|${resource}`;
    const known = this.chosen.get(cacheKey);
    const order = known
      ? [known, ...versions.filter(v => v !== known)]
      : versions;
    for (const version of order) {
      const items = await source.list(
        {
          cluster,
          apiVersion: group ? `${group}/${version}` : version,
          resource,
        },
        { signal },
      );
      if (items !== undefined) {
        this.chosen.set(cacheKey, version);
        return items;
      }
    }
    this.chosen.delete(cacheKey);
    return undefined;
  }
}
