import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  MeshCluster,
  MeshClusterProvider,
} from '@mesh-posture/plugin-mesh-posture-node';
import { safeMessage } from './SourceCaller';

/** The clusters of every provider, by name. */
export class ClusterRegistry {
  constructor(
    private readonly providers: MeshClusterProvider[],
    private readonly logger: LoggerService,
  ) {}

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
      if (byName.has(cluster.name)) {
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
