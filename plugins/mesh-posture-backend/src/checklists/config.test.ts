import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ChecklistConfigError, readChecklistSettings } from './config';
import { ChecklistTemplateRegistry } from './TemplateRegistry';

const template = (id: string, extra: object = {}) => ({
  id,
  version: 1,
  title: `Template ${id}`,
  sections: [
    {
      id: 'main',
      title: 'Main',
      items: [{ id: 'one', kind: 'manual', title: 'One' }],
    },
  ],
  ...extra,
});

function settings(checklists: object, baseDir?: string) {
  return readChecklistSettings(
    new ConfigReader({ meshPosture: { checklists } }),
    baseDir ? { baseDir } : {},
  );
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ChecklistConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ChecklistConfigError');
}

describe('readChecklistSettings', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-checklists-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has embedded defaults', () => {
    expect(readChecklistSettings(new ConfigReader({}))).toEqual({
      attestationValidityMs: 180 * 864e5,
      templates: [],
      defaults: null,
    });
  });

  it('reads inline templates, YAML files (one, a list, several documents) and rules', () => {
    fs.writeFileSync(
      path.join(dir, 'one.yaml'),
      'id: from-file\nversion: 3\ntitle: From a file\nsections:\n  - id: s\n    title: S\n    items:\n      - { id: i, kind: automatic, check: inbound-mtls, title: I }\n',
    );
    fs.writeFileSync(
      path.join(dir, 'many.yaml'),
      `- ${JSON.stringify(template('listed-a'))}\n- ${JSON.stringify(
        template('listed-b'),
      )}\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'docs.yaml'),
      `${JSON.stringify(template('doc-a'))}\n---\n${JSON.stringify(
        template('doc-b'),
      )}\n`,
    );
    const result = settings(
      {
        attestationValidity: '90d',
        templates: [template('inline')],
        templateFiles: ['one.yaml', path.join(dir, 'many.yaml'), 'docs.yaml'],
        defaults: [{ kind: 'Component', templates: ['inline'] }],
      },
      dir,
    );
    expect(result.attestationValidityMs).toBe(90 * 864e5);
    expect(
      result.templates.map(t => [t.template.id, t.source, t.origin]),
    ).toEqual([
      ['inline', 'config', 'meshPosture.checklists.templates[0]'],
      ['from-file', 'file', path.join(dir, 'one.yaml')],
      ['listed-a', 'file', `${path.join(dir, 'many.yaml')} [0]`],
      ['listed-b', 'file', `${path.join(dir, 'many.yaml')} [1]`],
      ['doc-a', 'file', `${path.join(dir, 'docs.yaml')} [0]`],
      ['doc-b', 'file', `${path.join(dir, 'docs.yaml')} [1]`],
    ]);
    expect(result.templates[1].template.version).toBe(3);
    expect(result.defaults).toEqual([
      { kind: 'Component', templates: ['inline'] },
    ]);
  });

  it('names the key or file, the template and the field of every problem, all at once', () => {
    fs.writeFileSync(
      path.join(dir, 'bad.yaml'),
      'id: bad-file\nversion: one\ntitle: Bad\nsections: []\n',
    );
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'id: [unclosed\n');
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '# nothing here\n');
    const problems = problemsOf(() =>
      settings(
        {
          attestationValidity: 'soon',
          templates: [
            template('good'),
            template('Bad_Id', { owner: 'someone' }),
          ],
          templateFiles: [
            'bad.yaml',
            'missing.yaml',
            'broken.yaml',
            'empty.yaml',
          ],
          defaults: [{ kind: 'Component', templates: ['Not Valid'] }],
        },
        dir,
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^meshPosture\.checklists\.attestationValidity: /),
      'meshPosture.checklists.templates[1], template "Bad_Id": owner: unknown field; allowed: id, version, title, description, sections',
      'meshPosture.checklists.templates[1], template "Bad_Id": id: "Bad_Id" is not a valid id: use 1 to 64 lower-case letters, digits and dashes',
      `${path.join(
        dir,
        'bad.yaml',
      )}, template "bad-file": version: must be a whole number from 1, got "one"`,
      `${path.join(
        dir,
        'bad.yaml',
      )}, template "bad-file": sections: must be a non-empty list`,
      expect.stringMatching(
        new RegExp(
          `^meshPosture\\.checklists\\.templateFiles\\[1\\] \\(${path
            .join(dir, 'missing.yaml')
            .replace(
              /[.*+?^${}()|[\]\\/]/g,
              '\\$&',
            )}\\): cannot read the file: ENOENT`,
        ),
      ),
      expect.stringContaining(
        `meshPosture.checklists.templateFiles[2] (${path.join(
          dir,
          'broken.yaml',
        )}): not valid YAML: `,
      ),
      `meshPosture.checklists.templateFiles[3] (${path.join(
        dir,
        'empty.yaml',
      )}): holds no template`,
      'meshPosture.checklists.defaults[0].templates[0]: "Not Valid" is not a valid template id',
    ]);
    expect(() => settings({ templates: { id: 'x' } })).toThrow(
      'Invalid Mesh Posture checklist configuration:\n  - meshPosture.checklists.templates: must be a list of templates',
    );
  });
});

describe('ChecklistTemplateRegistry', () => {
  it('has the built-ins and the default rules out of the box', () => {
    const { registry, warnings } = ChecklistTemplateRegistry.fromSettings({
      attestationValidityMs: 1,
      templates: [],
      defaults: null,
    });
    expect(registry.list().map(t => [t.id, t.source])).toEqual([
      ['threat-model', 'built-in'],
      ['pci-dss-v4', 'built-in'],
      ['zero-trust', 'built-in'],
    ]);
    expect(warnings).toEqual([]);
    expect(
      registry
        .forEntity({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'x' },
          spec: { type: 'service' },
        })
        .templates.map(t => t.id),
    ).toEqual(['threat-model', 'zero-trust']);
  });

  it('refuses ids taken by a built-in or another template, and rules naming no template', () => {
    const problems = problemsOf(() =>
      ChecklistTemplateRegistry.fromSettings({
        attestationValidityMs: 1,
        templates: [
          {
            template: template('threat-model') as any,
            source: 'config',
            origin: 'meshPosture.checklists.templates[0]',
          },
          {
            template: template('internal') as any,
            source: 'config',
            origin: 'meshPosture.checklists.templates[1]',
          },
          {
            template: template('internal') as any,
            source: 'file',
            origin: '/etc/checklists/internal.yaml',
          },
        ],
        defaults: [{ kind: 'Component', templates: ['internal', 'sox'] }],
      }),
    );
    expect(problems).toEqual([
      'meshPosture.checklists.templates[0], template "threat-model": id: "threat-model" is already defined in the built-in templates',
      '/etc/checklists/internal.yaml, template "internal": id: "internal" is already defined in meshPosture.checklists.templates[1]',
      'meshPosture.checklists.defaults[0].templates[1]: no template "sox"; known: threat-model, pci-dss-v4, zero-trust, internal',
    ]);
  });

  it('warns about automatic items bound to checks the posture does not report', () => {
    const { warnings } = ChecklistTemplateRegistry.fromSettings({
      attestationValidityMs: 1,
      templates: [
        {
          template: {
            ...template('future'),
            sections: [
              {
                id: 's',
                title: 'S',
                items: [
                  {
                    id: 'egress',
                    kind: 'automatic',
                    check: 'egress-locked',
                    title: 'Egress',
                  },
                ],
              },
            ],
          },
          source: 'file',
          origin: '/etc/future.yaml',
        },
      ],
      defaults: null,
    });
    expect(warnings).toEqual([
      '/etc/future.yaml, template "future": item "egress" is bound to posture check "egress-locked", which Mesh Posture does not report; it stays unknown unless a module adds that check',
    ]);
  });
});
