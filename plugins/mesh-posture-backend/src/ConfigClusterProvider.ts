import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  MeshCluster,
  MeshClusterProvider,
} from '@mesh-posture/plugin-mesh-posture-node';
import { ClusterConfig } from './config';
import { KubernetesPluginObjectSource } from './kubernetes/KubernetesPluginObjectSource';
import { builtInMeshAdapters } from './mesh/adapters';
import { PrometheusClient } from './prometheus/PrometheusClient';
import { eq, scopePlaceholder } from './prometheus/promql';
import { SharedEndpoint } from './prometheus/SharedEndpoint';

/** What makes two clusters' Prometheus settings one endpoint. */
function endpointKey(c: ClusterConfig): string | undefined {
  const p = c.prometheus;
  if (!p?.externalLabel) return undefined;
  const headers = Object.entries(p.headers ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  return JSON.stringify([
    p.url,
    headers,
    p.maxResponseBytes ?? null,
    p.externalLabel.name,
  ]);
}

/**
 * The endpoints two or more clusters share (same URL, headers, bound and
 * external label): one client each, so their clusters' same questions go
 * out as one query.
 */
function sharedEndpoints(
  configs: ClusterConfig[],
): Map<string, SharedEndpoint> {
  const counts = new Map<string, number>();
  for (const c of configs) {
    const key = endpointKey(c);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const shared = new Map<string, SharedEndpoint>();
  for (const c of configs) {
    const key = endpointKey(c);
    if (key && counts.get(key)! > 1 && !shared.has(key)) {
      shared.set(
        key,
        new SharedEndpoint(clientOf(c), c.prometheus!.externalLabel!.name),
      );
    }
  }
  return shared;
}

function clientOf(c: ClusterConfig): PrometheusClient {
  return new PrometheusClient({
    url: c.prometheus!.url,
    headers: c.prometheus!.headers,
    maxResponseBytes: c.prometheus!.maxResponseBytes,
  });
}

/**
 * A cluster's telemetry: on an endpoint of its own, every selector carries
 * its external label's value; on a shared one, a placeholder the endpoint
 * fills with every cluster asking at once.
 */
function telemetryOf(
  c: ClusterConfig,
  endpoints: Map<string, SharedEndpoint>,
): NonNullable<MeshCluster['telemetry']> {
  const adapter = builtInMeshAdapters[c.mesh];
  const externalLabel = c.prometheus!.externalLabel;
  const shared = endpoints.get(endpointKey(c) ?? '');
  if (shared && externalLabel) {
    return adapter.telemetry(shared.forCluster(externalLabel.value), c.labels, [
      scopePlaceholder(externalLabel.name),
    ]);
  }
  return adapter.telemetry(
    clientOf(c),
    c.labels,
    externalLabel ? [eq(externalLabel.name, externalLabel.value)] : [],
  );
}

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
    const endpoints = sharedEndpoints(configs);
    this.clusters = configs.map(c => {
      const telemetry: MeshCluster['telemetry'] = c.prometheus
        ? telemetryOf(c, endpoints)
        : undefined;
      return {
        name: c.name,
        mesh: c.mesh,
        settings: {
          trustDomain: c.trustDomain,
          linkerdNamespace: c.linkerdNamespace,
          linkerdEgressNamespace: c.linkerdEgressNamespace,
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
