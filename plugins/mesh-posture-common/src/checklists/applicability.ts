import type { Entity } from '@backstage/catalog-model';
import { MESH_POSTURE_ANNOTATION_PREFIX } from '../annotations';
import { THREAT_MODEL_TEMPLATE_ID, ZERO_TRUST_TEMPLATE_ID } from './templates';

/**
 * The checklist templates an entity opts into, comma separated, e.g.
 * `threat-model,pci-dss-v4`. Replaces the defaults for its kind and type;
 * `none` opts out of every checklist.
 * @public
 */
export const MESH_POSTURE_CHECKLISTS_ANNOTATION = `${MESH_POSTURE_ANNOTATION_PREFIX}checklists`;

/**
 * Which templates entities of a kind (and optionally a spec.type) get when
 * they carry no checklists annotation.
 * @public
 */
export interface ChecklistDefaultRule {
  kind: string;
  type?: string;
  templates: string[];
}

/**
 * The defaults when `meshPosture.checklists.defaults` is not configured:
 * every Component of type service gets the threat model and zero-trust
 * networking checklists.
 * @public
 */
export const DEFAULT_CHECKLIST_RULES: readonly ChecklistDefaultRule[] = [
  {
    kind: 'Component',
    type: 'service',
    templates: [THREAT_MODEL_TEMPLATE_ID, ZERO_TRUST_TEMPLATE_ID],
  },
];

/**
 * The template ids named in a checklists annotation: trimmed, lower-cased,
 * without duplicates or blanks; `none` gives an empty list.
 * @public
 */
export function parseChecklistsAnnotation(value: string): string[] {
  const ids = value
    .split(',')
    .map(s => s.trim().toLocaleLowerCase('en-US'))
    .filter(Boolean);
  if (ids.length === 1 && ids[0] === 'none') return [];
  return [...new Set(ids)];
}

/**
 * The template ids that apply to an entity, and why: its annotation when it
 * has one, otherwise the first default rule matching its kind and type
 * (case-insensitive), otherwise none.
 * @public
 */
export function checklistTemplateIdsFor(
  entity: Entity,
  rules: readonly ChecklistDefaultRule[],
): { templateIds: string[]; from: 'annotation' | 'default' | 'none' } {
  const annotation =
    entity.metadata.annotations?.[MESH_POSTURE_CHECKLISTS_ANNOTATION];
  if (annotation !== undefined && annotation.trim() !== '') {
    return {
      templateIds: parseChecklistsAnnotation(annotation),
      from: 'annotation',
    };
  }
  const kind = entity.kind.toLocaleLowerCase('en-US');
  const type =
    typeof entity.spec?.type === 'string'
      ? entity.spec.type.toLocaleLowerCase('en-US')
      : undefined;
  const rule = rules.find(
    r =>
      r.kind.toLocaleLowerCase('en-US') === kind &&
      (r.type === undefined || r.type.toLocaleLowerCase('en-US') === type),
  );
  return rule
    ? { templateIds: [...new Set(rule.templates)], from: 'default' }
    : { templateIds: [], from: 'none' };
}

/**
 * True when the Compliance tab should be offered: the entity opts into
 * checklists by annotation, or is a Component (which the default rules are
 * about; the tab says so when none applies).
 * @public
 */
export function isChecklistAvailable(entity: Entity): boolean {
  const annotation =
    entity.metadata.annotations?.[MESH_POSTURE_CHECKLISTS_ANNOTATION];
  if (annotation !== undefined && annotation.trim() !== '') {
    return parseChecklistsAnnotation(annotation).length > 0;
  }
  return entity.kind.toLocaleLowerCase('en-US') === 'component';
}
