import path from 'node:path';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import permissionPlugin from '@backstage/plugin-permission-backend';
import meshPosturePlugin from '@mesh-posture/plugin-mesh-posture-backend';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import request from 'supertest';
import portalPolicyModule from './index';

/*
 * The portal as deployed, minus the frontend: real auth (tokens signed by
 * the auth backend, plugin-to-plugin tokens on behalf of the user), the
 * catalog with the example entities, the permission backend with the
 * portal policy, and Mesh Posture. A user signs in through the guest
 * provider configured to resolve to a catalog user, so their token carries
 * the ownership of their groups, as any real sign-in resolver would.
 */

const examples = path.resolve(__dirname, '../../../../examples');

jest.setTimeout(120_000);

async function startPortal(userEntityRef: string) {
  const { server } = await startTestBackend({
    features: [
      authServiceFactory,
      httpAuthServiceFactory,
      userInfoServiceFactory,
      authPlugin,
      guestProviderModule,
      catalogPlugin,
      permissionPlugin,
      portalPolicyModule,
      meshPosturePlugin,
      meshPostureModuleDemo,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: {
            providers: {
              guest: {
                userEntityRef,
                dangerouslyAllowOutsideDevelopment: true,
              },
            },
          },
          permission: { enabled: true },
          meshPosture: { demo: true },
          catalog: {
            rules: [
              {
                allow: [
                  'Component',
                  'System',
                  'API',
                  'Domain',
                  'Group',
                  'User',
                  'Location',
                ],
              },
            ],
            locations: [
              { type: 'file', target: path.join(examples, 'entities.yaml') },
              { type: 'file', target: path.join(examples, 'org.yaml') },
            ],
          },
        },
      }),
    ],
  });

  // Sign in; retry until the catalog has ingested the user and their groups.
  const deadline = Date.now() + 60_000;
  let token = '';
  for (;;) {
    const res = await request(server)
      .get('/api/auth/guest/refresh')
      .set('X-Requested-With', 'XMLHttpRequest');
    const ownership: string[] =
      res.body?.backstageIdentity?.identity?.ownershipEntityRefs ?? [];
    if (
      res.status === 200 &&
      (userEntityRef.includes('development') || ownership.length > 1)
    ) {
      token = res.body.backstageIdentity.token;
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `sign-in did not resolve: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }

  // Wait for the entities this test reads.
  for (;;) {
    const res = await request(server)
      .get('/api/catalog/entities/by-name/component/default/accounts-service')
      .set('Authorization', `Bearer ${token}`);
    if (res.status === 200) break;
    if (Date.now() > deadline)
      throw new Error(`catalog did not ingest: ${res.status}`);
    await new Promise(r => setTimeout(r, 250));
  }

  async function authorize(
    resourceRef: string,
    name = 'mesh-posture.checklist.update',
  ) {
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', `Bearer ${token}`)
      .send({
        items: [
          {
            id: '1',
            permission: {
              type: 'resource',
              name,
              attributes: { action: 'update' },
              resourceType: 'catalog-entity',
            },
            resourceRef,
          },
        ],
      });
    expect(res.status).toBe(200);
    return res.body.items[0].result;
  }

  function readPosture(name: string) {
    return request(server)
      .get(`/api/mesh-posture/v1/entities/component/default/${name}/posture`)
      .set('Authorization', `Bearer ${token}`);
  }

  const checklists = (name: string) =>
    `/api/mesh-posture/v1/entities/component/default/${name}/checklists`;

  /** Answers an open threat-model item of the entity through the real API. */
  async function answerChecklist(name: string) {
    const list = await request(server)
      .get(checklists(name))
      .set('Authorization', `Bearer ${token}`);
    expect(list.status).toBe(200);
    const tm = list.body.checklists.find(
      (c: any) => c.template.id === 'threat-model',
    );
    return request(server)
      .put(`${checklists(name)}/threat-model/items/audit-logs-tagged/answer`)
      .set('Authorization', `Bearer ${token}`)
      .send({ baseVersion: tm.version, value: 'yes' });
  }

  /** Exempts a zero-trust item of the entity through the real API. */
  async function exempt(name: string) {
    const list = await request(server)
      .get(checklists(name))
      .set('Authorization', `Bearer ${token}`);
    const zt = list.body.checklists.find(
      (c: any) => c.template.id === 'zero-trust',
    );
    return request(server)
      .put(`${checklists(name)}/zero-trust/items/default-deny/exemption`)
      .set('Authorization', `Bearer ${token}`)
      .send({
        baseVersion: zt.version,
        justification: 'Server resources land next sprint',
        expiresAt: new Date(Date.now() + 14 * 864e5).toISOString(),
      });
  }

  return { authorize, readPosture, answerChecklist, exempt };
}

describe('the portal permission policy with real auth, catalog and permission backends', () => {
  it('lets an owner write to their own entities only, and read any posture', async () => {
    const ana = await startPortal('user:default/ana.silva');
    await expect(ana.authorize('component:default/payments-api')).resolves.toBe(
      AuthorizeResult.ALLOW,
    );
    await expect(
      ana.authorize('component:default/accounts-service'),
    ).resolves.toBe(AuthorizeResult.DENY);
    const posture = await ana.readPosture('accounts-service');
    expect(posture.status).toBe(200);
    expect(posture.body.entityRef).toBe('component:default/accounts-service');
    expect((await ana.readPosture('no-such-service')).status).toBe(404);

    // The checklist API enforces the same decisions on the server.
    const own = await ana.answerChecklist('payments-api');
    expect(own.status).toBe(200);
    expect(
      own.body.items.find((i: any) => i.itemId === 'audit-logs-tagged').answer
        .answeredBy,
    ).toBe('user:default/ana.silva');
    expect((await ana.answerChecklist('accounts-service')).status).toBe(403);
    // Owners answer; only the platform team approves exemptions.
    await expect(
      ana.authorize(
        'component:default/payments-api',
        'mesh-posture.checklist.exempt',
      ),
    ).resolves.toBe(AuthorizeResult.DENY);
    expect((await ana.exempt('payments-api')).status).toBe(403);
  });

  it('lets the platform team write anywhere, exemptions included', async () => {
    const li = await startPortal('user:default/li.chen');
    await expect(
      li.authorize('component:default/accounts-service'),
    ).resolves.toBe(AuthorizeResult.ALLOW);
    await expect(
      li.authorize(
        'component:default/accounts-service',
        'mesh-posture.checklist.exempt',
      ),
    ).resolves.toBe(AuthorizeResult.ALLOW);
    const exempted = await li.exempt('accounts-service');
    expect(exempted.status).toBe(200);
    expect(
      exempted.body.items.find((i: any) => i.itemId === 'default-deny')
        .exemption.approvedBy,
    ).toBe('user:default/li.chen');
  });

  it("signs the portal's guest in as the catalog user guest, who owns Open Banking's and Payments' services, not the platform team's", async () => {
    const guest = await startPortal('user:default/guest');
    await expect(
      guest.authorize('component:default/accounts-service'),
    ).resolves.toBe(AuthorizeResult.ALLOW);
    await expect(
      guest.authorize('component:default/payments-api'),
    ).resolves.toBe(AuthorizeResult.ALLOW);
    await expect(
      guest.authorize('component:default/notifications'),
    ).resolves.toBe(AuthorizeResult.DENY);
    expect((await guest.answerChecklist('accounts-service')).status).toBe(200);
  });

  it('lets a guest without a catalog user read posture but write nothing', async () => {
    const guest = await startPortal('user:development/guest');
    await expect(
      guest.authorize('component:default/payments-api'),
    ).resolves.toBe(AuthorizeResult.DENY);
    const posture = await guest.readPosture('payments-api');
    expect(posture.status).toBe(200);
    expect(posture.body.demo).toBe(true);
  });
});
