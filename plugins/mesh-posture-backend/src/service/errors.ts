import { LoggerService } from '@backstage/backend-plugin-api';
import { ErrorResponseBody, InputError } from '@backstage/errors';
import express, { NextFunction, Request, Response } from 'express';

/*
 * Error bodies say what the caller did wrong, never what the server is made
 * of. Backstage's own handler serializes every property of an error: a body
 * parser error carries the raw body back, and an unexpected error's message
 * can name files and hosts. Known Backstage errors pass through untouched.
 */

/** The largest JSON body a write accepts; more is a 413. */
export const MAX_BODY_BYTES = 100 * 1024;

/**
 * Backstage's errors, which its error handler maps to statuses by name,
 * with what a refused write records of each in its auditor event (the
 * ones a write can be refused with).
 */
export const BACKSTAGE_ERRORS: Record<
  string,
  { audit?: { outcome: string; message: string } }
> = {
  InputError: {
    audit: { outcome: 'invalid', message: 'Refused: invalid request' },
  },
  AuthenticationError: {
    audit: {
      outcome: 'unauthenticated',
      message: 'Refused: not authenticated',
    },
  },
  NotAllowedError: {
    audit: { outcome: 'denied', message: 'Refused: not allowed' },
  },
  NotFoundError: {
    audit: { outcome: 'not-found', message: 'Refused: not found' },
  },
  ConflictError: {
    audit: {
      outcome: 'conflict',
      message: 'Refused: the state changed since the version given',
    },
  },
  NotModifiedError: {},
  NotImplementedError: {},
  ServiceUnavailableError: {},
};

const isBackstageError = (name: string) =>
  Object.prototype.hasOwnProperty.call(BACKSTAGE_ERRORS, name);

// body-parser's errors (`type` names the failure), in words of our own.
const BODY_ERRORS: Record<string, { status: number; message: string }> = {
  'entity.parse.failed': {
    status: 400,
    message: 'The body is not valid JSON',
  },
  'entity.too.large': {
    status: 413,
    message: `The body is larger than ${MAX_BODY_BYTES / 1024} kB`,
  },
  'charset.unsupported': {
    status: 415,
    message: 'The body must be JSON in UTF-8',
  },
  'encoding.unsupported': {
    status: 415,
    message: 'The body must be sent plain, gzip or deflate',
  },
  'request.aborted': { status: 400, message: 'The request was aborted' },
  'request.size.invalid': {
    status: 400,
    message: 'The body is shorter or longer than its Content-Length',
  },
};

const BODY_ERROR = Symbol('bodyError');

/**
 * Parses a JSON body of at most {@link MAX_BODY_BYTES}. A body that cannot
 * be read is kept, not answered, so that the write is refused in its turn
 * (after the permission check, inside its auditor event): see
 * {@link readBody}.
 */
export function jsonBody() {
  const parse = express.json({ limit: MAX_BODY_BYTES });
  return (req: Request, res: Response, next: NextFunction) => {
    // Only the writes take a body.
    if (req.method !== 'PUT' && req.method !== 'POST') {
      next();
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) (req as any)[BODY_ERROR] = error;
      next();
    });
  };
}

/** The parsed body; throws the error that kept it from being read. */
export function readBody(req: Request): unknown {
  const error = (req as any)[BODY_ERROR];
  if (error) throw error;
  return req.body;
}

/** True for body-parser's errors, which are the caller's (4xx). */
export function isBodyError(error: unknown): boolean {
  const e = error as { type?: unknown; status?: unknown };
  return (
    typeof e?.type === 'string' &&
    Object.prototype.hasOwnProperty.call(BODY_ERRORS, e.type)
  );
}

function send(
  req: Request,
  res: Response,
  status: number,
  name: string,
  message: string,
) {
  const body: ErrorResponseBody = {
    error: { name, message },
    request: { method: req.method, url: req.originalUrl.split('?')[0] },
    response: { statusCode: status },
  };
  res.status(status).json(body);
}

const WHERE: Record<string, string> = {
  query: 'Query parameter',
  params: 'Path parameter',
};

/**
 * The request validator's words (`request/query/days must be integer`) in
 * ours, still naming the parameter: `Query parameter "days" must be
 * integer`, `… must be given once` for a repeated one. Other messages are
 * returned as they are.
 */
export function plainValidationMessage(message: string, req: Request): string {
  const required =
    /^request\/(query|params) must have required property '(\w+)'$/.exec(
      message,
    );
  if (required) {
    return `${WHERE[required[1]]} "${required[2]}" is required`;
  }
  const field = /^request\/(query|params)\/(\w+)((?:\/\d+)?) (.*)$/s.exec(
    message,
  );
  if (!field) {
    const named =
      /^(Unknown|Empty value found for) query parameter '(.*)'$/s.exec(message);
    if (!named) return message;
    // The name is the caller's: cut short.
    const name = named[2].slice(0, 40);
    return named[1] === 'Unknown'
      ? `Unknown query parameter "${name}"`
      : `${WHERE.query} "${name}" is empty`;
  }
  const [, where, name, index, rest] = field;
  if (
    where === 'query' &&
    !index &&
    Array.isArray(req.query[name]) &&
    /^must be (string|integer)$/.test(rest)
  ) {
    return `${WHERE.query} "${name}" must be given once`;
  }
  const which = index ? ` (value ${Number(index.slice(1)) + 1})` : '';
  return `${WHERE[where]} "${name}"${which} ${rest}`;
}

/**
 * The router's last error handler: body errors and unexpected errors get a
 * body of our own; Backstage's errors go on to Backstage's handler.
 */
export function errorBodies(logger: LoggerService) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const e = error as { name?: unknown; type?: unknown };
    if (isBodyError(error)) {
      const bodyError = BODY_ERRORS[e.type as string];
      const name = bodyError.status === 400 ? 'InputError' : 'RequestBodyError';
      send(req, res, bodyError.status, name, bodyError.message);
      return;
    }
    if (e?.name === 'InputError' && error instanceof Error) {
      const message = plainValidationMessage(error.message, req);
      next(message === error.message ? error : new InputError(message));
      return;
    }
    if (typeof e?.name === 'string' && isBackstageError(e.name)) {
      next(error);
      return;
    }
    // Express's own 4xx errors (a path that is not valid percent-encoding):
    // the status stands, the message (which quotes the path) does not.
    const status = (error as { status?: unknown })?.status;
    if (
      typeof status === 'number' &&
      Number.isInteger(status) &&
      status >= 400 &&
      status < 500
    ) {
      send(
        req,
        res,
        status,
        status === 400 ? 'InputError' : 'RequestError',
        status === 400
          ? 'The request is malformed (the path or query is not valid percent-encoding, or the body cannot be read)'
          : `The request was refused with status ${status}`,
      );
      return;
    }
    // Logged whole here, answered without a word of it.
    logger.error(
      `Request ${req.method} ${req.originalUrl.split('?')[0]} failed`,
      error instanceof Error ? error : new Error(String(error)),
    );
    send(
      req,
      res,
      500,
      'Error',
      'Internal error: the backend log has the details',
    );
  };
}
