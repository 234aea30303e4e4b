import { BuiltInMeshAdapter, IstioObjectAdapter } from '../MeshAdapter';
import { istioPodMeshState } from './istioPods';
import { IstioTelemetry } from './IstioTelemetry';

/** Istio: its objects, pods, standard telemetry and Flagger formula. */
export const istioAdapter: BuiltInMeshAdapter = {
  objects: new IstioObjectAdapter(),
  podMeshState: istioPodMeshState,
  telemetry: (prometheus, _labels, scope) =>
    new IstioTelemetry({ prometheus, scope }),
  // Flagger's Istio request-success-rate counts requests without a 5xx
  // response code (fluxcd/flagger pkg/metrics/observers/istio.go,
  // response_code!~"5.*"): gRPC errors and dropped requests are successes.
  flaggerSuccessShare: summary => {
    if (summary.requestsPerSecond <= 0) return null;
    const failed = summary.errors
      .filter(e => e.protocol === 'http' && /^5\d\d$/.test(e.status))
      .reduce((sum, e) => sum + e.requestsPerSecond, 0);
    return 1 - failed / summary.requestsPerSecond;
  },
};
