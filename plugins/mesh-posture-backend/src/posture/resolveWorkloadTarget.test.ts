import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { resolveWorkloadTarget } from './resolveWorkloadTarget';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default', annotations },
  };
}

describe('resolveWorkloadTarget', () => {
  it('is undefined without workload annotations', () => {
    expect(resolveWorkloadTarget(entity({}))).toBeUndefined();
  });

  it('turns the kubernetes-id into a label selector', () => {
    expect(
      resolveWorkloadTarget(
        entity({
          'backstage.io/kubernetes-id': 'payments-api',
          'backstage.io/kubernetes-namespace': 'payments',
          'backstage.io/kubernetes-cluster': 'prod-eu-west',
        }),
      ),
    ).toEqual({
      selector: {
        requirements: [
          {
            key: 'backstage.io/kubernetes-id',
            operator: 'In',
            values: ['payments-api'],
          },
        ],
      },
      namespace: 'payments',
      cluster: 'prod-eu-west',
      explicit: [],
    });
  });

  it('prefers the label selector over the id', () => {
    const target = resolveWorkloadTarget(
      entity({
        'backstage.io/kubernetes-id': 'ignored',
        'backstage.io/kubernetes-label-selector': 'app=payments,tier=api',
      }),
    );
    expect(target?.selector?.requirements.map(r => r.key)).toEqual([
      'app',
      'tier',
    ]);
  });

  it('reads explicit workloads', () => {
    expect(
      resolveWorkloadTarget(
        entity({
          'mesh-posture.io/workload':
            'prod/payments/Deployment/payments-api, prod/payments/StatefulSet/ledger',
        }),
      )?.explicit.map(w => w.name),
    ).toEqual(['payments-api', 'ledger']);
  });

  it.each([
    ['backstage.io/kubernetes-id', 'x",deployment=~".*'],
    ['backstage.io/kubernetes-id', 'a'.repeat(64)],
    ['backstage.io/kubernetes-label-selector', 'app=web\n'.repeat(2)],
    ['backstage.io/kubernetes-label-selector', 'app in (a'],
    ['mesh-posture.io/workload', 'prod/payments/Deployment/"}'],
  ])('refuses a malformed %s with a 400 naming it', (annotation, value) => {
    expect(() =>
      resolveWorkloadTarget(entity({ [annotation]: value })),
    ).toThrow(InputError);
    expect(() =>
      resolveWorkloadTarget(entity({ [annotation]: value })),
    ).toThrow(annotation);
  });

  it('refuses a malformed namespace or cluster', () => {
    expect(() =>
      resolveWorkloadTarget(
        entity({
          'backstage.io/kubernetes-id': 'x',
          'backstage.io/kubernetes-namespace': 'Payments!',
        }),
      ),
    ).toThrow('backstage.io/kubernetes-namespace');
    expect(() =>
      resolveWorkloadTarget(
        entity({
          'backstage.io/kubernetes-id': 'x',
          'backstage.io/kubernetes-cluster': 'a b',
        }),
      ),
    ).toThrow('backstage.io/kubernetes-cluster');
  });
});
