import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { meshPostureReadPermission } from '@mesh-posture/plugin-mesh-posture-common';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import mcpPlugin from '@backstage/plugin-mcp-actions-backend';
import request from 'supertest';
import { meshPosturePlugin } from '../plugin';
import { exampleEntities } from '../__testUtils__/exampleEntities';

/*
 * The actions as an AI agent reaches them: over MCP (the streamable HTTP
 * endpoint of @backstage/plugin-mcp-actions-backend), with the caller's
 * token, through the real actions service, which calls this plugin's
 * actions over HTTP on the caller's behalf.
 */

jest.setTimeout(60_000);

const entities = exampleEntities();

const READER = 'user:default/marta.kowalska';
/** The catalog shows this caller nothing. */
const OUTSIDER = 'user:default/outsider';
/** Sees the catalog, but may not read mesh postures. */
const NO_POSTURE = 'user:default/no-posture';

/** The caller of a catalog or permission call. */
const userOf = (credentials?: BackstageCredentials) =>
  (credentials?.principal as { userEntityRef?: string } | undefined)
    ?.userEntityRef;
const callerOf = (options: unknown) =>
  userOf(
    (options as { credentials?: BackstageCredentials } | undefined)
      ?.credentials,
  );

async function startBackend() {
  const catalog = catalogServiceMock({ entities });
  const { server } = await startTestBackend({
    features: [
      meshPosturePlugin,
      meshPostureModuleDemo,
      mcpPlugin,
      // A request without a token is no one's, as in a real backend.
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.scheduler.factory(),
      mockServices.rootConfig.factory({
        data: {
          meshPosture: { demo: true },
          backend: { actions: { pluginSources: ['mesh-posture'] } },
        },
      }),
      catalogServiceMock.mock({
        getEntityByRef: async (ref, options) =>
          callerOf(options) === OUTSIDER
            ? undefined
            : catalog.getEntityByRef(ref, options),
        getEntities: async (req, options) =>
          callerOf(options) === OUTSIDER
            ? { items: [] }
            : catalog.getEntities(req, options),
        getEntitiesByRefs: async (req, options) =>
          callerOf(options) === OUTSIDER
            ? { items: req.entityRefs.map(() => undefined) }
            : catalog.getEntitiesByRefs(req, options),
        queryEntities: async (req, options) =>
          callerOf(options) === OUTSIDER
            ? { items: [], totalItems: 0, pageInfo: {} }
            : catalog.queryEntities(req, options),
      }).factory,
      mockServices.permissions.mock({
        authorize: async (requests, options) =>
          requests.map(r => ({
            result:
              userOf(options?.credentials) === NO_POSTURE &&
              r.permission.name === meshPostureReadPermission.name
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })),
      }).factory,
    ],
  });
  return server;
}

/** One JSON-RPC call to the MCP endpoint, its answer read from the event stream. */
async function mcp(
  server: Awaited<ReturnType<typeof startBackend>>,
  method: string,
  params: object,
  authorization?: string,
) {
  let call = request(server)
    .post('/api/mcp-actions/v1')
    .set('Accept', 'application/json, text/event-stream')
    .set('Content-Type', 'application/json');
  if (authorization) call = call.set('Authorization', authorization);
  const res = await call.send({ jsonrpc: '2.0', id: 1, method, params });
  const text = res.text ?? '';
  const data = text
    .split('\n')
    .filter(line => line.startsWith('data: '))
    .map(line => JSON.parse(line.slice('data: '.length)));
  return { status: res.status, body: data[0] ?? res.body };
}

const as = (user: string) => mockCredentials.user.header(user);

function toolText(body: any): any {
  if (!body.result) throw new Error(JSON.stringify(body).slice(0, 600));
  const [content] = body.result.content;
  return JSON.parse(content.text);
}

describe('Mesh Posture actions over MCP', () => {
  let server: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    server = await startBackend();
  });

  it('lists read-only, idempotent tools for each read', async () => {
    const { status, body } = await mcp(server, 'tools/list', {}, as(READER));
    expect(status).toBe(200);
    const tools = body.result.tools as Array<{
      name: string;
      annotations?: Record<string, boolean>;
    }>;
    expect(tools.map(t => t.name).sort()).toEqual(
      [
        'get-canary',
        'get-checklists',
        'get-dataflow',
        'get-golden-signals',
        'get-mesh-posture',
        'list-scorecards',
      ].map(n => `mesh-posture.${n}`),
    );
    for (const tool of tools) {
      expect(tool.annotations).toMatchObject({
        readOnlyHint: true,
        idempotentHint: true,
        destructiveHint: false,
      });
    }
  });

  it("answers an entity's posture as its REST route does", async () => {
    const { body } = await mcp(
      server,
      'tools/call',
      {
        name: 'mesh-posture.get-mesh-posture',
        arguments: { entityRef: 'component:default/payments-api' },
      },
      as(READER),
    );
    expect(body.result.isError).toBeFalsy();
    const { posture } = toolText(body);
    expect(posture).toMatchObject({
      entityRef: 'component:default/payments-api',
      demo: true,
      window: '5m',
      totalPods: 4,
    });
    expect(posture.verdict.checks.length).toBeGreaterThan(0);
  });

  it('answers golden signals, the canary and the checklists', async () => {
    const call = (name: string, args: object) =>
      mcp(
        server,
        'tools/call',
        { name: `mesh-posture.${name}`, arguments: args },
        as(READER),
      ).then(r => toolText(r.body));
    const { signals } = await call('get-golden-signals', {
      entityRef: 'payments-api',
      window: '1h',
    });
    expect(signals.summary.requestsPerSecond).toBeGreaterThan(0);
    const { canary } = await call('get-canary', {
      entityRef: 'component:default/fraud-scoring',
    });
    expect(canary.canaries[0].name).toBe('fraud-scoring');
    const { checklists } = await call('get-checklists', {
      entityRef: 'component:default/payments-api',
    });
    expect(checklists.checklists.length).toBeGreaterThan(0);
  });

  it('refuses a caller without a token', async () => {
    const { status, body } = await mcp(server, 'tools/call', {
      name: 'mesh-posture.get-mesh-posture',
      arguments: { entityRef: 'component:default/payments-api' },
    });
    expect(status).toBe(401);
    expect(JSON.stringify(body)).not.toMatch(/meshed|verdict/i);
  });

  it('tells a caller who cannot see the entity nothing about it', async () => {
    const missing = await mcp(
      server,
      'tools/call',
      {
        name: 'mesh-posture.get-mesh-posture',
        arguments: { entityRef: 'component:default/no-such-service' },
      },
      as(READER),
    );
    const hidden = await mcp(
      server,
      'tools/call',
      {
        name: 'mesh-posture.get-mesh-posture',
        arguments: { entityRef: 'component:default/payments-api' },
      },
      as(OUTSIDER),
    );
    expect(hidden.body.result.isError).toBe(true);
    const text = (r: typeof hidden) => r.body.result.content[0].text as string;
    // The same answer as for an entity that does not exist.
    expect(text(hidden)).toMatch(/No entity component:default\/payments-api/);
    expect(text(missing)).toMatch(
      /No entity component:default\/no-such-service/,
    );
    expect(text(hidden)).not.toMatch(/meshed|mtls|verdict/i);
  });

  it('refuses a caller the permission policy denies the posture read', async () => {
    const { body } = await mcp(
      server,
      'tools/call',
      {
        name: 'mesh-posture.get-mesh-posture',
        arguments: { entityRef: 'component:default/payments-api' },
      },
      as(NO_POSTURE),
    );
    expect(body.result.isError).toBe(true);
    expect(body.result.content[0].text).toMatch(
      /Not allowed to read the mesh posture of component:default\/payments-api/,
    );
  });

  it('refuses input that is not an entity ref, with a reason', async () => {
    const { body } = await mcp(
      server,
      'tools/call',
      {
        name: 'mesh-posture.get-mesh-posture',
        arguments: { entityRef: 'component:default/a/b}"' },
      },
      as(READER),
    );
    expect(body.result.isError).toBe(true);
    expect(body.result.content[0].text).toMatch(/is not an entity ref/);
  });

  it('lists only the scorecards the caller may read', async () => {
    const call = (user: string) =>
      mcp(
        server,
        'tools/call',
        {
          name: 'mesh-posture.list-scorecards',
          arguments: { mesh: ['linkerd'] },
        },
        as(user),
      ).then(r => r.body);
    const snapshot = await request(server)
      .post('/api/mesh-posture/v1/snapshots')
      .set('Authorization', as(READER));
    expect(snapshot.status).toBe(201);
    // Filtered as asked: the Linkerd services only.
    const reader = toolText(await call(READER));
    const refs = reader.scorecards.entities.map((e: any) => e.entityRef);
    expect(refs).toContain('component:default/payments-api');
    expect(refs).not.toContain('component:default/card-issuing');
    const outsider = toolText(await call(OUTSIDER));
    expect(outsider.scorecards.entities).toEqual([]);
  });
});
