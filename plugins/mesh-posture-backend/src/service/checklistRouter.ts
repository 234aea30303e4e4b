import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import {
  ChecklistConflictBody,
  ChecklistRequestValidation,
  ChecklistView,
  DEFAULT_POSTURE_WINDOW,
  MeshPosture,
  meshPostureChecklistExemptPermission,
  meshPostureChecklistUpdatePermission,
  validateChecklistAnswerRequest,
  validateChecklistAttestationRequest,
  validateChecklistExemptionRequest,
} from '@mesh-posture/plugin-mesh-posture-common';
import { NextFunction, Request, Response } from 'express';
import {
  ChecklistConflictError,
  ChecklistPosture,
  ChecklistService,
  checklistPostureFor,
  readChecklistPosture,
} from '../checklists';
import { renderChecklistExportMarkdown } from '../checklists/exportMarkdown';
import { audited, AUDITED_OPERATIONS, AuditedOperation } from './auditing';
import { sendExport } from './exports';
import { readBody } from './errors';
import { ReadableEntity } from './inputs';
import { MeshPostureRouter } from '../schema/openapi';

const BASE = '/v1/entities/:kind/:namespace/:name/checklists';

export interface ChecklistRouteOptions {
  service: ChecklistService;
  auditor: AuditorService;
  permissions: PermissionsService;
  postureService: {
    getPosture(
      entity: Entity,
      window: typeof DEFAULT_POSTURE_WINDOW,
      credentials: BackstageCredentials,
    ): Promise<MeshPosture>;
  };
  /** The entity of the path, 404 unless the caller may read it, 403 without posture read. */
  readableEntity: ReadableEntity;
}

function valid<T>(result: ChecklistRequestValidation<T>): T {
  if (!result.ok) {
    throw new InputError(`Invalid request: ${result.errors.join('; ')}`);
  }
  return result.value;
}

/**
 * The checklist routes under `/v1/entities/{kind}/{namespace}/{name}/checklists`.
 * Every write: catalog visibility (404) and posture read (403) first, then
 * the write permission on the entity (403), then the body (400), then the
 * optimistic lock (409 with the current state). Every write emits an
 * auditor event, successful or not.
 */
export function addChecklistRoutes(
  router: MeshPostureRouter,
  options: ChecklistRouteOptions,
): void {
  const { service, auditor, permissions, readableEntity } = options;

  // Read once per request, after the request is known to be allowed and
  // valid; the checklists judge their automatic items on it.
  const postureOf = (entity: Entity, credentials: BackstageCredentials) =>
    readChecklistPosture(() =>
      options.postureService.getPosture(
        entity,
        DEFAULT_POSTURE_WINDOW,
        credentials,
      ),
    );

  // Reads list the posture only where a checklist applies.
  const postureFor = (
    entity: Entity,
    credentials: BackstageCredentials,
  ): Promise<ChecklistPosture> =>
    checklistPostureFor(service, entity, () =>
      options.postureService.getPosture(
        entity,
        DEFAULT_POSTURE_WINDOW,
        credentials,
      ),
    );

  async function writer(
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
    what: string,
  ) {
    const { entity, credentials } = await readableEntity(req);
    const ref = stringifyEntityRef(entity);
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) {
      throw new NotAllowedError(
        `Only signed-in users can ${what}: every change is attributed to a person`,
      );
    }
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: ref }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to ${what} of ${ref}: the permission policy denied ${permission.name}`,
      );
    }
    return {
      entity,
      actor: principal.userEntityRef,
      credentials,
    };
  }

  router.get(BASE, async (req, res) => {
    const { entity, credentials } = await readableEntity(req);
    res.json(await service.list(entity, await postureFor(entity, credentials)));
  });

  router.get(`${BASE}/export`, async (req, res) => {
    await audited(
      auditor,
      req,
      AUDITED_OPERATIONS.checklistExport,
      async () => {
        const format = req.query.format;
        const { entity, credentials } = await readableEntity(req);
        const principal = credentials.principal as { userEntityRef?: string };
        const actor = principal.userEntityRef ?? 'a service';
        const data = await service.exportData(
          entity,
          actor,
          await postureFor(entity, credentials),
        );
        const base = `checklists-${data.entity.ref.replace(
          /[^a-z0-9.-]+/g,
          '-',
        )}-${data.exportedAt.slice(0, 10)}`;
        const markdown = format === 'markdown';
        sendExport(res, {
          body: markdown
            ? renderChecklistExportMarkdown(data)
            : JSON.stringify(data),
          contentType: markdown
            ? 'text/markdown; charset=utf-8'
            : 'application/json; charset=utf-8',
          filename: `${base}.${markdown ? 'md' : 'json'}`,
          generatedAt: data.exportedAt,
          generatedBy: actor,
        });
        return { format };
      },
    );
  });

  router.get(`${BASE}/:templateId/history`, async (req, res) => {
    const { limit, beforeVersion } = req.query;
    const { entity } = await readableEntity(req);
    res.json(
      await service.history(entity, req.params.templateId, {
        limit,
        ...(beforeVersion !== undefined ? { beforeVersion } : {}),
      }),
    );
  });

  /**
   * One checklist write: path ids and query first, then who may write (404,
   * 403), then `run` validates the body and writes with the posture read
   * once; the response is the checklist after the change; all audited.
   */
  const write =
    (route: {
      operation: AuditedOperation;
      permission: ResourcePermission<'catalog-entity'>;
      what: string;
      status?: number;
      run: (w: {
        entity: Entity;
        actor: string;
        templateId: string;
        itemId: string;
        /** As the spec validated it. */
        query: Record<string, unknown>;
        body: () => unknown;
        posture: () => Promise<ChecklistPosture>;
      }) => Promise<{ view: ChecklistView; meta: JsonObject }>;
    }) =>
    async (
      req: Request<Record<string, string>, any, any, any>,
      res: Response,
    ) =>
      audited(auditor, req, route.operation, async () => {
        const { templateId, itemId = '' } = req.params;
        const query = req.query;
        const { entity, actor, credentials } = await writer(
          req,
          route.permission,
          route.what,
        );
        // 404 before anything is read from the clusters.
        service.target(entity, templateId, itemId || undefined);
        const { view, meta } = await route.run({
          entity,
          actor,
          templateId,
          itemId,
          query,
          body: () => readBody(req),
          posture: () => postureOf(entity, credentials),
        });
        res.status(route.status ?? 200).json(view);
        return meta;
      });

  router.put(
    `${BASE}/:templateId/items/:itemId/answer`,
    write({
      operation: AUDITED_OPERATIONS.checklistAnswer,
      permission: meshPostureChecklistUpdatePermission,
      what: 'answer checklists',
      run: async w => {
        const body = valid(validateChecklistAnswerRequest(w.body()));
        const { view, event } = await service.answer(
          w.entity,
          w.templateId,
          w.itemId,
          body,
          w.actor,
          await w.posture(),
        );
        const meta = {
          value: body.value,
          version: view.version,
          changed: !!event,
        };
        return { view, meta };
      },
    }),
  );

  router.put(
    `${BASE}/:templateId/items/:itemId/exemption`,
    write({
      operation: AUDITED_OPERATIONS.checklistExemption,
      permission: meshPostureChecklistExemptPermission,
      what: 'exempt checklist items',
      run: async w => {
        const body = valid(
          validateChecklistExemptionRequest(w.body(), new Date()),
        );
        const { view, event } = await service.exempt(
          w.entity,
          w.templateId,
          w.itemId,
          body,
          w.actor,
          await w.posture(),
        );
        const meta = {
          action: 'grant',
          expiresAt: body.expiresAt,
          version: view.version,
          changed: !!event,
        };
        return { view, meta };
      },
    }),
  );

  router.delete(
    `${BASE}/:templateId/items/:itemId/exemption`,
    write({
      operation: AUDITED_OPERATIONS.checklistRevocation,
      permission: meshPostureChecklistExemptPermission,
      what: 'revoke checklist exemptions',
      run: async w => {
        // Required by the spec, a whole number from 0.
        const baseVersion = w.query.baseVersion as number;
        const { view } = await service.revokeExemption(
          w.entity,
          w.templateId,
          w.itemId,
          baseVersion,
          w.actor,
          await w.posture(),
        );
        return { view, meta: { action: 'revoke', version: view.version } };
      },
    }),
  );

  router.post(
    `${BASE}/:templateId/attestations`,
    write({
      operation: AUDITED_OPERATIONS.checklistAttestation,
      permission: meshPostureChecklistUpdatePermission,
      what: 'attest checklists',
      status: 201,
      run: async w => {
        const body = valid(validateChecklistAttestationRequest(w.body()));
        const { view } = await service.attest(
          w.entity,
          w.templateId,
          body,
          w.actor,
          await w.posture(),
        );
        const meta = {
          version: view.version,
          templateVersion: view.template.version,
        };
        return { view, meta };
      },
    }),
  );

  // A stale write answers 409 with the checklist as it stands now.
  router.use(
    (error: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!(error instanceof ChecklistConflictError)) {
        next(error);
        return;
      }
      const body: ChecklistConflictBody = {
        error: { name: 'ConflictError', message: error.message },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 409 },
        current: error.current,
      };
      res.status(409).json(body);
    },
  );
}
