import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/** The canonical, lower-cased ref used as a key in the cache and the database. */
export function entityKey(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}
