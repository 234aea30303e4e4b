import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import {
  DEFAULT_CHECKLIST_RULES,
  foldChecklistEvents,
} from '@mesh-posture/plugin-mesh-posture-common';
import { parseAllDocuments } from 'yaml';
import {
  DEMO_CHECKLISTS,
  demoChecklistSeed,
} from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import { ChecklistTemplateRegistry } from './TemplateRegistry';

const examples = (file: string) =>
  parseAllDocuments(
    fs.readFileSync(
      path.resolve(__dirname, `../../../../examples/${file}`),
      'utf8',
    ),
  ).map(d => d.toJS() as Entity);

const { registry } = ChecklistTemplateRegistry.fromSettings({
  attestationValidityMs: 180 * 864e5,
  templates: [],
  defaults: null,
});

describe('the demo checklists', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const seed = demoChecklistSeed({
    template: id => registry.get(id),
    now,
    attestationValidityMs: 180 * 864e5,
  });

  it('belong to entities of the example catalog that the checklists apply to', () => {
    const components = examples('entities.yaml').filter(
      e => e.kind === 'Component',
    );
    for (const checklist of seed) {
      const name = checklist.entityRef.replace('component:default/', '');
      const entity = components.find(e => e.metadata.name === name);
      expect({ name, found: Boolean(entity) }).toEqual({ name, found: true });
      const applies = registry
        .forEntity({ ...entity!, metadata: { ...entity!.metadata } })
        .templates.map(t => t.id);
      expect({ name, applies: applies.includes(checklist.templateId) }).toEqual(
        { name, applies: true },
      );
    }
    expect(DEFAULT_CHECKLIST_RULES.length).toBeGreaterThan(0);
  });

  it('are attributed to people of the example organisation', () => {
    const users = examples('org.yaml')
      .filter(e => e.kind === 'User')
      .map(e => `user:default/${e.metadata.name}`);
    const actors = new Set(seed.flatMap(c => c.events.map(e => e.actor)));
    expect([...actors].filter(a => !users.includes(a))).toEqual([]);
    expect(actors.size).toBeGreaterThan(3);
  });

  it('are in time order, answer existing items, and fold to partly filled checklists', () => {
    for (const checklist of seed) {
      const times = checklist.events.map(e => Date.parse(e.createdAt));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(times.every(t => t <= now.getTime())).toBe(true);
      const template = registry.get(checklist.templateId)!;
      const unknownItems = checklist.events.flatMap(e =>
        e.kind !== 'attestation' && !(e.itemId in template.itemFingerprints)
          ? [e.itemId]
          : [],
      );
      expect(unknownItems).toEqual([]);
    }
    const accounts = seed.find(
      c =>
        c.entityRef === 'component:default/accounts-service' &&
        c.templateId === 'threat-model',
    )!;
    const record = foldChecklistEvents(
      accounts.events.map((e, i) => ({
        ...e,
        version: i + 1,
        templateId: 'threat-model',
      })) as any,
    );
    expect(Object.keys(record.answers).sort()).toEqual([
      'trust-boundaries',
      'what-are-we-building',
      'what-can-go-wrong',
    ]);
    const update = accounts.events[3];
    expect(update).toMatchObject({
      kind: 'answer',
      old: { value: 'partial' },
      new: { value: 'yes' },
    });
  });

  it('attests only checklists without automatic items, with nothing left open', () => {
    const attested = seed.filter(c =>
      c.events.some(e => e.kind === 'attestation'),
    );
    expect(attested.map(c => `${c.entityRef} ${c.templateId}`)).toEqual([
      'component:default/payments-api threat-model',
      'component:default/ledger threat-model',
    ]);
    for (const checklist of attested) {
      const attestation = checklist.events.find(e => e.kind === 'attestation')!;
      expect(attestation).toMatchObject({
        new: { automatic: [], progress: { open: 0, total: 12 } },
      });
    }
    expect(DEMO_CHECKLISTS.length).toBe(seed.length);
  });
});
