import type { WorkloadRef } from '../types';
import { signalsByCanaryRole } from './signalsByRole';

const deployment = (name: string) =>
  ({
    cluster: 'prod-eu-west',
    namespace: 'payments',
    kind: 'Deployment',
    name,
  } as WorkloadRef);

const canary = deployment('fraud-scoring');
const primary = deployment('fraud-scoring-primary');

/** One workload's requests: `le` buckets cumulative, in milliseconds. */
const part = (
  workload: WorkloadRef,
  requestsPerSecond: number,
  failuresPerSecond: number,
  slowShare = 0,
) => ({
  workload,
  requestsPerSecond,
  failuresPerSecond,
  errors: [],
  latencyBuckets: [
    { le: 50, rate: requestsPerSecond * (1 - slowShare) },
    { le: 500, rate: requestsPerSecond },
    { le: Infinity, rate: requestsPerSecond },
  ],
});

describe('signalsByCanaryRole', () => {
  it('sets the canary beside its primary while the canary serves requests', () => {
    const sides = signalsByCanaryRole(
      [primary, canary],
      [part(primary, 18, 0.018), part(canary, 2, 0.1, 0.5)],
      300,
    )!;
    expect(sides.map(s => s.role)).toEqual(['primary', 'canary']);
    const [stable, next] = sides;
    expect(stable.workloads).toEqual([primary]);
    expect(stable.summary.requests).toBe(5400);
    expect(stable.summary.successRate).toBeCloseTo(0.999);
    expect(next.summary.requests).toBe(600);
    expect(next.summary.successRate).toBeCloseTo(0.95);
    // The canary's slow half shows in its own p99, not the primary's.
    expect(next.summary.latencyMs.p99!).toBeGreaterThan(
      stable.summary.latencyMs.p99!,
    );
  });

  it('has nothing to compare between rollouts, or without a pair', () => {
    // Flagger scales the canary to zero once it promoted or rolled back.
    expect(
      signalsByCanaryRole([primary, canary], [part(primary, 18, 0)], 300),
    ).toBeUndefined();
    expect(
      signalsByCanaryRole(
        [primary, canary],
        [part(primary, 18, 0), part(canary, 0, 0)],
        300,
      ),
    ).toBeUndefined();
    const ledger = deployment('ledger');
    expect(
      signalsByCanaryRole([ledger], [part(ledger, 20, 0)], 300),
    ).toBeUndefined();
  });
});
