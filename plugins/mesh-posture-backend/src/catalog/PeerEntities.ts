import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { KUBERNETES_ID_ANNOTATION } from '@mesh-posture/plugin-mesh-posture-common';
import { entityKey } from './entityKey';

/** The names a workload's entity may carry: Flagger's `-primary` copy is the service itself. */
function candidates(workload: string): string[] {
  return workload.endsWith('-primary')
    ? [workload, workload.slice(0, -'-primary'.length)]
    : [workload];
}

/**
 * Finds the catalog entities of peer workloads: the entity whose
 * `backstage.io/kubernetes-id` names the workload. Asks with the caller's
 * credentials, so nobody learns of an entity they cannot read, and in one
 * catalog query per response.
 */
export class PeerEntities {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      logger: LoggerService;
    },
  ) {}

  /** A lookup from workload name to entity ref; empty when the catalog fails. */
  async lookup(
    workloads: Iterable<string>,
    credentials: BackstageCredentials,
  ): Promise<(workload: string) => string | undefined> {
    const names = [...new Set([...workloads].flatMap(candidates))];
    if (names.length === 0) return () => undefined;
    let refsById: Map<string, string>;
    try {
      const { items } = await this.options.catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: names,
          },
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.annotations',
          ],
        },
        { credentials },
      );
      refsById = new Map(
        items
          .map(e => [
            e.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
            entityKey(e),
          ])
          .filter((pair): pair is [string, string] => Boolean(pair[0])),
      );
    } catch (error) {
      // Links are a convenience; the response goes out without them.
      this.options.logger.warn(`Mesh posture peer linking failed: ${error}`);
      return () => undefined;
    }
    return workload =>
      candidates(workload)
        .map(n => refsById.get(n))
        .find(Boolean);
  }
}
