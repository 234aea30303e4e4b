import fs from 'node:fs';
import path from 'node:path';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import {
  CHECKLIST_EXPORT_FORMATS,
  CHECKLIST_ID_PATTERN,
  POSTURE_WINDOWS,
  SIGNAL_WINDOWS,
} from '@mesh-posture/plugin-mesh-posture-common';
import express from 'express';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { createRouter } from '../service/router';
import { AUDITED_OPERATIONS } from '../service/auditing';
import { MESH_NAME } from '../mesh/adapters';
import { withoutRequestBodies } from './openapi';

const spec = parseYaml(
  fs.readFileSync(path.resolve(__dirname, 'openapi.yaml'), 'utf8'),
);

type Operation = { parameters?: Array<{ $ref?: string; name?: string }> };

function parameter(
  route: string,
  method: string,
  name: string,
): { schema: Record<string, unknown> } {
  const operation: Operation = spec.paths[route][method];
  const found = (operation.parameters ?? [])
    .map(p =>
      p.$ref ? spec.components.parameters[p.$ref.split('/').pop()!] : p,
    )
    .find(p => p.name === name);
  if (!found) throw new Error(`${method} ${route} has no ${name}`);
  return found;
}

const E = '/v1/entities/{kind}/{namespace}/{name}';

/** Every operation of the spec, as `METHOD /path`. */
const documented = Object.entries(spec.paths)
  .flatMap(([p, operations]) =>
    Object.keys(operations as object).map(m => `${m.toUpperCase()} ${p}`),
  )
  .sort();

/** The router as a backend serves it, Backstage's error handler behind it. */
async function appOf() {
  const logger = mockServices.logger.mock();
  return express()
    .use(await routerOf())
    .use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger,
      }).error({ showStackTraces: false }),
    );
}

async function routerOf() {
  const stub = {} as any;
  return createRouter({
    logger: mockServices.logger.mock(),
    httpAuth: stub,
    permissions: stub,
    entityAccess: stub,
    auditor: mockServices.auditor.mock(),
    postureService: stub,
    signalsService: stub,
    openApiSpec: spec,
    checklists: { service: stub },
    oscal: { checklists: stub, scorecards: stub, toolVersion: '0.0.0' },
    scorecards: { service: stub, takeSnapshot: stub, latestRun: stub },
  });
}

describe('openapi.yaml and the routes', () => {
  it('serves exactly the operations it documents', async () => {
    const served: string[] = [];
    const walk = (stack: any[]) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const method of Object.keys(layer.route.methods)) {
            served.push(
              `${method.toUpperCase()} ${layer.route.path.replace(
                /:(\w+)/g,
                '{$1}',
              )}`,
            );
          }
        } else if (layer.handle?.stack) {
          walk(layer.handle.stack);
        }
      }
    };
    walk(((await routerOf()) as any).stack);
    // The validator's own copy of /openapi.json is shadowed by ours.
    expect([...new Set(served)].sort()).toEqual(documented);
  });

  it('names every write among the audited operations', () => {
    const audited = Object.values(AUDITED_OPERATIONS).map(
      o => `${o.method} ${o.path}`,
    );
    const writes = documented.filter(o => !o.startsWith('GET '));
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) expect(audited).toContain(write);
    for (const operation of audited) expect(documented).toContain(operation);
  });

  it('holds the values -common knows', () => {
    expect(parameter(`${E}/posture`, 'get', 'window').schema.enum).toEqual([
      ...POSTURE_WINDOWS,
    ]);
    expect(parameter(`${E}/signals`, 'get', 'window').schema.enum).toEqual([
      ...SIGNAL_WINDOWS,
    ]);
    expect(
      [
        ...(parameter(`${E}/checklists/export`, 'get', 'format').schema
          .enum as string[]),
      ].sort(),
    ).toEqual([...CHECKLIST_EXPORT_FORMATS].sort());
    expect(spec.components.schemas.MeshName.pattern).toBe(MESH_NAME.source);
    for (const id of ['templateId', 'itemId']) {
      expect(spec.components.parameters[id].schema.pattern).toBe(
        CHECKLIST_ID_PATTERN.source,
      );
    }
  });

  it('gives the validator the spec without request bodies, and serves it whole', async () => {
    const stripped = withoutRequestBodies(spec);
    expect(JSON.stringify(stripped)).not.toContain('"requestBody"');
    expect(JSON.stringify(spec)).toContain('"requestBody"');
    const res = await request(await appOf()).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(spec);
  });

  // What the validator answers, before any route or service runs.
  it.each([
    [
      `${E}/posture?window=2h`,
      'Query parameter "window" must be equal to one of',
    ],
    [
      `${E}/posture?window=5m&window=1h`,
      'Query parameter "window" must be given once',
    ],
    [`${E}/posture?query=up`, 'Unknown query parameter "query"'],
    [
      `${E}/posture?${'k'.repeat(500)}=1`,
      `Unknown query parameter "${'k'.repeat(40)}"`,
    ],
    [`${E}/posture/history?days=401`, 'Query parameter "days" must be <= 400'],
    [`${E}/posture/history?days=ten`, 'Query parameter "days" must be integer'],
    [`${E}/signals?direction=sideways`, 'Query parameter "direction"'],
    ['/v1/scorecards?owner=', 'Query parameter "owner" is empty'],
    [
      `/v1/scorecards?owner=${'x'.repeat(256)}`,
      'Query parameter "owner" (value 1) must NOT have more than 255 characters',
    ],
    [
      '/v1/scorecards?owner=a%01b',
      'Query parameter "owner" (value 1) must match pattern',
    ],
    [
      `/v1/scorecards?${Array.from(
        { length: 101 },
        (_, i) => `cluster=c${i}`,
      ).join('&')}`,
      'Query parameter "cluster" must NOT have more than 100 items',
    ],
    [
      '/v1/scorecards?mesh=Consul%20Connect',
      'Query parameter "mesh" (value 1) must match pattern',
    ],
    ['/v1/scorecards/trend?groupBy=lifecycle', 'Query parameter "groupBy"'],
    ['/v1/dataflow', 'Query parameter "entityRef" is required'],
    [
      `/v1/dataflow?${Array.from(
        { length: 51 },
        (_, i) => `entityRef=e${i}`,
      ).join('&')}`,
      'Query parameter "entityRef" must NOT have more than 50 items',
    ],
    [
      `${E}/checklists/Threat_Model/history`,
      'Path parameter "templateId" must match pattern',
    ],
  ])('refuses %# with a 400 naming the parameter', async (url, message) => {
    const res = await request(await appOf()).get(
      url.replace(E, '/v1/entities/component/default/payments-api'),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toContain(message);
  });
});
