import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DEFAULT_POSTURE_WINDOW,
  DEFAULT_SIGNAL_WINDOW,
  isPostureWindow,
  isSignalWindow,
  SIGNAL_WINDOWS,
  meshPostureReadPermission,
  POSTURE_WINDOWS,
} from '@mesh-posture/plugin-mesh-posture-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { PostureService } from '../posture/PostureService';
import { SignalsService } from '../signals/SignalsService';
import { CanaryService } from '../canaries/CanaryService';
import {
  ChecklistRouterOptions,
  createChecklistRouter,
} from './checklistRouter';
import {
  createScorecardRouter,
  ScorecardRouterOptions,
} from './scorecardRouter';
import { entityRefFromPath } from './inputs';
import { errorBodies } from './errors';

/** Refuses query parameters the endpoint does not know, and repeated ones. */
function readQuery(req: Request, allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    if (!allowed.includes(key)) {
      throw new InputError(
        `Unknown query parameter "${key.slice(0, 40)}"; allowed: ${
          allowed.join(', ') || 'none'
        }`,
      );
    }
    if (typeof value !== 'string') {
      throw new InputError(`Query parameter "${key}" must be given once`);
    }
    out[key] = value;
  }
  return out;
}

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  postureService: PostureService;
  signalsService: SignalsService;
  /** Flagger canaries; absent in tests that do not need them. */
  canaryService?: CanaryService;
  openApiSpec: object;
  /** Compliance checklists; their routes live in checklistRouter.ts. */
  checklists?: Pick<ChecklistRouterOptions, 'service' | 'auditor'>;
  /** Scorecards; their routes live in scorecardRouter.ts. */
  scorecards?: Pick<
    ScorecardRouterOptions,
    'service' | 'takeSnapshot' | 'auditor'
  >;
}

/**
 * The REST API: translates HTTP to calls on the posture service and back.
 * Every entity read checks catalog visibility first (404 without it) and
 * the posture read permission second (403).
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, postureService } = options;
  const router = Router();

  async function readableEntity(req: Request) {
    const ref = entityRefFromPath(req.params);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)}`);
    }
    const [decision] = await permissions.authorize(
      [
        {
          permission: meshPostureReadPermission,
          resourceRef: stringifyEntityRef(entity),
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to read the mesh posture of ${stringifyEntityRef(entity)}`,
      );
    }
    return { entity, credentials };
  }

  router.get(
    '/v1/entities/:kind/:namespace/:name/posture',
    async (req, res) => {
      const query = readQuery(req, ['window']);
      const window = query.window ?? DEFAULT_POSTURE_WINDOW;
      if (!isPostureWindow(window)) {
        throw new InputError(
          `Invalid window "${window.slice(
            0,
            20,
          )}"; use one of ${POSTURE_WINDOWS.join(', ')}`,
        );
      }
      const { entity, credentials } = await readableEntity(req);
      res.json(await postureService.getPosture(entity, window, credentials));
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/signals',
    async (req, res) => {
      const query = readQuery(req, ['window', 'direction']);
      const window = query.window ?? DEFAULT_SIGNAL_WINDOW;
      if (!isSignalWindow(window)) {
        throw new InputError(
          `Invalid window "${window.slice(
            0,
            20,
          )}"; use one of ${SIGNAL_WINDOWS.join(', ')}`,
        );
      }
      const direction = query.direction ?? 'inbound';
      if (direction !== 'inbound' && direction !== 'outbound') {
        throw new InputError('direction must be inbound or outbound');
      }
      const { entity, credentials } = await readableEntity(req);
      res.json(
        await options.signalsService.getSignals(
          entity,
          window,
          direction,
          credentials,
        ),
      );
    },
  );

  router.get('/v1/entities/:kind/:namespace/:name/canary', async (req, res) => {
    readQuery(req, []);
    const { entity } = await readableEntity(req);
    if (!options.canaryService) {
      throw new NotFoundError('Canaries are not enabled');
    }
    res.json(await options.canaryService.getCanaries(entity));
  });

  router.get(
    '/v1/entities/:kind/:namespace/:name/posture/history',
    async (req, res) => {
      const query = readQuery(req, ['days']);
      const days = query.days === undefined ? 30 : Number(query.days);
      if (!/^\d{1,3}$/.test(query.days ?? '30') || days < 1 || days > 400) {
        throw new InputError('days must be a whole number from 1 to 400');
      }
      const { entity } = await readableEntity(req);
      res.json(await postureService.getHistory(entity, days));
    },
  );

  if (options.checklists) {
    router.use(
      createChecklistRouter({
        ...options.checklists,
        permissions,
        postureService,
        readableEntity,
        readQuery,
      }),
    );
  }

  if (options.scorecards) {
    router.use(
      createScorecardRouter({
        ...options.scorecards,
        httpAuth,
        permissions,
        readableEntity,
      }),
    );
  }

  router.get('/openapi.json', (_req, res) => {
    res.json(options.openApiSpec);
  });

  router.use(errorBodies(options.logger));

  return router;
}
