import { AuditorService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { ChecklistConflictError } from '../checklists';
import { isBodyError } from './errors';

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

const OUTCOMES: Record<string, { outcome: string; message: string }> = {
  InputError: { outcome: 'invalid', message: 'Refused: invalid request' },
  AuthenticationError: {
    outcome: 'unauthenticated',
    message: 'Refused: not authenticated',
  },
  NotAllowedError: { outcome: 'denied', message: 'Refused: not allowed' },
  NotFoundError: { outcome: 'not-found', message: 'Refused: not found' },
  ConflictError: {
    outcome: 'conflict',
    message: 'Refused: the state changed since the version given',
  },
};

/** The failure as an auditor may record it, and meta saying how it ended. */
export function auditFailure(
  error: unknown,
  baseVersion?: number,
): { error: AuditedFailure; meta: JsonObject } {
  let name =
    error instanceof Error &&
    Object.prototype.hasOwnProperty.call(OUTCOMES, error.name)
      ? error.name
      : 'Error';
  // A body that could not be read (not JSON, too large) is the caller's.
  if (isBodyError(error)) name = 'InputError';
  const { outcome, message } = OUTCOMES[name] ?? {
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

/**
 * Runs a write inside an auditor event: `initiated`, then `succeeded` with
 * the meta `run` returns, or `failed` with {@link auditFailure}.
 */
export async function audited(
  auditor: AuditorService,
  req: Request,
  event: {
    eventId: string;
    severityLevel: 'low' | 'medium';
    meta?: JsonObject;
  },
  run: () => Promise<JsonObject>,
): Promise<void> {
  const auditEvent = await auditor.createEvent({
    ...event,
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
