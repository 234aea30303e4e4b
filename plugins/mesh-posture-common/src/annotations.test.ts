import { Entity } from '@backstage/catalog-model';
import { isMeshPostureAvailable } from './annotations';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', annotations },
  };
}

describe('isMeshPostureAvailable', () => {
  it('is true with any workload annotation', () => {
    expect(
      isMeshPostureAvailable(entity({ 'backstage.io/kubernetes-id': 'x' })),
    ).toBe(true);
    expect(
      isMeshPostureAvailable(
        entity({ 'backstage.io/kubernetes-label-selector': 'app=x' }),
      ),
    ).toBe(true);
    expect(
      isMeshPostureAvailable(
        entity({ 'mesh-posture.io/workload': 'c/ns/Deployment/x' }),
      ),
    ).toBe(true);
  });

  it('is false without one, or with only blanks', () => {
    expect(isMeshPostureAvailable(entity({}))).toBe(false);
    expect(
      isMeshPostureAvailable(entity({ 'backstage.io/kubernetes-id': '  ' })),
    ).toBe(false);
    expect(
      isMeshPostureAvailable(
        entity({ 'backstage.io/kubernetes-namespace': 'payments' }),
      ),
    ).toBe(false);
  });
});
