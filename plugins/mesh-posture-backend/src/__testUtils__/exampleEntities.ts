import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';

/** The portal's example catalog, as the catalog serves it: with namespaces. */
export function exampleEntities(): Entity[] {
  return parseAllDocuments(
    fs.readFileSync(
      path.resolve(__dirname, '../../../../examples/entities.yaml'),
      'utf8',
    ),
  ).map(d => {
    const entity = d.toJS() as Entity;
    return {
      ...entity,
      metadata: { namespace: 'default', ...entity.metadata },
    };
  });
}
