import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  makeValidator,
  parseEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  parseIsoInstant,
  type ScorecardFilter,
} from '@mesh-posture/plugin-mesh-posture-common';
import { Request } from 'express';

/*
 * Readers of what callers put in paths and query strings, shared by every
 * route so that one value is read one way everywhere. Each throws an
 * InputError (400) that names the value, cut short.
 */

const validator = makeValidator();

/** The first part of a ref the catalog would refuse, or undefined. */
function invalidPart(ref: CompoundEntityRef) {
  if (!validator.isValidKind(ref.kind)) return 'kind';
  if (!validator.isValidNamespace(ref.namespace)) return 'namespace';
  if (!validator.isValidEntityName(ref.name)) return 'name';
  return undefined;
}

/** The entity of `/v1/entities/{kind}/{namespace}/{name}/…`. */
export function entityRefFromPath(
  params: Record<string, string>,
): CompoundEntityRef {
  const { kind, namespace, name } = params;
  const ref = { kind, namespace, name };
  const part = invalidPart(ref);
  if (part) {
    throw new InputError(`Invalid entity ${part} "${ref[part].slice(0, 80)}"`);
  }
  return ref;
}

/**
 * An entity ref from a query string (`component:default/name`; kind and
 * namespace default to component and default), in the catalog's lower-case
 * form. `parseEntityRef` alone accepts `a:b:c/d/e` as namespace `b:c`, name
 * `d/e`: every part is checked as the catalog checks it.
 */
export function readEntityRef(raw: string, key = 'entityRef'): string {
  const shown = raw.slice(0, 80);
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(raw, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch {
    throw new InputError(`${key} "${shown}" is not an entity ref`);
  }
  if (invalidPart(ref)) {
    throw new InputError(
      `${key} "${shown}" is not an entity ref: use kind:namespace/name with the catalog's characters`,
    );
  }
  return `${ref.kind}:${ref.namespace}/${ref.name}`.toLocaleLowerCase('en-US');
}

/**
 * An ISO date (a UTC day: its start, or its end with `endOfDay`) or a
 * date-time with a zone. Impossible dates (2026-02-30) are refused, not
 * rolled over.
 */
export function readInstant(
  value: string,
  key: string,
  options: { endOfDay?: boolean } = {},
): Date {
  const instant = parseIsoInstant(value, options);
  if (!instant) {
    throw new InputError(
      `${key} "${value.slice(
        0,
        40,
      )}" is not a real ISO date (2026-11-01) or date-time with a zone (2026-11-01T10:00:00Z)`,
    );
  }
  return instant;
}

const DAY = 24 * 3600_000;

/**
 * The period of a dataflow question: `to` (a day's end, or now) and `from`
 * (a day's start, or 30 days before `to`), at most 400 days apart.
 */
export function readPeriod(
  fromText: string | undefined,
  toText: string | undefined,
): { from: Date; to: Date } {
  const to = toText
    ? readInstant(toText, 'to', { endOfDay: true })
    : new Date();
  const from = fromText
    ? readInstant(fromText, 'from')
    : new Date(to.getTime() - 30 * DAY);
  if (from > to || to.getTime() - from.getTime() > 400 * DAY) {
    throw new InputError('from must be before to, at most 400 days apart');
  }
  return { from, to };
}

/** The scorecard filters given, each a list of values any of which matches. */
export const SCORECARD_FILTER_KEYS = [
  'owner',
  'system',
  'lifecycle',
  'cluster',
  'mesh',
  'level',
] as const;

export function scorecardFilterFrom(
  given: Partial<Record<(typeof SCORECARD_FILTER_KEYS)[number], string[]>>,
): ScorecardFilter {
  const filter: ScorecardFilter = {};
  for (const key of SCORECARD_FILTER_KEYS) {
    const values = given[key];
    if (values && values.length > 0) filter[key] = values as any;
  }
  return filter;
}

/**
 * The entity of the request's path: 404 unless the caller may read it in
 * the catalog, 403 without mesh-posture.posture.read on it.
 */
export type ReadableEntity = (
  req: Request<Record<string, string>, any, any, any>,
) => Promise<{ entity: Entity; credentials: BackstageCredentials }>;
