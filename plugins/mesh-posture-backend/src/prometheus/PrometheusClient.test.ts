import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { SourceError } from '@mesh-posture/plugin-mesh-posture-node';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { parsePromValue, PrometheusClient } from './PrometheusClient';

const server = setupServer();
registerMswTestHooks(server);

const url = 'http://prometheus.test:9090';
const client = new PrometheusClient({
  url: `${url}/`,
  headers: { Authorization: 'Bearer s3cret-token' },
});

function answer(body: unknown, status = 200) {
  const seen: { form?: URLSearchParams; auth?: string | null } = {};
  server.use(
    http.post(`${url}/api/v1/:endpoint`, async ({ request }) => {
      seen.form = new URLSearchParams(await request.text());
      seen.auth = request.headers.get('authorization');
      return typeof body === 'string'
        ? new HttpResponse(body, { status })
        : HttpResponse.json(body as any, { status });
    }),
  );
  return seen;
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => undefined,
    e => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error;
}

describe('PrometheusClient', () => {
  it('posts the query as a form with the time and the configured headers', async () => {
    const seen = answer({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { deployment: 'ledger' }, value: [1763800000.5, '12.5'] },
          { metric: {}, value: [1763800000.5, 'NaN'] },
          { metric: {}, value: [1763800000.5, '+Inf'] },
        ],
      },
    });
    const samples = await client.query(
      'sum(rate(request_total[5m]))',
      new Date(1763800000500),
    );
    expect(seen.form?.get('query')).toBe('sum(rate(request_total[5m]))');
    expect(seen.form?.get('time')).toBe('1763800000.500');
    expect(seen.auth).toBe('Bearer s3cret-token');
    expect(samples[0]).toEqual({
      labels: { deployment: 'ledger' },
      value: 12.5,
      timestamp: 1763800000.5,
    });
    expect(samples[1].value).toBeNaN();
    expect(samples[2].value).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads range queries', async () => {
    const seen = answer({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { a: 'b' },
            values: [
              [1, '1'],
              [2, '-Inf'],
            ],
          },
        ],
      },
    });
    const series = await client.queryRange(
      'up',
      new Date(1000),
      new Date(2000),
      15,
    );
    expect(seen.form?.get('step')).toBe('15');
    expect(series[0].points).toEqual([
      { timestamp: 1, value: 1 },
      { timestamp: 2, value: Number.NEGATIVE_INFINITY },
    ]);
  });

  it('abandons an answer larger than the bound as it streams in', async () => {
    const small = new PrometheusClient({ url, maxResponseBytes: 100_000 });
    const chunk = new TextEncoder().encode(`"${'x'.repeat(16_382)}",`);
    let pulled = 0;
    server.use(
      http.post(`${url}/api/v1/query`, () => {
        // Chunked, with no Content-Length: only counting tells the size.
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(
              new TextEncoder().encode(
                '{"status":"success","data":{"resultType":"vector","result":[',
              ),
            );
          },
          pull(controller) {
            pulled += 1;
            if (pulled > 1000) controller.close();
            else controller.enqueue(chunk);
          },
        });
        return new HttpResponse(stream, {
          headers: { 'Content-Type': 'application/json' },
        });
      }),
    );
    const error = await failure(small.query('up', new Date()));
    expect(error.status).toBe('invalid-response');
    expect(error.message).toContain('answered more than 0 MiB');
    expect(error.message).toContain('maxResponseBytes');
    // Stopped soon after the bound: about 100 KB of a 16 MB answer.
    expect(pulled).toBeLessThan(20);
  });

  it('refuses an answer whose declared length is over the bound unread', async () => {
    const small = new PrometheusClient({ url, maxResponseBytes: 65_536 });
    answer({
      status: 'success',
      data: {
        resultType: 'vector',
        result: Array.from({ length: 2000 }, (_, i) => ({
          metric: { pod: `pod-${i}` },
          value: [1, '1'],
        })),
      },
    });
    const error = await failure(small.query('up', new Date()));
    expect(error.status).toBe('invalid-response');
  });

  it('reads an answer within the bound', async () => {
    const bounded = new PrometheusClient({ url, maxResponseBytes: 65_536 });
    answer({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { pod: 'a' }, value: [1, '2'] }],
      },
    });
    await expect(bounded.query('up', new Date())).resolves.toEqual([
      { labels: { pod: 'a' }, timestamp: 1, value: 2 },
    ]);
  });

  it('names a refused connection as unavailable', async () => {
    server.use(http.post(`${url}/api/v1/query`, () => HttpResponse.error()));
    const error = await failure(client.query('up', new Date()));
    expect(error.status).toBe('unavailable');
    expect(error.message).toContain('cannot reach http://prometheus.test:9090');
  });

  it('reports a query timeout as timeout', async () => {
    answer(
      {
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in expression evaluation',
      },
      503,
    );
    const error = await failure(client.query('up', new Date()));
    expect(error).toMatchObject({ status: 'timeout' });
  });

  it("reports a refused query as invalid-response with Prometheus's reason", async () => {
    answer(
      {
        status: 'error',
        errorType: 'bad_data',
        error: 'parse error: unexpected "}"',
      },
      400,
    );
    const error = await failure(client.query('up', new Date()));
    expect(error.status).toBe('invalid-response');
    expect(error.message).toContain('parse error');
  });

  it('reports rejected credentials without echoing them', async () => {
    answer('forbidden', 403);
    const error = await failure(client.query('up', new Date()));
    expect(error.status).toBe('unavailable');
    expect(error.message).toContain('403');
    expect(error.message).not.toContain('s3cret');
  });

  it.each([
    ['HTML instead of JSON', '<html>proxy error</html>', 200],
    [
      'a matrix for an instant query',
      { status: 'success', data: { resultType: 'matrix', result: [] } },
      200,
    ],
    [
      'a sample that is not a pair',
      {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: ['x'] }] },
      },
      200,
    ],
    [
      'a label that is not a string',
      {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { a: 1 }, value: [1, '1'] }],
        },
      },
      200,
    ],
    [
      'a value that is not a number',
      {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: {}, value: [1, 'twelve'] }],
        },
      },
      200,
    ],
  ])(
    'reports garbage (%s) as invalid-response',
    async (_name, body, status) => {
      answer(body, status);
      const error = await failure(client.query('up', new Date()));
      expect(error.status).toBe('invalid-response');
    },
  );

  it('hides credentials embedded in the URL', () => {
    expect(
      new PrometheusClient({ url: 'https://user:pw@prom.example:9090/' })
        .displayUrl,
    ).toBe('https://prom.example:9090');
  });
});

describe('parsePromValue', () => {
  it('reads Prometheus float strings', () => {
    expect(parsePromValue('0.25')).toBe(0.25);
    expect(parsePromValue('1e3')).toBe(1000);
    expect(parsePromValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(() => parsePromValue('')).toThrow(SourceError);
    expect(() => parsePromValue(3 as any)).toThrow(SourceError);
  });
});
