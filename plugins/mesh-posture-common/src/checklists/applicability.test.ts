import type { Entity } from '@backstage/catalog-model';
import {
  checklistTemplateIdsFor,
  DEFAULT_CHECKLIST_RULES,
  isChecklistAvailable,
  parseChecklistsAnnotation,
} from './applicability';

function entity(kind: string, type?: string, annotation?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name: 'x',
      ...(annotation !== undefined
        ? { annotations: { 'mesh-posture.io/checklists': annotation } }
        : {}),
    },
    spec: type ? { type } : {},
  };
}

describe('checklist applicability', () => {
  it('parses the annotation', () => {
    expect(
      parseChecklistsAnnotation(' Threat-Model, pci-dss-v4,,threat-model '),
    ).toEqual(['threat-model', 'pci-dss-v4']);
    expect(parseChecklistsAnnotation('none')).toEqual([]);
  });

  it('takes the annotation over the defaults', () => {
    expect(
      checklistTemplateIdsFor(
        entity('Component', 'service', 'pci-dss-v4'),
        DEFAULT_CHECKLIST_RULES,
      ),
    ).toEqual({ templateIds: ['pci-dss-v4'], from: 'annotation' });
    expect(
      checklistTemplateIdsFor(
        entity('Component', 'service', 'none'),
        DEFAULT_CHECKLIST_RULES,
      ),
    ).toEqual({ templateIds: [], from: 'annotation' });
  });

  it('falls back to the first rule matching kind and type, case-insensitively', () => {
    const rules = [
      { kind: 'component', type: 'Website', templates: ['threat-model'] },
      { kind: 'Component', templates: ['zero-trust'] },
    ];
    expect(
      checklistTemplateIdsFor(entity('Component', 'website'), rules),
    ).toEqual({
      templateIds: ['threat-model'],
      from: 'default',
    });
    expect(
      checklistTemplateIdsFor(entity('Component', 'service'), rules),
    ).toEqual({
      templateIds: ['zero-trust'],
      from: 'default',
    });
    expect(checklistTemplateIdsFor(entity('API', 'openapi'), rules)).toEqual({
      templateIds: [],
      from: 'none',
    });
    expect(
      checklistTemplateIdsFor(
        entity('Component', 'service'),
        DEFAULT_CHECKLIST_RULES,
      ),
    ).toEqual({ templateIds: ['threat-model', 'zero-trust'], from: 'default' });
    expect(
      checklistTemplateIdsFor(
        entity('Component', 'website'),
        DEFAULT_CHECKLIST_RULES,
      ).from,
    ).toBe('none');
  });

  it('offers the tab on components and on entities that opt in', () => {
    expect(isChecklistAvailable(entity('Component', 'library'))).toBe(true);
    expect(
      isChecklistAvailable(entity('System', undefined, 'threat-model')),
    ).toBe(true);
    expect(isChecklistAvailable(entity('System'))).toBe(false);
    expect(isChecklistAvailable(entity('Component', 'service', 'none'))).toBe(
      false,
    );
  });
});
