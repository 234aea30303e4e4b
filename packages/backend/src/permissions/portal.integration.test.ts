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

  async function authorize(resourceRef: string) {
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', `Bearer ${token}`)
      .send({
        items: [
          {
            id: '1',
            permission: {
              type: 'resource',
              name: 'mesh-posture.checklist.answer',
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

  return { authorize, readPosture };
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
  });

  it('lets the platform team write anywhere', async () => {
    const li = await startPortal('user:default/li.chen');
    await expect(
      li.authorize('component:default/accounts-service'),
    ).resolves.toBe(AuthorizeResult.ALLOW);
  });

  it('lets a guest read posture but write nothing', async () => {
    const guest = await startPortal('user:development/guest');
    await expect(
      guest.authorize('component:default/payments-api'),
    ).resolves.toBe(AuthorizeResult.DENY);
    const posture = await guest.readPosture('payments-api');
    expect(posture.status).toBe(200);
    expect(posture.body.demo).toBe(true);
  });
});
