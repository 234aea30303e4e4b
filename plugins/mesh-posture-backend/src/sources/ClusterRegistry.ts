import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  MeshAdapter,
  MeshCluster,
  MeshClusterProvider,
} from '@mesh-posture/plugin-mesh-posture-node';
import { MeshAdapters } from '../mesh/adapters';
import { safeMessage } from './SourceCaller';

/**
 * The clusters of every provider, by name, and the adapter of the mesh
 * each runs.
 */
export class ClusterRegistry {
  constructor(
    private readonly providers: MeshClusterProvider[],
    private readonly logger: LoggerService,
    readonly meshes: MeshAdapters = new MeshAdapters(),
  ) {}

  /** The adapter of a cluster's mesh (every listed cluster has one). */
  adapterOf(cluster: MeshCluster): MeshAdapter {
    const adapter = this.meshes.get(cluster.mesh);
    if (!adapter) {
      throw new Error(`No adapter reads the mesh "${cluster.mesh}"`);
    }
    return adapter;
  }

  /** Every cluster of every provider; a provider that fails is logged and skipped. */
  async clusters(): Promise<MeshCluster[]> {
    const lists = await Promise.all(
      this.providers.map(p =>
        p.getClusters().catch(error => {
          this.logger.warn(
            `Mesh cluster provider failed: ${safeMessage(error)}`,
          );
          return [] as MeshCluster[];
        }),
      ),
    );
    const byName = new Map<string, MeshCluster>();
    for (const cluster of lists.flat()) {
      if (!this.meshes.get(cluster.mesh)) {
        this.logger.warn(
          `Mesh cluster ${cluster.name} runs "${String(cluster.mesh).slice(
            0,
            40,
          )}", which no installed adapter reads; skipped`,
        );
      } else if (byName.has(cluster.name)) {
        this.logger.warn(
          `Mesh cluster ${cluster.name} is provided twice; using the first`,
        );
      } else {
        byName.set(cluster.name, cluster);
      }
    }
    return [...byName.values()];
  }
}
