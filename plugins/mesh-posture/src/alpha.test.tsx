import type { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { entityComplianceContent, zeroTrustPage } from './alpha';

const entity = (kind: string, annotations: Record<string, string> = {}) =>
  ({
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'x', annotations },
    spec: { type: 'service' },
  } as Entity);

describe('the Compliance entity content', () => {
  it('is a tab "Compliance" at /compliance on components and entities that opt in', () => {
    const tester = createExtensionTester(entityComplianceContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('/compliance');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Compliance',
    );
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(entity('Component'))).toBe(true);
    expect(
      filter(
        entity('System', { 'mesh-posture.io/checklists': 'threat-model' }),
      ),
    ).toBe(true);
    expect(filter(entity('System'))).toBe(false);
    expect(
      filter(entity('Component', { 'mesh-posture.io/checklists': 'none' })),
    ).toBe(false);
  });
});

describe('the Zero trust page', () => {
  it('is the page "Zero trust" at /zero-trust, with a sidebar icon', () => {
    const tester = createExtensionTester(zeroTrustPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/zero-trust');
    expect(tester.get(coreExtensionData.title)).toBe('Zero trust');
    expect(tester.get(coreExtensionData.icon)).toBeTruthy();
  });
});
