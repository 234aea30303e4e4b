import type {
  ChecklistItem,
  ChecklistSection,
  ChecklistTemplate,
} from './types';

/**
 * Ids of templates, sections and items: lower-case letters, digits and
 * dashes, 1 to 64 characters, starting and ending with a letter or digit.
 * @public
 */
export const CHECKLIST_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Limits of template text. @public */
export const CHECKLIST_TEMPLATE_LIMITS = {
  title: 300,
  description: 2000,
  reference: 200,
  sections: 50,
  itemsPerSection: 200,
  maxVersion: 1_000_000,
} as const;

/** @public */
export type ChecklistTemplateValidation =
  | { ok: true; template: ChecklistTemplate }
  | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  return typeof value;
}

class Checker {
  readonly errors: string[] = [];

  error(path: string, message: string) {
    this.errors.push(`${path}: ${message}`);
  }

  unknownFields(obj: Obj, path: string, allowed: string[]) {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.error(
          path ? `${path}.${key}` : key,
          `unknown field; allowed: ${allowed.join(', ')}`,
        );
      }
    }
  }

  id(obj: Obj, key: string, path: string): string | undefined {
    const value = obj[key];
    const at = path ? `${path}.${key}` : key;
    if (typeof value !== 'string') {
      this.error(at, `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (!CHECKLIST_ID_PATTERN.test(value)) {
      this.error(
        at,
        `"${value.slice(
          0,
          80,
        )}" is not a valid id: use 1 to 64 lower-case letters, digits and dashes`,
      );
      return undefined;
    }
    return value;
  }

  text(
    obj: Obj,
    key: string,
    path: string,
    max: number,
    required: boolean,
  ): string | undefined {
    const value = obj[key];
    const at = path ? `${path}.${key}` : key;
    if (value === undefined) {
      if (required) this.error(at, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.error(at, `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (value.trim() === '') {
      this.error(at, 'must not be empty');
      return undefined;
    }
    if (value.length > max) {
      this.error(at, `must be at most ${max} characters`);
      return undefined;
    }
    return value;
  }
}

function checkItem(
  c: Checker,
  raw: unknown,
  path: string,
): ChecklistItem | undefined {
  if (!isObject(raw)) {
    c.error(path, `must be an object, got ${describe(raw)}`);
    return undefined;
  }
  const L = CHECKLIST_TEMPLATE_LIMITS;
  const kind = raw.kind;
  if (kind !== 'manual' && kind !== 'automatic') {
    c.error(
      `${path}.kind`,
      `must be "manual" or "automatic", got ${describe(kind)}`,
    );
  }
  c.unknownFields(
    raw,
    path,
    kind === 'automatic'
      ? ['id', 'kind', 'title', 'description', 'reference', 'check']
      : ['id', 'kind', 'title', 'description', 'reference'],
  );
  const id = c.id(raw, 'id', path);
  const title = c.text(raw, 'title', path, L.title, true);
  const description = c.text(raw, 'description', path, L.description, false);
  const reference = c.text(raw, 'reference', path, L.reference, false);
  const optional = {
    ...(description !== undefined ? { description } : {}),
    ...(reference !== undefined ? { reference } : {}),
  };
  if (kind === 'automatic') {
    const check = c.id(raw, 'check', path);
    if (id && title && check) {
      return { id, kind, title, check, ...optional };
    }
  } else if (kind === 'manual' && id && title) {
    return { id, kind, title, ...optional };
  }
  return undefined;
}

function checkSection(
  c: Checker,
  raw: unknown,
  path: string,
  itemIds: Map<string, string>,
): ChecklistSection | undefined {
  if (!isObject(raw)) {
    c.error(path, `must be an object, got ${describe(raw)}`);
    return undefined;
  }
  const L = CHECKLIST_TEMPLATE_LIMITS;
  c.unknownFields(raw, path, ['id', 'title', 'description', 'items']);
  const id = c.id(raw, 'id', path);
  const title = c.text(raw, 'title', path, L.title, true);
  const description = c.text(raw, 'description', path, L.description, false);
  const rawItems = raw.items;
  const items: ChecklistItem[] = [];
  if (!Array.isArray(rawItems) || rawItems.length === 0) {
    c.error(`${path}.items`, 'must be a non-empty list');
  } else if (rawItems.length > L.itemsPerSection) {
    c.error(`${path}.items`, `must have at most ${L.itemsPerSection} items`);
  } else {
    rawItems.forEach((rawItem, i) => {
      const itemPath = `${path}.items[${i}]`;
      const item = checkItem(c, rawItem, itemPath);
      if (!item) return;
      const seen = itemIds.get(item.id);
      if (seen) {
        c.error(`${itemPath}.id`, `"${item.id}" is already used at ${seen}`);
        return;
      }
      itemIds.set(item.id, itemPath);
      items.push(item);
    });
  }
  if (
    id &&
    title &&
    Array.isArray(rawItems) &&
    items.length === rawItems.length
  ) {
    return {
      id,
      title,
      ...(description !== undefined ? { description } : {}),
      items,
    };
  }
  return undefined;
}

/**
 * Validates untrusted template data (from configuration or a YAML file).
 * Every problem is reported with the path of the field, e.g.
 * `sections[1].items[0].kind: must be "manual" or "automatic"`. On success
 * returns a clean copy holding only the known fields.
 * @public
 */
export function validateChecklistTemplate(
  raw: unknown,
): ChecklistTemplateValidation {
  const c = new Checker();
  if (!isObject(raw)) {
    return {
      ok: false,
      errors: [`template: must be an object, got ${describe(raw)}`],
    };
  }
  const L = CHECKLIST_TEMPLATE_LIMITS;
  c.unknownFields(raw, '', [
    'id',
    'version',
    'title',
    'description',
    'sections',
  ]);
  const id = c.id(raw, 'id', '');
  const version = raw.version;
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < 1 ||
    version > L.maxVersion
  ) {
    c.error(
      'version',
      `must be a whole number from 1, got ${describe(version)}`,
    );
  }
  const title = c.text(raw, 'title', '', L.title, true);
  const description = c.text(raw, 'description', '', L.description, false);
  const rawSections = raw.sections;
  const sections: ChecklistSection[] = [];
  if (!Array.isArray(rawSections) || rawSections.length === 0) {
    c.error('sections', 'must be a non-empty list');
  } else if (rawSections.length > L.sections) {
    c.error('sections', `must have at most ${L.sections} sections`);
  } else {
    const sectionIds = new Map<string, string>();
    const itemIds = new Map<string, string>();
    rawSections.forEach((rawSection, i) => {
      const path = `sections[${i}]`;
      const section = checkSection(c, rawSection, path, itemIds);
      if (!section) return;
      const seen = sectionIds.get(section.id);
      if (seen) {
        c.error(`${path}.id`, `"${section.id}" is already used at ${seen}`);
        return;
      }
      sectionIds.set(section.id, path);
      sections.push(section);
    });
  }
  if (c.errors.length > 0 || !id || !title) {
    return { ok: false, errors: c.errors };
  }
  return {
    ok: true,
    template: {
      id,
      version: version as number,
      title,
      ...(description !== undefined ? { description } : {}),
      sections,
    },
  };
}
