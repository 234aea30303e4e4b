import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { PostureService } from '../posture/PostureService';
import { SignalsService } from '../signals/SignalsService';
import { CanaryService } from '../canaries/CanaryService';
import { createMeshPostureApiRouter } from '../schema/openapi';
import { addChecklistRoutes, ChecklistRouteOptions } from './checklistRouter';
import { addScorecardRoutes, ScorecardRouteOptions } from './scorecardRouter';
import { addOscalRoutes, OscalRouteOptions } from './oscalRouter';
import { auditRefusedRequests } from './auditing';
import { entityRefFromPath, ReadableEntity } from './inputs';
import { EntityAccess } from './entityAccess';
import { errorBodies, jsonBody } from './errors';

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** Who may read which entity's posture, asked by every entity route. */
  entityAccess: EntityAccess;
  auditor: AuditorService;
  postureService: PostureService;
  signalsService: SignalsService;
  /** Flagger canaries; absent in tests that do not need them. */
  canaryService?: CanaryService;
  /** openapi.yaml, parsed: routes are validated from it and it is served. */
  openApiSpec: object;
  /** Compliance checklists; their routes live in checklistRouter.ts. */
  checklists?: Pick<ChecklistRouteOptions, 'service'>;
  /** OSCAL exports; their route lives in oscalRouter.ts. */
  oscal?: Pick<OscalRouteOptions, 'checklists' | 'scorecards' | 'toolVersion'>;
  /** Scorecards; their routes live in scorecardRouter.ts. */
  scorecards?: Pick<
    ScorecardRouteOptions,
    'service' | 'takeSnapshot' | 'latestRun'
  >;
}

/**
 * The REST API: translates HTTP to calls on the services and back. Path
 * and query are validated from openapi.yaml before a route runs (400
 * naming the parameter). Every entity read checks catalog visibility
 * first (404 without it) and the posture read permission second (403).
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, postureService, auditor } = options;
  const router = createMeshPostureApiRouter(options.openApiSpec, [jsonBody()]);
  // First after the validator: sees only what it refused.
  router.use(auditRefusedRequests(auditor));

  const access = options.entityAccess;
  const readableEntity: ReadableEntity = async req => {
    const ref = entityRefFromPath(req.params);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return { entity: await access(ref, credentials), credentials };
  };

  router.get(
    '/v1/entities/:kind/:namespace/:name/posture',
    async (req, res) => {
      const { entity, credentials } = await readableEntity(req);
      res.json(
        await postureService.getPosture(entity, req.query.window, credentials),
      );
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/signals',
    async (req, res) => {
      const { entity, credentials } = await readableEntity(req);
      res.json(
        await options.signalsService.getSignals(
          entity,
          req.query.window,
          req.query.direction,
          credentials,
        ),
      );
    },
  );

  router.get('/v1/entities/:kind/:namespace/:name/canary', async (req, res) => {
    const { entity } = await readableEntity(req);
    if (!options.canaryService) {
      throw new NotFoundError('Canaries are not enabled');
    }
    res.json(await options.canaryService.getCanaries(entity));
  });

  router.get(
    '/v1/entities/:kind/:namespace/:name/posture/history',
    async (req, res) => {
      const { entity } = await readableEntity(req);
      res.json(await postureService.getHistory(entity, req.query.days));
    },
  );

  if (options.checklists) {
    addChecklistRoutes(router, {
      ...options.checklists,
      auditor,
      permissions,
      postureService,
      readableEntity,
    });
  }

  if (options.oscal) {
    addOscalRoutes(router, {
      ...options.oscal,
      httpAuth,
      auditor,
      entityAccess: options.entityAccess,
      postureService,
    });
  }

  if (options.scorecards) {
    addScorecardRoutes(router, {
      ...options.scorecards,
      auditor,
      httpAuth,
      permissions,
      readableEntity,
    });
  }

  const root = Router();
  // The whole document, request bodies and all (the validator's own copy
  // has none; see openapi.ts), as the other plugins' documents are served.
  root.get('/openapi.json', (_req, res) => {
    res.json(options.openApiSpec);
  });
  root.use(router);
  root.use(errorBodies(options.logger));
  return root;
}
