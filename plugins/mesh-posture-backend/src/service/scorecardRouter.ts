import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  meshPostureSnapshotCreatePermission,
  ScorecardFilter,
  SnapshotRun,
} from '@mesh-posture/plugin-mesh-posture-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { entityKey } from '../catalog/entityKey';
import { ScorecardService } from '../scorecards/ScorecardService';
import { readEntityRef, readInstant } from './inputs';
import { audited } from './auditing';

const FILTER_KEYS = [
  'owner',
  'system',
  'lifecycle',
  'cluster',
  'mesh',
  'level',
] as const;

const DAY = 24 * 3600_000;

export interface ScorecardRouterOptions {
  service: ScorecardService;
  /**
   * Takes a snapshot now, one at a time across replicas: the stored run,
   * or undefined when it is still running; a ConflictError while another
   * snapshot is being taken.
   */
  takeSnapshot: () => Promise<SnapshotRun | undefined>;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  readableEntity: (
    req: Request,
  ) => Promise<{ entity: Entity; credentials: BackstageCredentials }>;
}

/** Every query value as a list, refusing parameters the endpoint does not know. */
function queryLists(
  req: Request,
  allowed: readonly string[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(req.query)) {
    if (!allowed.includes(key)) {
      throw new InputError(
        `Unknown query parameter "${key.slice(0, 40)}"; allowed: ${allowed.join(
          ', ',
        )}`,
      );
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length > 100 || values.some(v => typeof v !== 'string')) {
      throw new InputError(
        `Query parameter "${key}" must be at most 100 plain values`,
      );
    }
    for (const v of values as string[]) {
      const control = [...v].some(ch => ch.charCodeAt(0) < 32);
      if (v.length === 0 || v.length > 255 || control) {
        throw new InputError(
          `Query parameter "${key}" has an empty, overlong or control-character value`,
        );
      }
    }
    out[key] = values as string[];
  }
  return out;
}

function filterFrom(lists: Record<string, string[]>): ScorecardFilter {
  const filter: ScorecardFilter = {};
  for (const key of FILTER_KEYS) {
    if (lists[key]) filter[key] = lists[key];
  }
  return filter;
}

function single(lists: Record<string, string[]>, key: string) {
  const values = lists[key];
  if (values && values.length > 1) {
    throw new InputError(`Query parameter "${key}" must be given once`);
  }
  return values?.[0];
}

function daysFrom(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const days = Number(value);
  if (!/^\d{1,3}$/.test(value) || days < 1 || days > 400) {
    throw new InputError('days must be a whole number from 1 to 400');
  }
  return days;
}

/**
 * The scorecard routes: the catalog's scores (filtered to what the caller
 * may read), trends, CSV export, an entity's score, as-of dataflows, and
 * taking a snapshot now (a permissioned, audited write).
 */
export function createScorecardRouter(
  options: ScorecardRouterOptions,
): express.Router {
  const { service, httpAuth, permissions, auditor } = options;
  const router = Router();
  const userOrService = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get('/v1/scorecards', async (req, res) => {
    const filter = filterFrom(queryLists(req, FILTER_KEYS));
    res.json(await service.scorecards(filter, await userOrService(req)));
  });

  router.get('/v1/scorecards/trend', async (req, res) => {
    const lists = queryLists(req, [...FILTER_KEYS, 'days', 'groupBy']);
    const days = daysFrom(single(lists, 'days'), 30);
    const groupBy = single(lists, 'groupBy') ?? 'owner';
    if (groupBy !== 'owner' && groupBy !== 'system') {
      throw new InputError('groupBy must be owner or system');
    }
    res.json(
      await service.trend(
        days,
        groupBy,
        filterFrom(lists),
        await userOrService(req),
      ),
    );
  });

  router.get('/v1/scorecards/export', async (req, res) => {
    const lists = queryLists(req, [...FILTER_KEYS, 'format']);
    const format = single(lists, 'format') ?? 'csv';
    if (format !== 'csv') {
      throw new InputError('format must be csv');
    }
    const { filename, body } = await service.csv(
      filterFrom(lists),
      await userOrService(req),
    );
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="${filename}"`)
      // The portal's frontend runs on another origin: let it read the name.
      .set('Access-Control-Expose-Headers', 'Content-Disposition')
      .send(body);
  });

  router.get('/v1/entities/:kind/:namespace/:name/score', async (req, res) => {
    const lists = queryLists(req, ['days']);
    const days = daysFrom(single(lists, 'days'), 90);
    const { entity } = await options.readableEntity(req);
    res.json(await service.entityScore(entityKey(entity), days));
  });

  router.get('/v1/dataflow', async (req, res) => {
    const lists = queryLists(req, ['entityRef', 'from', 'to']);
    const refs = (lists.entityRef ?? []).map(raw => readEntityRef(raw));
    if (refs.length === 0 || refs.length > 50) {
      throw new InputError('give from 1 to 50 entityRef values');
    }
    const fromText = single(lists, 'from');
    const toText = single(lists, 'to');
    const to = toText
      ? readInstant(toText, 'to', { endOfDay: true })
      : new Date();
    const from = fromText
      ? readInstant(fromText, 'from')
      : new Date(to.getTime() - 30 * DAY);
    if (from > to || to.getTime() - from.getTime() > 400 * DAY) {
      throw new InputError('from must be before to, at most 400 days apart');
    }
    res.json(await service.dataflow(refs, from, to, await userOrService(req)));
  });

  router.post('/v1/snapshots', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      auditor,
      req,
      { eventId: 'scorecard-snapshot-create', severityLevel: 'medium' },
      async () => {
        queryLists(req, []);
        const [decision] = await permissions.authorize(
          [{ permission: meshPostureSnapshotCreatePermission }],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError('Not allowed to take a scorecard snapshot');
        }
        const run = await options.takeSnapshot();
        if (!run) {
          // Still running (on this replica or another): it will be listed
          // by GET /v1/scorecards when it is stored.
          res.status(202).json({ run: null });
          return { runId: null };
        }
        res.status(201).json({ run });
        return { runId: run.id, entities: run.entities };
      },
    );
  });

  return router;
}
