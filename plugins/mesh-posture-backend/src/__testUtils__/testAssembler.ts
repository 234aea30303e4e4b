import { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import {
  MeshCluster,
  MeshClusterProvider,
} from '@mesh-posture/plugin-mesh-posture-node';
import { PostureAssembler } from '../posture/PostureAssembler';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { SourceCaller } from '../sources/SourceCaller';

/**
 * A posture assembler with its registry and caller, built as the plugin's
 * context builds them, for tests that drive the assembler directly.
 */
export function testAssembler(
  clusters: MeshCluster[] | MeshClusterProvider[],
  options: {
    sourceTimeoutMs?: number;
    callerWindow?: string;
    minimumCallerHistoryMs?: number;
    logger?: LoggerService;
    now?: () => Date;
  } = {},
) {
  const logger = options.logger ?? mockServices.logger.mock();
  const providers: MeshClusterProvider[] = clusters.every(
    (c): c is MeshClusterProvider => 'getClusters' in c,
  )
    ? (clusters as MeshClusterProvider[])
    : [{ getClusters: async () => clusters as MeshCluster[] }];
  const registry = new ClusterRegistry(providers, logger);
  const caller = new SourceCaller({
    timeoutMs: options.sourceTimeoutMs ?? 5000,
    logger,
  });
  const assembler = new PostureAssembler({
    registry,
    caller,
    callerWindow: options.callerWindow ?? '7d',
    minimumCallerHistoryMs: options.minimumCallerHistoryMs ?? 7 * 24 * 3600_000,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  return { assembler, registry, caller };
}
