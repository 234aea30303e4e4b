import type { WorkloadRef } from '../types';
import { canaryRoles } from './roles';

const deployment = (name: string, extra: Partial<WorkloadRef> = {}) =>
  ({
    cluster: 'prod-eu-west',
    namespace: 'payments',
    kind: 'Deployment',
    name,
    ...extra,
  } as WorkloadRef);

describe('canaryRoles', () => {
  it("names Flagger's target the canary and its -primary clone the primary", () => {
    const canary = deployment('fraud-scoring');
    const primary = deployment('fraud-scoring-primary');
    const other = deployment('ledger');
    const roleOf = canaryRoles([canary, primary, other]);
    expect(roleOf({ ...canary })).toBe('canary');
    expect(roleOf({ ...primary })).toBe('primary');
    expect(roleOf(other)).toBeUndefined();
  });

  it('leaves a lone -primary, and pairs across namespaces, clusters or kinds, unnamed', () => {
    const lone = deployment('db-primary');
    expect(canaryRoles([lone])(lone)).toBeUndefined();
    for (const apart of [
      { namespace: 'other' },
      { cluster: 'prod-eu-north' },
      { kind: 'StatefulSet' as const },
    ]) {
      const pair = [deployment('x'), deployment('x-primary', apart)];
      const roleOf = canaryRoles(pair);
      expect(pair.map(roleOf)).toEqual([undefined, undefined]);
    }
  });
});
