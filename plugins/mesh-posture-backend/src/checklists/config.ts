import fs from 'node:fs';
import path from 'node:path';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  ChecklistDefaultRule,
  ChecklistTemplate,
  ChecklistTemplateSource,
  CHECKLIST_ID_PATTERN,
  DEFAULT_ATTESTATION_VALIDITY_DAYS,
  validateChecklistTemplate,
} from '@mesh-posture/plugin-mesh-posture-common';
import { parseAllDocuments } from 'yaml';

/** A template from configuration, with where it was defined. */
export interface ConfiguredTemplate {
  template: ChecklistTemplate;
  source: Exclude<ChecklistTemplateSource, 'built-in'>;
  /** e.g. `meshPosture.checklists.templates[0]` or a file path. */
  origin: string;
}

/** The checklist settings, read and validated once at startup. */
export interface ChecklistSettings {
  attestationValidityMs: number;
  templates: ConfiguredTemplate[];
  /** Null when not configured: the built-in defaults apply. */
  defaults: ChecklistDefaultRule[] | null;
}

/**
 * Configuration the backend cannot start with. The message lists every
 * problem, each naming the config key or file, the template and the field.
 */
export class ChecklistConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid Mesh Posture checklist configuration:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'ChecklistConfigError';
  }
}

const KEY = 'meshPosture.checklists';

function templateLabel(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `template "${id.slice(0, 64)}"` : 'template';
}

function collect(
  raws: unknown[],
  origin: (i: number) => string,
  source: ConfiguredTemplate['source'],
  problems: string[],
): ConfiguredTemplate[] {
  const out: ConfiguredTemplate[] = [];
  raws.forEach((raw, i) => {
    const result = validateChecklistTemplate(raw);
    if (result.ok) {
      out.push({ template: result.template, source, origin: origin(i) });
    } else {
      for (const error of result.errors) {
        problems.push(`${origin(i)}, ${templateLabel(raw)}: ${error}`);
      }
    }
  });
  return out;
}

function readTemplateFile(
  file: string,
  at: string,
  readFile: (file: string) => string,
  problems: string[],
): unknown[] {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    problems.push(
      `${at} (${file}): cannot read the file: ${(error as Error).message}`,
    );
    return [];
  }
  const before = problems.length;
  const docs = parseAllDocuments(text);
  const raws: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        problems.push(`${at} (${file}): not valid YAML: ${e.message}`);
      }
      continue;
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    raws.push(...(Array.isArray(value) ? value : [value]));
  }
  if (raws.length === 0 && problems.length === before) {
    problems.push(`${at} (${file}): holds no template`);
  }
  return raws;
}

function readDefaults(
  config: Config | undefined,
  problems: string[],
): ChecklistDefaultRule[] | null {
  if (!config?.has('defaults')) return null;
  const rules: ChecklistDefaultRule[] = [];
  try {
    config.getConfigArray('defaults').forEach((rule, i) => {
      const templates = rule.getStringArray('templates');
      templates.forEach((id, j) => {
        if (!CHECKLIST_ID_PATTERN.test(id)) {
          problems.push(
            `${KEY}.defaults[${i}].templates[${j}]: "${id.slice(
              0,
              64,
            )}" is not a valid template id`,
          );
        }
      });
      rules.push({
        kind: rule.getString('kind'),
        ...(rule.has('type') ? { type: rule.getString('type') } : {}),
        templates,
      });
    });
  } catch (error) {
    problems.push(`${KEY}.defaults: ${(error as Error).message}`);
  }
  return rules;
}

/**
 * Reads `meshPosture.checklists`: the attestation validity, templates
 * inline (`templates`) and from YAML files (`templateFiles`, paths relative
 * to the backend's working directory; a file holds one template, a list of
 * them, or several YAML documents), and default rules. Everything is
 * validated; any problem throws {@link ChecklistConfigError} listing all
 * of them.
 */
export function readChecklistSettings(
  root: Config,
  options: { readFile?: (file: string) => string; baseDir?: string } = {},
): ChecklistSettings {
  const readFile = options.readFile ?? (file => fs.readFileSync(file, 'utf8'));
  const baseDir = options.baseDir ?? process.cwd();
  const config = root.getOptionalConfig(KEY);
  const problems: string[] = [];

  let attestationValidityMs = DEFAULT_ATTESTATION_VALIDITY_DAYS * 864e5;
  if (config?.has('attestationValidity')) {
    try {
      attestationValidityMs = durationToMilliseconds(
        readDurationFromConfig(config, { key: 'attestationValidity' }),
      );
      if (!(attestationValidityMs > 0)) {
        problems.push(
          `${KEY}.attestationValidity: must be a positive duration`,
        );
      }
    } catch (error) {
      problems.push(`${KEY}.attestationValidity: ${(error as Error).message}`);
    }
  }

  const templates: ConfiguredTemplate[] = [];
  const inline = config?.getOptional('templates');
  if (inline !== undefined) {
    if (Array.isArray(inline)) {
      templates.push(
        ...collect(inline, i => `${KEY}.templates[${i}]`, 'config', problems),
      );
    } else {
      problems.push(`${KEY}.templates: must be a list of templates`);
    }
  }

  let files: string[] = [];
  try {
    files = config?.getOptionalStringArray('templateFiles') ?? [];
  } catch (error) {
    problems.push(`${KEY}.templateFiles: ${(error as Error).message}`);
  }
  files.forEach((file, i) => {
    const at = `${KEY}.templateFiles[${i}]`;
    const resolved = path.resolve(baseDir, file);
    const raws = readTemplateFile(resolved, at, readFile, problems);
    templates.push(
      ...collect(
        raws,
        j => (raws.length > 1 ? `${resolved} [${j}]` : resolved),
        'file',
        problems,
      ),
    );
  });

  const defaults = readDefaults(config, problems);

  if (problems.length > 0) {
    throw new ChecklistConfigError(problems);
  }
  return { attestationValidityMs, templates, defaults };
}
