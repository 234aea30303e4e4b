import { summarizeTraffic } from '@mesh-posture/plugin-mesh-posture-common';
import {
  builtInMeshAdapters as meshAdapters,
  isBuiltInMesh,
  MeshAdapters,
} from './adapters';

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
    expect(isBuiltInMesh('linkerd')).toBe(true);
    expect(isBuiltInMesh('istio')).toBe(true);
    expect(isBuiltInMesh('consul')).toBe(false);
    expect(isBuiltInMesh('toString')).toBe(false);
    const meshes = new MeshAdapters();
    expect(Object.keys(meshes.objectAdapters())).toEqual(['linkerd', 'istio']);
    expect(meshes.get('toString')).toBeUndefined();
  });

  it("takes a module's mesh once, under a valid name", () => {
    const adapter = meshAdapters.linkerd;
    expect(new MeshAdapters([['kuma', adapter]]).get('kuma')).toBe(adapter);
    expect(() => new MeshAdapters([['istio', adapter]])).toThrow(
      'The mesh "istio" has an adapter already',
    );
    expect(() => new MeshAdapters([['Kuma Mesh', adapter]])).toThrow(
      'Mesh name "Kuma Mesh" must match',
    );
  });
});
