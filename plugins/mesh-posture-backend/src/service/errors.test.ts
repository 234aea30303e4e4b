import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { InputError } from '@backstage/errors';
import express from 'express';
import request from 'supertest';
import { errorBodies, jsonBody, readBody } from './errors';

/*
 * The router's error handler in front of Backstage's: an app as the plugin
 * runs in, with Backstage's own error middleware behind ours.
 */
function app(route: express.RequestHandler) {
  const logger = mockServices.logger.mock();
  const a = express();
  a.put('/write', jsonBody(), route);
  a.get('/read/:id', route);
  a.use(errorBodies(logger));
  a.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger,
    }).error({ showStackTraces: false }),
  );
  return { app: a, logger };
}

describe('errorBodies', () => {
  it('answers an unexpected error with 500 and no word of it, and logs it', async () => {
    const { app: a, logger } = app(() => {
      throw new Error(
        "ENOENT: no such file or directory, open '/etc/mesh-posture/ca.pem'",
      );
    });
    const res = await request(a).get('/read/x');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {
        name: 'Error',
        message: 'Internal error: the backend log has the details',
      },
      request: { method: 'GET', url: '/read/x' },
      response: { statusCode: 500 },
    });
    expect(logger.error).toHaveBeenCalledWith(
      'Request GET /read/x failed',
      expect.objectContaining({ message: expect.stringContaining('ENOENT') }),
    );
  });

  it('passes Backstage errors on, with their message', async () => {
    const { app: a } = app(() => {
      throw new InputError('Invalid window "2d"');
    });
    const res = await request(a).get('/read/x');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      name: 'InputError',
      message: 'Invalid window "2d"',
    });
  });

  it('never sends back a body that is not JSON, too large or in another charset', async () => {
    const { app: a } = app((req, res) => {
      res.json(readBody(req));
    });
    const broken = await request(a)
      .put('/write')
      .set('Content-Type', 'application/json')
      .send('{"rationale": "sesame');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toEqual({
      name: 'InputError',
      message: 'The body is not valid JSON',
    });
    expect(broken.text).not.toContain('sesame');

    const large = await request(a)
      .put('/write')
      .send({ rationale: `sesame ${'x'.repeat(200_000)}` });
    expect(large.status).toBe(413);
    expect(large.text).not.toContain('sesame');

    const latin1 = await request(a)
      .put('/write')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"rationale": "sesame"}');
    expect(latin1.status).toBe(415);
    expect(latin1.text).not.toContain('sesame');
  });

  it('keeps the status of express errors, not their message (which quotes the path)', async () => {
    const { app: a } = app((_req, res) => {
      res.json({});
    });
    const res = await request(a).get('/read/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.text).not.toMatch(/Failed to decode/);
  });
});
