import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  MeshCluster,
  MeshClusterProvider,
} from '@mesh-posture/plugin-mesh-posture-node';
import { ClusterConfig } from './config';
import { KubernetesPluginObjectSource } from './kubernetes/KubernetesPluginObjectSource';
import { builtInMeshAdapters } from './mesh/adapters';
import { PrometheusClient } from './prometheus/PrometheusClient';
import { eq } from './prometheus/promql';

/**
 * The clusters of `meshPosture.clusters`: objects through the Backstage
 * Kubernetes plugin (clusters configured once, there), telemetry from each
 * cluster's Prometheus through the Linkerd or Istio adapter.
 */
export class ConfigClusterProvider implements MeshClusterProvider {
  private readonly clusters: MeshCluster[];

  constructor(
    configs: ClusterConfig[],
    deps: { discovery: DiscoveryService; auth: AuthService },
  ) {
    const objects = new KubernetesPluginObjectSource(deps);
    this.clusters = configs.map(c => {
      const prometheus = c.prometheus
        ? new PrometheusClient({
            url: c.prometheus.url,
            headers: c.prometheus.headers,
            maxResponseBytes: c.prometheus.maxResponseBytes,
          })
        : undefined;
      const externalLabel = c.prometheus?.externalLabel;
      const telemetry: MeshCluster['telemetry'] = prometheus
        ? builtInMeshAdapters[c.mesh].telemetry(
            prometheus,
            c.labels,
            externalLabel ? [eq(externalLabel.name, externalLabel.value)] : [],
          )
        : undefined;
      return {
        name: c.name,
        mesh: c.mesh,
        settings: {
          trustDomain: c.trustDomain,
          linkerdNamespace: c.linkerdNamespace,
          readIssuerSecret: c.readIssuerSecret,
          istioRootNamespace: c.istioRootNamespace,
        },
        ...(c.kubernetes ? { objects } : {}),
        ...(telemetry ? { telemetry } : {}),
        links: {
          ...(c.prometheus?.publicUrl
            ? { prometheus: c.prometheus.publicUrl }
            : {}),
          ...(c.grafanaDashboardUrl
            ? { grafanaDashboard: c.grafanaDashboardUrl }
            : {}),
        },
      };
    });
  }

  async getClusters(): Promise<MeshCluster[]> {
    return this.clusters;
  }
}
