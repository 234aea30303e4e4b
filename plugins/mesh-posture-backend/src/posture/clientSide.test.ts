import type {
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import { inboundOfUnmeshed, nameUnidentifiedCallers } from './clientSide';

const statements: WorkloadRef = {
  cluster: 'prod',
  namespace: 'payments',
  kind: 'Deployment',
  name: 'statements',
};

// What statements' own proxy says of a plaintext caller: nothing but the
// reason (linkerd2-proxy: tls="no_identity", no_tls_reason="no_tls_from_remote").
const unnamed = (rps: number): TrafficObservation => ({
  workload: statements,
  direction: 'inbound',
  peer: {},
  mtls: false,
  noTlsReason: 'no_tls_from_remote',
  requestsPerSecond: rps,
});

// What a caller's proxy says of the same requests, outbound.
const reported = (
  workload: string,
  rps: number,
  mtls = false,
): TrafficObservation => ({
  workload: statements,
  direction: 'inbound',
  peer: { namespace: 'ingress', workload },
  mtls,
  ...(mtls ? {} : { noTlsReason: 'ingress_without_override' }),
  reportedBy: 'peer',
  requestsPerSecond: rps,
});

describe('nameUnidentifiedCallers', () => {
  it("names the caller and keeps the destination's figure and reason", () => {
    expect(
      nameUnidentifiedCallers([unnamed(2)], [reported('ingress-nginx', 2)]),
    ).toEqual([
      {
        ...unnamed(2),
        peer: { namespace: 'ingress', workload: 'ingress-nginx' },
      },
    ]);
  });

  it('leaves unidentified what the callers do not account for', () => {
    const named = nameUnidentifiedCallers(
      [unnamed(3)],
      [reported('ingress-nginx', 1), reported('mtls-caller', 5, true)],
    );
    expect(named.map(t => [t.peer.workload, t.requestsPerSecond])).toEqual([
      ['ingress-nginx', 1],
      [undefined, 2],
    ]);
  });

  it('shares by reported rate when callers report more than arrived', () => {
    const named = nameUnidentifiedCallers(
      [unnamed(2)],
      [reported('a', 3), reported('b', 1)],
    );
    expect(named.map(t => [t.peer.workload, t.requestsPerSecond])).toEqual([
      ['a', 1.5],
      ['b', 0.5],
    ]);
  });
});

describe('inboundOfUnmeshed', () => {
  it('is plaintext whatever the caller could tell, and says who saw it', () => {
    const istioCaller: TrafficObservation = {
      ...reported('card-issuing', 0.25),
      unverified: true,
      noTlsReason: "reported by the caller's sidecar, which cannot tell",
    };
    expect(inboundOfUnmeshed(statements, [istioCaller])).toEqual([
      {
        workload: statements,
        direction: 'inbound',
        peer: { namespace: 'ingress', workload: 'card-issuing' },
        mtls: false,
        noTlsReason: 'no proxy at the destination to terminate mTLS',
        reportedBy: 'peer',
        requestsPerSecond: 0.25,
      },
    ]);
  });
});
