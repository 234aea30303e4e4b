import {
  checklistItemFingerprint,
  checklistTemplateFingerprint,
} from './fingerprint';
import type {
  ChecklistItem,
  ChecklistTemplate,
  ChecklistTemplateInfo,
  ChecklistTemplateSource,
} from './types';

/**
 * Every item of a template, in order, with the id of its section.
 * @public
 */
export function checklistItems(
  template: ChecklistTemplate,
): Array<{ item: ChecklistItem; sectionId: string }> {
  return template.sections.flatMap(section =>
    section.items.map(item => ({ item, sectionId: section.id })),
  );
}

/**
 * A template with its source and the fingerprints answers are compared to.
 * @public
 */
export function describeChecklistTemplate(
  template: ChecklistTemplate,
  source: ChecklistTemplateSource,
): ChecklistTemplateInfo {
  return {
    ...template,
    source,
    fingerprint: checklistTemplateFingerprint(template),
    itemFingerprints: Object.fromEntries(
      checklistItems(template).map(({ item }) => [
        item.id,
        checklistItemFingerprint(item),
      ]),
    ),
  };
}

/**
 * What changed between two versions of a template, item by item: answers
 * to `unchanged` items carry over, answers to `changed` items must be given
 * again, `removed` items drop out of the checklist (their history stays).
 * @public
 */
export interface ChecklistTemplateDiff {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

/** @public */
export function diffChecklistTemplates(
  previous: ChecklistTemplate,
  next: ChecklistTemplate,
): ChecklistTemplateDiff {
  const before = describeChecklistTemplate(
    previous,
    'built-in',
  ).itemFingerprints;
  const after = describeChecklistTemplate(next, 'built-in').itemFingerprints;
  const diff: ChecklistTemplateDiff = {
    added: [],
    removed: [],
    changed: [],
    unchanged: [],
  };
  for (const [id, fingerprint] of Object.entries(after)) {
    if (!(id in before)) diff.added.push(id);
    else if (before[id] === fingerprint) diff.unchanged.push(id);
    else diff.changed.push(id);
  }
  diff.removed = Object.keys(before).filter(id => !(id in after));
  return diff;
}

/**
 * A one-line summary of a diff, e.g. `2 items changed, 1 added`.
 * @public
 */
export function summarizeChecklistTemplateDiff(
  diff: ChecklistTemplateDiff,
): string {
  const parts = [
    [diff.changed.length, 'changed'],
    [diff.added.length, 'added'],
    [diff.removed.length, 'removed'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${n === 1 ? 'item' : 'items'} ${what}`);
  return parts.length > 0 ? parts.join(', ') : 'no item changed';
}
