import fs from 'node:fs';
import type {
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  EntityScoreResponse,
  ScorecardsResponse,
} from '@mesh-posture/plugin-mesh-posture-common';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { meshPosturePlugin } from '../plugin';

/*
 * A fresh demo, as `yarn start` gives it: the example catalog, the demo
 * module and its seeded month. Until the first snapshot is stored the
 * scorecard API says so (no run at all, not "no run included this
 * service"); the first snapshot stores the month and itself at once, and
 * the month tells the demo's story through the real snapshot code.
 */

jest.setTimeout(180_000);

const DAY = 24 * 3600_000;
const BASE = '/api/mesh-posture/v1';

const entities: Entity[] = parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../examples/entities.yaml'),
    'utf8',
  ),
)
  .map(d => d.toJS() as Entity)
  .filter(e => e?.kind)
  .map(e => ({ ...e, metadata: { namespace: 'default', ...e.metadata } }));

/** `day:level` entries where the level changes, oldest first. */
function changes(levels: string[]): string[] {
  const level = (entry: string) => entry.split(':')[1];
  return levels.filter((l, i) => i === 0 || level(l) !== level(levels[i - 1]));
}

/** Days before today (UTC) of a run's time. */
function daysAgo(at: string): number {
  const day = (t: number) => Math.floor(t / DAY);
  return day(Date.now()) - day(Date.parse(at));
}

type Task = SchedulerServiceTaskInvocationDefinition &
  SchedulerServiceTaskScheduleDefinition;

describe('a fresh demo database', () => {
  // Tasks run when asked, as one replica's scheduler would run them.
  const tasks = new Map<string, Task>();
  const run = (id: string) => tasks.get(id)!.fn(new AbortController().signal);
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: async task => {
      tasks.set(task.id, task);
    },
    triggerTask: async id => {
      await run(id);
    },
  });
  let server: any;

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        meshPosturePlugin,
        meshPostureModuleDemo,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            meshPosture: {
              demo: true,
              snapshot: { frequency: { hours: 24 } },
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
      ],
    }));
  });

  const score = async (name: string): Promise<EntityScoreResponse> => {
    const res = await request(server)
      .get(`${BASE}/entities/component/default/${name}/score`)
      .query({ days: 90 });
    expect(res.status).toBe(200);
    return res.body;
  };

  it('says the first snapshot is on its way, then stores the month and it at once', async () => {
    // Before any run: not "no run included this service", but no run yet.
    expect(await score('web-frontend')).toMatchObject({
      current: null,
      history: [],
      latestRun: null,
    });

    // The watch asks for the first snapshot (the catalog has entities);
    // while the month is taken, readers see none of it.
    let done = false;
    const first = Promise.resolve(run('mesh-posture-first-snapshot')).finally(
      () => {
        done = true;
      },
    );
    const seen = new Set<number | null>();
    while (!done) {
      const res = await request(server).get(`${BASE}/scorecards`);
      const body: ScorecardsResponse = res.body;
      if (!done) seen.add(body.run?.id ?? null);
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    await first;
    const { body: after } = await request(server).get(`${BASE}/scorecards`);
    const latest = (after as ScorecardsResponse).run!;
    // 30 seeded days, then the live snapshot.
    expect(latest.id).toBe(31);
    expect(daysAgo(latest.finishedAt)).toBe(0);
    expect([...seen].every(id => id === null || id === latest.id)).toBe(true);
    expect(seen.has(null)).toBe(true);

    // Asked again, the watch does nothing: a run is stored.
    await run('mesh-posture-first-snapshot');
    const { body: again } = await request(server).get(`${BASE}/scorecards`);
    expect((again as ScorecardsResponse).run!.id).toBe(latest.id);
  });

  it("tells the demo's story: web-frontend's fix 12 days ago, accounts-service's plaintext caller 4 days ago", async () => {
    /** The distinct scores before and from a day, and the checks that moved. */
    const story = async (name: string, day: number) => {
      const body = await score(name);
      expect(body.latestRun?.id).toBe(31);
      expect(body.history).toHaveLength(31);
      const before = body.history.filter(h => daysAgo(h.at) > day);
      const since = body.history.filter(h => daysAgo(h.at) <= day);
      return {
        before: [...new Set(before.map(h => h.score))],
        since: [...new Set(since.map(h => h.score))],
        levels: changes(body.history.map(h => `${daysAgo(h.at)}:${h.level}`)),
        current: body.current!,
      };
    };

    // web-frontend went default-deny 12 days ago: one score before, a
    // higher one since, and Silver from that day.
    const web = await story('web-frontend', 12);
    expect(web.before).toHaveLength(1);
    expect(web.since).toHaveLength(1);
    expect(web.since[0]).toBeGreaterThan(web.before[0]);
    expect(web.levels).toEqual(['30:Bronze', '12:Silver']);
    expect(web.current.checks.find(c => c.id === 'default-deny')?.status).toBe(
      'pass',
    );

    // notifications, which has no proxy, started calling accounts-service
    // in plaintext 4 days ago: its inbound mTLS fails from then.
    const accounts = await story('accounts-service', 4);
    expect(accounts.before).toHaveLength(1);
    expect(accounts.since).toHaveLength(1);
    expect(accounts.since[0]).toBeLessThan(accounts.before[0]);
    expect(accounts.levels).toEqual(['30:Bronze', '4:null']);
    expect(
      accounts.current.checks.find(c => c.id === 'inbound-mtls'),
    ).toMatchObject({ status: 'fail' });
  });
});
