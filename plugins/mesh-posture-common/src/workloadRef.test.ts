import { formatWorkloadRef, parseWorkloadRef } from './workloadRef';

describe('parseWorkloadRef', () => {
  it('parses cluster/namespace/kind/name', () => {
    const ref = parseWorkloadRef('prod-eu-1/payments/Deployment/payments-api');
    expect(ref).toEqual({
      cluster: 'prod-eu-1',
      namespace: 'payments',
      kind: 'Deployment',
      name: 'payments-api',
    });
    expect(formatWorkloadRef(ref)).toBe(
      'prod-eu-1/payments/Deployment/payments-api',
    );
  });

  it.each([
    'payments/Deployment/payments-api',
    'prod/payments/Service/payments-api',
    'prod/Payments/Deployment/payments-api',
    'prod/payments/Deployment/payments-api"}',
    'prod/payments/Deployment/a/b',
    'pr od/payments/Deployment/payments-api',
  ])('rejects %s', text => {
    expect(() => parseWorkloadRef(text)).toThrow();
  });
});
