import { expect, test } from '@playwright/test';

/*
 * An AI agent's view: the portal's MCP endpoint
 * (@backstage/plugin-mcp-actions-backend), called with a real Backstage
 * token from the guest sign-in, answers Mesh Posture's read actions; a
 * forged token is refused.
 */

const BACKEND = 'http://localhost:7007';

async function guestToken(
  request: import('@playwright/test').APIRequestContext,
) {
  const res = await request.get(
    `${BACKEND}/api/auth/guest/refresh?optional&env=development`,
    { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
  );
  expect(res.status()).toBe(200);
  const body = await res.json();
  return body.backstageIdentity.token as string;
}

async function mcp(
  request: import('@playwright/test').APIRequestContext,
  token: string,
  method: string,
  params: object,
) {
  const res = await request.post(`${BACKEND}/api/mcp-actions/v1`, {
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json, text/event-stream',
      'Content-Type': 'application/json',
    },
    data: { jsonrpc: '2.0', id: 1, method, params },
  });
  const text = await res.text();
  const data = text
    .split('\n')
    .filter(line => line.startsWith('data: '))
    .map(line => JSON.parse(line.slice('data: '.length)));
  return { status: res.status(), body: data[0] };
}

test("an agent reads payments-api's posture over MCP with a signed-in user's token", async ({
  request,
}) => {
  const token = await guestToken(request);
  const tools = await mcp(request, token, 'tools/list', {});
  expect(tools.status).toBe(200);
  const names = tools.body.result.tools.map((t: { name: string }) => t.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'mesh-posture.get-mesh-posture',
      'mesh-posture.list-scorecards',
      'catalog.get-catalog-entity',
    ]),
  );

  const call = await mcp(request, token, 'tools/call', {
    name: 'mesh-posture.get-mesh-posture',
    arguments: { entityRef: 'component:default/payments-api' },
  });
  expect(call.body.result.isError).toBeFalsy();
  const { posture } = JSON.parse(call.body.result.content[0].text);
  expect(posture.entityRef).toBe('component:default/payments-api');
  expect(posture.meshedPods).toBe(posture.totalPods);

  // A token the auth backend did not sign is refused before any action runs.
  const forged = await mcp(
    request,
    `${token.slice(0, -8)}AAAAAAAA`,
    'tools/list',
    {},
  );
  expect(forged.status).toBe(401);
});
