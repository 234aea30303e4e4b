import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  CatalogModelSources,
  createCatalogModelLayer,
} from '@backstage/catalog-model/alpha';
import {
  MESH_POSTURE_CHECKLISTS_ANNOTATION,
  MESH_POSTURE_WORKLOAD_ANNOTATION,
  SLO_LATENCY_P99_ANNOTATION,
  SLO_SUCCESS_RATE_ANNOTATION,
} from '@mesh-posture/plugin-mesh-posture-common';
import { catalogModelExtensionPoint } from '@backstage/plugin-catalog-node/alpha';

/**
 * The annotations Mesh Posture owns, declared to the catalog's model (an
 * alpha API of this Backstage release), so the catalog and the AI agents
 * that read its model description know them. The Kubernetes plugin's
 * annotations, which the suite also reads, are that plugin's to declare.
 *
 * No value schema: a malformed value is the suite's to refuse (a 400 that
 * names it), never a reason for the catalog to reject the entity.
 * @alpha
 */
export const meshPostureCatalogModelLayer = createCatalogModelLayer({
  layerId: 'mesh-posture.io/annotations',
  builder: model => {
    model.addAnnotation({
      name: MESH_POSTURE_WORKLOAD_ANNOTATION,
      title: 'Mesh Posture workloads',
      description:
        'The workloads of the entity as a comma-separated list of cluster/namespace/kind/name, for clusters Mesh Posture reads through Prometheus only. Without it, backstage.io/kubernetes-label-selector or backstage.io/kubernetes-id map the entity to its pods.',
    });
    model.addAnnotation({
      name: SLO_SUCCESS_RATE_ANNOTATION,
      title: 'Success-rate objective',
      description:
        "The service's success-rate objective in percent, above 0 and below 100 (e.g. 99.95); the golden signals and the error budget are judged against it.",
    });
    model.addAnnotation({
      name: SLO_LATENCY_P99_ANNOTATION,
      title: 'p99 latency objective',
      description:
        "The service's p99 latency objective in milliseconds, from 1 to 3600000 (e.g. 300).",
    });
    model.addAnnotation({
      name: MESH_POSTURE_CHECKLISTS_ANNOTATION,
      title: 'Compliance checklists',
      description:
        'The checklist templates the entity opts into, comma separated (e.g. threat-model,zero-trust,pci-dss-v4); none opts out of the default ones.',
    });
  },
});

/**
 * Catalog module: adds {@link meshPostureCatalogModelLayer} to the catalog
 * model (`backend.add(catalogModuleMeshPostureModel)`).
 * @alpha
 */
export const catalogModuleMeshPostureModel = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mesh-posture-model',
  register(reg) {
    reg.registerInit({
      deps: { model: catalogModelExtensionPoint },
      async init({ model }) {
        model.addModelSource(
          CatalogModelSources.static([meshPostureCatalogModelLayer]),
        );
      },
    });
  },
});
