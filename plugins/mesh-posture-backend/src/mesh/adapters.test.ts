import { summarizeTraffic } from '@mesh-posture/plugin-mesh-posture-common';
import { isMeshKind, meshAdapters, meshObjectAdapters } from './adapters';

type Summary = ReturnType<typeof summarizeTraffic>;

// 10 rps: 1 rps of HTTP 503, 1 rps of gRPC UNAVAILABLE (HTTP 200), the
// rest successes; the signals (Linkerd's classification) count both as
// failures.
const summary = {
  requestsPerSecond: 10,
  successRate: 0.8,
  errors: [
    { protocol: 'http', status: '503', requestsPerSecond: 1 },
    { protocol: 'grpc', status: '14', requestsPerSecond: 1 },
  ],
} as unknown as Summary;

describe('mesh adapters', () => {
  it('count Flagger request-success-rate as each mesh counts it', () => {
    // fluxcd/flagger pkg/metrics/observers/linkerd.go: classification!="failure".
    expect(meshAdapters.linkerd.flaggerSuccessShare(summary)).toBe(0.8);
    // fluxcd/flagger pkg/metrics/observers/istio.go: response_code!~"5.*".
    expect(meshAdapters.istio.flaggerSuccessShare(summary)).toBe(0.9);
    const idle = { ...summary, requestsPerSecond: 0 } as Summary;
    expect(meshAdapters.linkerd.flaggerSuccessShare(idle)).toBeNull();
    expect(meshAdapters.istio.flaggerSuccessShare(idle)).toBeNull();
  });

  it('read a pod as their own proxy only', () => {
    const pod = (container: string, annotations = {}) => ({
      metadata: { name: 'p', namespace: 'payments', annotations },
      spec: { serviceAccountName: 'api', containers: [{ name: container }] },
    });
    expect(
      meshAdapters.linkerd.podMeshState(pod('linkerd-proxy'), {}).meshed,
    ).toBe(true);
    expect(
      meshAdapters.istio.podMeshState(pod('linkerd-proxy'), {}).meshed,
    ).toBe(false);
    // The injector's status annotation marks an injected sidecar.
    expect(
      meshAdapters.istio.podMeshState(
        pod('istio-proxy', { 'sidecar.istio.io/status': '{}' }),
        {},
      ),
    ).toMatchObject({
      meshed: true,
      identity: 'spiffe://cluster.local/ns/payments/sa/api',
    });
  });

  it('name the meshes there are adapters for, and only those', () => {
    expect(isMeshKind('linkerd')).toBe(true);
    expect(isMeshKind('istio')).toBe(true);
    expect(isMeshKind('consul')).toBe(false);
    expect(isMeshKind('toString')).toBe(false);
    expect(Object.keys(meshObjectAdapters())).toEqual(['linkerd', 'istio']);
  });
});
