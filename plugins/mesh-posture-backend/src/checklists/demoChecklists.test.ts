import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import {
  DEFAULT_CHECKLIST_RULES,
  foldChecklistEvents,
} from '@mesh-posture/plugin-mesh-posture-common';
import { parseAllDocuments } from 'yaml';
import {
  DEMO_ATTESTED_ENTITY_ANNOTATIONS,
  DEMO_CHECKLISTS,
  demoChecklistSeed,
  DemoMesh,
} from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import type { ChecklistSeed } from '@mesh-posture/plugin-mesh-posture-node';
import { testAssembler } from '../__testUtils__/testAssembler';
import { checklistPostureAt } from './checklistPostureAt';
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

const now = new Date('2026-12-01T12:00:00Z');
const context = {
  template: (id: string) => registry.get(id),
  now,
  attestationValidityMs: 180 * 864e5,
};
// The seeded past as the backend reads it (context.ts): the demo's
// clusters as they were at the instant, with the story dated from now.
const postureAt = (entity: Entity, at: Date) =>
  checklistPostureAt(
    testAssembler([new DemoMesh({ now: () => at, present: now })], {
      now: () => at,
    }).assembler,
    entity,
  );

describe('the demo checklists', () => {
  let seed: ChecklistSeed[] = [];
  beforeAll(async () => {
    seed = await demoChecklistSeed({ ...context, postureAt });
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

  it("attests with the evidence the demo's clusters showed at the time, all of it passing", async () => {
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
        new: {
          progress: { open: 0, total: 14 },
          automatic: [
            {
              itemId: 'exfiltration-paths-declared',
              check: 'egress-declared',
              status: 'pass',
            },
            {
              itemId: 'network-denies-by-default',
              check: 'network-default-deny',
              status: 'pass',
            },
          ],
        },
      });
      // Read as of the attestation, not as of the start.
      const automatic = (attestation as any).new.automatic;
      for (const evidence of automatic) {
        expect(Date.parse(evidence.observedAt)).toBe(
          Date.parse(attestation.createdAt),
        );
      }
    }
    expect(DEMO_CHECKLISTS.length).toBe(seed.length);
  });

  it('writes no attestation of automatic items where the backend cannot read the past', async () => {
    const withoutPast = await demoChecklistSeed(context);
    expect(
      withoutPast.filter(c => c.events.some(e => e.kind === 'attestation')),
    ).toEqual([]);
    // Everything else is the same.
    expect(withoutPast.map(c => c.events.length)).toEqual(
      seed.map(c => c.events.filter(e => e.kind !== 'attestation').length),
    );
  });

  it("finds the attested entities' workloads by the example catalog's annotations", () => {
    const components = examples('entities.yaml').filter(
      e => e.kind === 'Component',
    );
    for (const [ref, annotations] of Object.entries(
      DEMO_ATTESTED_ENTITY_ANNOTATIONS,
    )) {
      const entity = components.find(
        e => `component:default/${e.metadata.name}` === ref,
      )!;
      const workloadAnnotations = Object.fromEntries(
        Object.entries(entity.metadata.annotations ?? {}).filter(([key]) =>
          /kubernetes|mesh-posture\.io\/workload/.test(key),
        ),
      );
      expect({ ref, annotations }).toEqual({
        ref,
        annotations: workloadAnnotations,
      });
    }
  });
});
