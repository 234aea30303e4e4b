import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  describeChecklistTemplate,
  threatModelTemplate,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  ChecklistStore,
  ChecklistVersionConflict,
  NewChecklistEvent,
} from './ChecklistStore';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const REF = 'component:default/accounts-service';
const TM = 'threat-model';
const fingerprint = describeChecklistTemplate(threatModelTemplate, 'built-in')
  .itemFingerprints['trust-boundaries'];

function answer(
  value: 'yes' | 'no' | 'partial',
  at: string,
  actor = 'user:default/marta.kowalska',
  old: NewChecklistEvent['old'] = null,
): NewChecklistEvent {
  return {
    kind: 'answer',
    itemId: 'trust-boundaries',
    templateVersion: 1,
    actor,
    createdAt: at,
    old: old as any,
    new: {
      value,
      evidence: [{ url: 'https://wiki.demo-bank.example/tm', title: 'TM' }],
      itemFingerprint: fingerprint,
      ...(value === 'yes' ? {} : { rationale: 'notifications is not meshed' }),
    },
  };
}

describe.each(databases.eachSupportedId())('ChecklistStore on %s', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await ChecklistStore.create({
      database: mockServices.database({ knex }),
    });
    const statements: string[] = [];
    knex.on('query', (q: { sql: string }) => statements.push(q.sql));
    return { knex, store, statements };
  }

  it('appends changes with consecutive versions and reads them back exactly', async () => {
    const { store } = await createStore();
    const first = answer('no', '2026-11-20T09:00:00.000Z');
    await expect(store.append(REF, TM, 0, first)).resolves.toEqual({
      ...first,
      version: 1,
      templateId: TM,
    });
    const second = answer(
      'yes',
      '2026-11-21T10:30:00.123Z',
      'user:default/pieter.dejong',
      first.new,
    );
    await store.append(REF, TM, 1, second);
    const attestation: NewChecklistEvent = {
      kind: 'attestation',
      templateVersion: 1,
      actor: 'user:default/pieter.dejong',
      createdAt: '2026-11-21T11:00:00.000Z',
      old: null,
      new: {
        templateFingerprint: 'abc',
        automatic: [],
        outcomes: { 'trust-boundaries': 'met' },
        progress: {
          total: 1,
          answered: 1,
          met: 1,
          gaps: 0,
          open: 0,
          exempt: 0,
          needsReanswer: 0,
        },
      },
    };
    await store.append(REF, TM, 2, attestation);

    const events = await store.listEvents(REF, TM);
    expect(events).toEqual([
      { ...first, version: 1, templateId: TM },
      { ...second, version: 2, templateId: TM },
      { ...attestation, version: 3, templateId: TM },
    ]);
    const record = await store.getRecord(REF, TM);
    expect(record.version).toBe(3);
    expect(record.answers['trust-boundaries']).toMatchObject({
      value: 'yes',
      answeredBy: 'user:default/pieter.dejong',
      answeredAt: '2026-11-21T10:30:00.123Z',
    });
    expect(record.attestation).toMatchObject({
      version: 3,
      attestedAt: '2026-11-21T11:00:00.000Z',
    });
    // Other checklists are separate.
    expect((await store.getRecord(REF, 'zero-trust')).version).toBe(0);
    expect(
      (await store.getRecord('component:default/ledger', TM)).version,
    ).toBe(0);
  });

  it('refuses a change based on an old version and writes nothing', async () => {
    const { store, knex } = await createStore();
    await store.append(REF, TM, 0, answer('no', '2026-11-20T09:00:00.000Z'));
    await store.append(
      REF,
      TM,
      1,
      answer('partial', '2026-11-20T09:05:00.000Z'),
    );
    const stale = store.append(
      REF,
      TM,
      1,
      answer('yes', '2026-11-20T09:06:00.000Z'),
    );
    await expect(stale).rejects.toBeInstanceOf(ChecklistVersionConflict);
    await expect(stale).rejects.toMatchObject({
      currentVersion: 2,
      baseVersion: 1,
    });
    await expect(
      store.append(REF, TM, 5, answer('yes', '2026-11-20T09:06:00.000Z')),
    ).rejects.toMatchObject({ currentVersion: 2 });
    const [{ n }] = await knex('mesh_posture_checklist_events').count({
      n: '*',
    });
    expect(Number(n)).toBe(2);
  });

  it('lets exactly one of two simultaneous writes on the same version land', async () => {
    const { store } = await createStore();
    await store.append(REF, TM, 0, answer('no', '2026-11-20T09:00:00.000Z'));
    const results = await Promise.allSettled([
      store.append(
        REF,
        TM,
        1,
        answer('yes', '2026-11-20T09:01:00.000Z', 'user:default/a'),
      ),
      store.append(
        REF,
        TM,
        1,
        answer('partial', '2026-11-20T09:01:00.000Z', 'user:default/b'),
      ),
    ]);
    expect(results.map(r => r.status).sort()).toEqual([
      'fulfilled',
      'rejected',
    ]);
    const rejected = results.find(
      r => r.status === 'rejected',
    ) as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ChecklistVersionConflict);
    expect(rejected.reason.currentVersion).toBe(2);
    expect((await store.listEvents(REF, TM)).map(e => e.version)).toEqual([
      1, 2,
    ]);
  });

  it('never updates or deletes a row: history is append-only', async () => {
    const { store, knex, statements } = await createStore();
    for (let i = 0; i < 4; i++) {
      await store.append(
        REF,
        TM,
        i,
        answer(i % 2 ? 'yes' : 'no', `2026-11-2${i}T09:00:00.000Z`),
      );
    }
    await store
      .append(REF, TM, 3, answer('yes', '2026-11-25T09:00:00.000Z'))
      .catch(() => {});
    const rows = await knex('mesh_posture_checklist_events').orderBy('version');
    expect(rows.map(r => JSON.parse(r.payload).new.value)).toEqual([
      'no',
      'yes',
      'no',
      'yes',
    ]);
    expect(
      statements.filter(sql => /^\s*(update|delete)\b/i.test(sql)),
    ).toEqual([]);
  });

  it('pages history newest first', async () => {
    const { store } = await createStore();
    for (let i = 0; i < 5; i++) {
      await store.append(
        REF,
        TM,
        i,
        answer('yes', `2026-11-2${i}T09:00:00.000Z`),
      );
    }
    const page1 = await store.history(REF, TM, { limit: 2 });
    expect(page1.events.map(e => e.version)).toEqual([5, 4]);
    expect(page1.hasMore).toBe(true);
    const page3 = await store.history(REF, TM, { limit: 2, beforeVersion: 2 });
    expect(page3.events.map(e => e.version)).toEqual([1]);
    expect(page3.hasMore).toBe(false);
  });

  it('seeds only an empty table, once across racing replicas', async () => {
    const { store, knex } = await createStore();
    const other = new ChecklistStore(knex);
    const seed = [
      {
        entityRef: REF,
        templateId: TM,
        events: [
          answer('no', '2026-06-01T09:00:00.000Z'),
          answer('yes', '2026-06-02T09:00:00.000Z'),
        ],
      },
    ];
    const results = await Promise.all([
      store.seedIfEmpty(seed),
      other.seedIfEmpty(seed),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.listEvents(REF, TM)).map(e => e.version)).toEqual([
      1, 2,
    ]);
    await expect(store.seedIfEmpty(seed)).resolves.toBe(false);
    // A write continues from the seeded version.
    await store.append(
      REF,
      TM,
      2,
      answer('partial', '2026-06-03T09:00:00.000Z'),
    );
    expect((await store.getRecord(REF, TM)).version).toBe(3);
  });

  it('records template versions once and refuses changed content under the same version', async () => {
    const { store } = await createStore();
    const now = new Date('2026-12-01T00:00:00Z');
    // Versions as numbers in this test, whatever the built-in one is now.
    const first = { ...threatModelTemplate, version: 1 };
    const v1 = describeChecklistTemplate(first, 'built-in');
    await expect(store.recordTemplateVersion(v1, now)).resolves.toEqual({
      created: true,
    });
    await expect(store.recordTemplateVersion(v1, now)).resolves.toEqual({
      created: false,
    });
    await expect(store.getTemplateVersion(TM, 1)).resolves.toEqual(first);

    const reworded = describeChecklistTemplate(
      { ...first, title: 'Threat model (reworded)' },
      'config',
    );
    await expect(store.recordTemplateVersion(reworded, now)).rejects.toThrow(
      /Checklist template "threat-model" version 1 differs from the version 1 recorded on 2026-12-01T00:00:00.000Z: raise its version/,
    );

    const v2 = describeChecklistTemplate(
      { ...first, version: 2, title: 'Threat model (reworded)' },
      'config',
    );
    await expect(store.recordTemplateVersion(v2, now)).resolves.toEqual({
      created: true,
      previous: first,
    });
  });
});
