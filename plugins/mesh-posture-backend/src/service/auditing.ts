import { AuditorService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { CHECKLIST_ID_PATTERN } from '@mesh-posture/plugin-mesh-posture-common';
import { NextFunction, Request, Response } from 'express';
import { ChecklistConflictError } from '../checklists';
import { BACKSTAGE_ERRORS, isBodyError } from './errors';
import { entityRefFromPath } from './inputs';

/*
 * Auditor events of writes carry ids, versions and the outcome, never what
 * people wrote: an error's message or properties can hold the body (a 409
 * carries the whole checklist view, rationales included) and the query
 * string is free text, so neither reaches the event.
 */

/** What a refused or failed write becomes in its auditor event. */
export class AuditedFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    // The stack of this error is where it was made here, not where the
    // failure happened: it says nothing and is left out.
    this.stack = undefined;
  }
}

/** The failure as an auditor may record it, and meta saying how it ended. */
export function auditFailure(
  error: unknown,
  baseVersion?: number,
): { error: AuditedFailure; meta: JsonObject } {
  let name =
    error instanceof Error && BACKSTAGE_ERRORS[error.name]?.audit
      ? error.name
      : 'Error';
  // A body that could not be read (not JSON, too large) is the caller's.
  if (isBodyError(error)) name = 'InputError';
  const { outcome, message } = BACKSTAGE_ERRORS[name]?.audit ?? {
    outcome: 'error',
    message: 'Failed: internal error (see the backend log)',
  };
  const meta: JsonObject = { outcome };
  if (baseVersion !== undefined) meta.baseVersion = baseVersion;
  if (error instanceof ChecklistConflictError) {
    meta.currentVersion = error.current.version;
  }
  return { error: new AuditedFailure(name, message), meta };
}

/**
 * The request as the auditor records it: the path without the query
 * string (free text; what a write needs from it is in the meta).
 */
export function auditedRequest(req: Request): Request {
  return Object.create(req, {
    originalUrl: { value: req.originalUrl.split('?')[0], enumerable: true },
  });
}

/** The version a write was made on, when the caller gave a whole number. */
export function baseVersionOf(req: Request): number | undefined {
  const fromBody = (req.body as { baseVersion?: unknown } | undefined)
    ?.baseVersion;
  const raw = fromBody ?? req.query.baseVersion;
  const n =
    typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
    ? n
    : undefined;
}

const ITEM = '/v1/entities/{kind}/{namespace}/{name}/checklists/{templateId}';

/**
 * Every operation that emits an auditor event, by the spec's method and
 * path: its route names it, and a request the spec refuses before the
 * route runs (a bad query or path parameter) is recorded under it too.
 */
export const AUDITED_OPERATIONS = {
  checklistExport: {
    method: 'GET',
    path: '/v1/entities/{kind}/{namespace}/{name}/checklists/export',
    eventId: 'checklist-export',
    severityLevel: 'low',
  },
  checklistAnswer: {
    method: 'PUT',
    path: `${ITEM}/items/{itemId}/answer`,
    eventId: 'checklist-answer',
    severityLevel: 'medium',
  },
  checklistExemption: {
    method: 'PUT',
    path: `${ITEM}/items/{itemId}/exemption`,
    eventId: 'checklist-exemption',
    severityLevel: 'medium',
  },
  checklistRevocation: {
    method: 'DELETE',
    path: `${ITEM}/items/{itemId}/exemption`,
    eventId: 'checklist-exemption',
    severityLevel: 'medium',
  },
  checklistAttestation: {
    method: 'POST',
    path: `${ITEM}/attestations`,
    eventId: 'checklist-attestation',
    severityLevel: 'medium',
  },
  certificateExport: {
    method: 'GET',
    path: '/v1/certificates',
    eventId: 'certificate-inventory-export',
    severityLevel: 'low',
  },
  oscalExport: {
    method: 'GET',
    path: '/v1/oscal/assessment-results',
    eventId: 'oscal-assessment-results-export',
    severityLevel: 'low',
  },
  snapshotCreate: {
    method: 'POST',
    path: '/v1/snapshots',
    eventId: 'scorecard-snapshot-create',
    severityLevel: 'medium',
  },
} as const satisfies Record<
  string,
  {
    method: string;
    path: string;
    eventId: string;
    severityLevel: 'low' | 'medium';
  }
>;

export type AuditedOperation =
  (typeof AUDITED_OPERATIONS)[keyof typeof AUDITED_OPERATIONS];

/**
 * Ids and refs only, and only valid ones: audit meta never holds what
 * people typed (an invalid path part is recorded as null; the request is
 * refused with 400).
 */
export function auditMetaOf(
  params: Record<string, string>,
): JsonObject | undefined {
  const { kind, templateId, itemId } = params;
  if (kind === undefined) return undefined;
  let entityRef: string | null = null;
  try {
    const ref = entityRefFromPath(params);
    entityRef = `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase();
  } catch {
    // refused, with the reason
  }
  const id = (value: string) =>
    CHECKLIST_ID_PATTERN.test(value) ? value : null;
  return {
    entityRef,
    ...(templateId !== undefined ? { templateId: id(templateId) } : {}),
    ...(itemId !== undefined ? { itemId: id(itemId) } : {}),
  };
}

const AUDITED = Symbol('audited');

/**
 * Runs an audited operation inside an auditor event: `initiated`, then
 * `succeeded` with the meta `run` returns, or `failed` with
 * {@link auditFailure}.
 */
export async function audited(
  auditor: AuditorService,
  req: Request,
  operation: AuditedOperation,
  run: () => Promise<JsonObject>,
): Promise<void> {
  (req as any)[AUDITED] = true;
  const auditEvent = await auditor.createEvent({
    eventId: operation.eventId,
    severityLevel: operation.severityLevel,
    meta: auditMetaOf(req.params),
    request: auditedRequest(req),
  });
  let meta: JsonObject;
  try {
    meta = await run();
  } catch (error) {
    await auditEvent.fail(auditFailure(error, baseVersionOf(req)));
    throw error;
  }
  await auditEvent.success({ meta: { outcome: 'accepted', ...meta } });
}

/**
 * An error handler placed right after the request validator: a request to
 * an audited operation that the spec refused (or whose body could not be
 * read) never reached its route, and is recorded here as refused.
 */
export function auditRefusedRequests(auditor: AuditorService) {
  const operations: readonly AuditedOperation[] =
    Object.values(AUDITED_OPERATIONS);
  return async (
    error: unknown,
    req: Request,
    _res: Response,
    next: NextFunction,
  ) => {
    const openapi = (
      req as {
        openapi?: {
          openApiRoute?: string;
          pathParams?: Record<string, string>;
        };
      }
    ).openapi;
    const operation = operations.find(
      o => o.method === req.method && o.path === openapi?.openApiRoute,
    );
    if (operation && !(req as any)[AUDITED]) {
      (req as any)[AUDITED] = true;
      const auditEvent = await auditor.createEvent({
        eventId: operation.eventId,
        severityLevel: operation.severityLevel,
        meta: auditMetaOf(openapi?.pathParams ?? {}),
        request: auditedRequest(req),
      });
      await auditEvent.fail(auditFailure(error, baseVersionOf(req)));
    }
    next(error);
  };
}
