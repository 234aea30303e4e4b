import type { Entity } from '@backstage/catalog-model';
import {
  BUILT_IN_CHECKLIST_TEMPLATES,
  ChecklistDefaultRule,
  checklistItems,
  checklistTemplateIdsFor,
  ChecklistTemplateInfo,
  DEFAULT_CHECKLIST_RULES,
  describeChecklistTemplate,
  KNOWN_POSTURE_CHECK_IDS,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ChecklistConfigError, ChecklistSettings } from './config';

/**
 * The templates this installation knows: the built-in ones and those from
 * configuration, and which of them apply to an entity.
 */
export class ChecklistTemplateRegistry {
  private readonly byId: Map<string, ChecklistTemplateInfo>;

  /**
   * Built-ins plus configured templates. A configured template may not
   * reuse the id of a built-in or of another configured template; default
   * rules may only name templates that exist.
   */
  static fromSettings(settings: ChecklistSettings): {
    registry: ChecklistTemplateRegistry;
    warnings: string[];
  } {
    const problems: string[] = [];
    const warnings: string[] = [];
    const origins = new Map<string, string>(
      BUILT_IN_CHECKLIST_TEMPLATES.map(t => [t.id, 'the built-in templates']),
    );
    const templates = BUILT_IN_CHECKLIST_TEMPLATES.map(t =>
      describeChecklistTemplate(t, 'built-in'),
    );
    for (const { template, source, origin } of settings.templates) {
      const seen = origins.get(template.id);
      if (seen) {
        problems.push(
          `${origin}, template "${template.id}": id: "${template.id}" is already defined in ${seen}`,
        );
        continue;
      }
      origins.set(template.id, origin);
      templates.push(describeChecklistTemplate(template, source));
      for (const { item } of checklistItems(template)) {
        if (
          item.kind === 'automatic' &&
          !KNOWN_POSTURE_CHECK_IDS.includes(item.check)
        ) {
          warnings.push(
            `${origin}, template "${template.id}": item "${item.id}" is bound to posture check "${item.check}", which Mesh Posture does not report; it stays unknown unless a module adds that check`,
          );
        }
      }
    }
    const defaults = settings.defaults ?? [...DEFAULT_CHECKLIST_RULES];
    defaults.forEach((rule, i) =>
      rule.templates.forEach((id, j) => {
        if (!origins.has(id)) {
          problems.push(
            `meshPosture.checklists.defaults[${i}].templates[${j}]: no template "${id}"; known: ${[
              ...origins.keys(),
            ].join(', ')}`,
          );
        }
      }),
    );
    if (problems.length > 0) {
      throw new ChecklistConfigError(problems);
    }
    return {
      registry: new ChecklistTemplateRegistry(templates, defaults),
      warnings,
    };
  }

  constructor(
    templates: ChecklistTemplateInfo[],
    private readonly defaults: readonly ChecklistDefaultRule[],
  ) {
    this.byId = new Map(templates.map(t => [t.id, t]));
  }

  get(templateId: string): ChecklistTemplateInfo | undefined {
    return this.byId.get(templateId);
  }

  list(): ChecklistTemplateInfo[] {
    return [...this.byId.values()];
  }

  /**
   * The templates that apply to an entity, in the order named, and the ids
   * its annotation names that no template has.
   */
  forEntity(entity: Entity): {
    templates: ChecklistTemplateInfo[];
    unknownTemplateIds: string[];
    from: 'annotation' | 'default' | 'none';
  } {
    const { templateIds, from } = checklistTemplateIdsFor(
      entity,
      this.defaults,
    );
    const templates: ChecklistTemplateInfo[] = [];
    const unknownTemplateIds: string[] = [];
    for (const id of templateIds) {
      const template = this.byId.get(id);
      if (template) templates.push(template);
      else unknownTemplateIds.push(id);
    }
    return { templates, unknownTemplateIds, from };
  }
}
