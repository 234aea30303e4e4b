import { LoggerService } from '@backstage/backend-plugin-api';
import { CanaryStatus } from '@mesh-posture/plugin-mesh-posture-common';
import { readCanary } from '@mesh-posture/plugin-mesh-posture-node';
import { CanaryHistoryStore } from '../database/CanaryHistoryStore';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { SourceCaller } from '../sources/SourceCaller';
import { listCanaries } from './CanaryService';

/**
 * Watches every cluster's Flagger canaries on a schedule (one listing per
 * cluster), so the rollout history is recorded even when nobody opens a
 * service page.
 */
export class CanaryObserver {
  constructor(
    private readonly options: {
      registry: ClusterRegistry;
      caller: SourceCaller;
      store: CanaryHistoryStore;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  /** Lists every cluster's canaries and records their transitions; returns how many. */
  async observe(): Promise<number> {
    const { registry, caller, store, logger } = this.options;
    const at = this.options.now?.() ?? new Date();
    const clusters = await registry.clusters();
    const seen: CanaryStatus[] = [];
    await Promise.all(
      clusters.map(async cluster => {
        const listed = await listCanaries(cluster, caller);
        if (!listed || !Array.isArray(listed.value)) {
          if (listed && listed.report.status !== 'ok') {
            logger.warn(
              `Canaries of ${cluster.name} not observed: ${listed.report.status}`,
            );
          }
          return;
        }
        for (const object of listed.value) {
          const status = readCanary(object, cluster.name);
          if (status) seen.push(status);
        }
      }),
    );
    return store.record(seen, at);
  }
}
