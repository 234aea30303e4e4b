import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MeshPostureClient } from './MeshPostureClient';

const server = setupServer();
registerMswTestHooks(server);

const base = 'http://localhost:7007/api/mesh-posture';
const client = new MeshPostureClient({
  discoveryApi: { getBaseUrl: async () => base },
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});

describe('MeshPostureClient', () => {
  it('asks for the posture with the entity ref encoded and the window', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(
        `${base}/v1/entities/:kind/:namespace/:name/posture`,
        ({ request }) => {
          seen = new URL(request.url);
          return HttpResponse.json({
            entityRef: 'component:default/payments-api',
          });
        },
      ),
    );
    const posture = await client.getPosture(
      { kind: 'Component', namespace: 'default', name: 'payments api/x' },
      { window: '1h' },
    );
    expect(posture.entityRef).toBe('component:default/payments-api');
    expect(seen?.pathname).toBe(
      '/api/mesh-posture/v1/entities/Component/default/payments%20api%2Fx/posture',
    );
    expect(seen?.searchParams.get('window')).toBe('1h');
  });

  it('throws a ResponseError carrying the backend message', async () => {
    server.use(
      http.get(
        `${base}/v1/entities/:kind/:namespace/:name/posture/history`,
        () =>
          HttpResponse.json(
            {
              error: {
                name: 'InputError',
                message: 'days must be a whole number from 1 to 400',
              },
              response: { statusCode: 400 },
            },
            { status: 400 },
          ),
      ),
    );
    const error = await client
      .getPostureHistory(
        { kind: 'component', namespace: 'default', name: 'x' },
        { days: 999 },
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.message).toBe('Request failed with 400 Bad Request');
    expect(error.cause.message).toBe(
      'days must be a whole number from 1 to 400',
    );
  });
});
