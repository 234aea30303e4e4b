import { BuiltInMeshAdapter, LinkerdObjectAdapter } from '../MeshAdapter';
import { linkerdPodMeshState } from './linkerdPods';
import { LINKERD_VIZ_LABELS, LinkerdTelemetry } from './LinkerdTelemetry';

/** Linkerd 2.x: its objects, pods, viz telemetry and Flagger formula. */
export const linkerdAdapter: BuiltInMeshAdapter = {
  objects: new LinkerdObjectAdapter(),
  podMeshState: linkerdPodMeshState,
  telemetry: (prometheus, labels, scope) =>
    new LinkerdTelemetry({
      prometheus,
      scope,
      labels: labels
        ? {
            namespace: labels.namespace,
            ...(labels.pod ? { pod: labels.pod } : {}),
            workloads: {
              ...LINKERD_VIZ_LABELS.workloads,
              ...labels.workloads,
            },
          }
        : LINKERD_VIZ_LABELS,
    }),
  // Flagger's Linkerd request-success-rate: responses not classified as
  // failures, as the signals count them (fluxcd/flagger
  // pkg/metrics/observers/linkerd.go, classification!="failure").
  flaggerSuccessShare: summary =>
    summary.requestsPerSecond > 0 ? summary.successRate : null,
};
