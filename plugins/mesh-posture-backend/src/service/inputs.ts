import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  makeValidator,
  parseEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { parseIsoInstant } from '@mesh-posture/plugin-mesh-posture-common';
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

/**
 * The entity of the request's path: 404 unless the caller may read it in
 * the catalog, 403 without mesh-posture.posture.read on it.
 */
export type ReadableEntity = (
  req: Request<Record<string, string>, any, any, any>,
) => Promise<{ entity: Entity; credentials: BackstageCredentials }>;
