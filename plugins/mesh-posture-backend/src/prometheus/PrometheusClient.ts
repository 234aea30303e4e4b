import { SourceError } from '@mesh-posture/plugin-mesh-posture-node';
import { countSourceRequest } from '@mesh-posture/plugin-mesh-posture-node';

/** One sample of an instant vector; `value` may be NaN or ±Infinity. */
export interface PromSample {
  labels: Record<string, string>;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** One series of a range query. */
export interface PromSeries {
  labels: Record<string, string>;
  points: Array<{ timestamp: number; value: number }>;
}

export interface PrometheusQueryOptions {
  signal?: AbortSignal;
  /**
   * How many workloads the query asks about: a shared endpoint merges the
   * same question of several clusters up to a bound (SharedEndpoint).
   */
  workloads?: number;
}

/** The queries telemetry asks: a client, or one cluster of a shared endpoint. */
export interface PrometheusQueries {
  query(
    promql: string,
    time: Date,
    options?: PrometheusQueryOptions,
  ): Promise<PromSample[]>;
  queryRange(
    promql: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options?: PrometheusQueryOptions,
  ): Promise<PromSeries[]>;
}

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus.linkerd-viz:9090 */
  url: string;
  /** Extra headers, e.g. Authorization; never logged or echoed. */
  headers?: Record<string, string>;
  /**
   * The largest answer read, in bytes; a larger one is cut off and reported
   * as invalid. Default 20 MiB.
   */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

/** Default bound of one answer: what a well-aggregated query never nears. */
export const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

/**
 * The body as text, read as it streams in and abandoned past `maxBytes`,
 * so an oversized answer costs neither the memory nor the parse of it.
 */
async function boundedText(
  response: Response,
  maxBytes: number,
  where: string,
): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Not awaited: a cancelled stream need not confirm it stopped.
    response.body?.cancel().catch(() => {});
    throw tooLarge(where, maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => {});
      throw tooLarge(where, maxBytes);
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

function tooLarge(where: string, maxBytes: number): SourceError {
  return new SourceError(
    'invalid-response',
    `${where} answered more than ${Math.round(
      maxBytes / 1024 / 1024,
    )} MiB; raise meshPosture.clusters[].prometheus.maxResponseBytes if that is expected`,
  );
}

/** Prometheus writes special floats as strings. */
export function parsePromValue(raw: unknown): number {
  if (typeof raw !== 'string') {
    throw new SourceError('invalid-response', 'a sample value is not a string');
  }
  switch (raw) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default: {
      const value = Number(raw);
      if (raw.trim() === '' || Number.isNaN(value)) {
        throw new SourceError(
          'invalid-response',
          `"${raw.slice(0, 20)}" is not a number`,
        );
      }
      return value;
    }
  }
}

function readPoint(raw: unknown): { timestamp: number; value: number } {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'number') {
    throw new SourceError('invalid-response', 'a sample is not [time, value]');
  }
  return { timestamp: raw[0], value: parsePromValue(raw[1]) };
}

function readLabels(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SourceError('invalid-response', 'a series has no label set');
  }
  for (const v of Object.values(raw)) {
    if (typeof v !== 'string') {
      throw new SourceError(
        'invalid-response',
        'a label value is not a string',
      );
    }
  }
  return raw as Record<string, string>;
}

/**
 * The Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`), with
 * queries sent as POST forms so long batched queries fit. Every failure
 * becomes a {@link SourceError} that says what happened without echoing
 * credentials.
 */
export class PrometheusClient implements PrometheusQueries {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: PrometheusClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.headers = options.headers ?? {};
    this.maxResponseBytes =
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    // Looked up per call, so instrumentation installed later (tracing, tests) applies.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Where this client points, without any credentials in the URL. */
  get displayUrl(): string {
    try {
      const u = new URL(this.baseUrl);
      u.username = '';
      u.password = '';
      return u.toString().replace(/\/$/, '');
    } catch {
      return 'Prometheus';
    }
  }

  async query(
    promql: string,
    time: Date,
    options: PrometheusQueryOptions = {},
  ): Promise<PromSample[]> {
    const data = await this.post(
      '/api/v1/query',
      { query: promql, time: (time.getTime() / 1000).toFixed(3) },
      options.signal,
    );
    if (data.resultType !== 'vector' || !Array.isArray(data.result)) {
      throw new SourceError(
        'invalid-response',
        `expected a vector, got ${String(data.resultType).slice(0, 20)}`,
      );
    }
    return data.result.map((r: any) => {
      const point = readPoint(r?.value);
      return { labels: readLabels(r?.metric), ...point };
    });
  }

  async queryRange(
    promql: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options: PrometheusQueryOptions = {},
  ): Promise<PromSeries[]> {
    const data = await this.post(
      '/api/v1/query_range',
      {
        query: promql,
        start: (start.getTime() / 1000).toFixed(3),
        end: (end.getTime() / 1000).toFixed(3),
        step: String(stepSeconds),
      },
      options.signal,
    );
    if (data.resultType !== 'matrix' || !Array.isArray(data.result)) {
      throw new SourceError(
        'invalid-response',
        `expected a matrix, got ${String(data.resultType).slice(0, 20)}`,
      );
    }
    return data.result.map((r: any) => {
      if (!Array.isArray(r?.values)) {
        throw new SourceError('invalid-response', 'a series has no values');
      }
      return { labels: readLabels(r?.metric), points: r.values.map(readPoint) };
    });
  }

  private async post(
    path: string,
    form: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<any> {
    let response: Response;
    countSourceRequest('prometheusQueries');
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          ...this.headers,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: new URLSearchParams(form).toString(),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as any)?.cause;
      const code = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new SourceError(
        'unavailable',
        `cannot reach ${this.displayUrl}: ${String(code).slice(0, 120)}`,
      );
    }

    if (response.status === 401 || response.status === 403) {
      throw new SourceError(
        'unavailable',
        `${this.displayUrl} refused the request (${response.status}); check meshPosture.clusters[].prometheus.headers`,
      );
    }

    const text = await boundedText(
      response,
      this.maxResponseBytes,
      this.displayUrl,
    );
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SourceError(
        response.status >= 500 ? 'unavailable' : 'invalid-response',
        `${this.displayUrl} answered ${response.status} without a Prometheus API body`,
      );
    }
    if (body?.status === 'success' && body.data) {
      return body.data;
    }
    const errorType = String(body?.errorType ?? '');
    const message = String(body?.error ?? `HTTP ${response.status}`).slice(
      0,
      200,
    );
    if (errorType === 'timeout' || response.status === 503) {
      throw new SourceError('timeout', `Prometheus timed out: ${message}`);
    }
    if (body?.status === 'error') {
      throw new SourceError(
        'invalid-response',
        `Prometheus refused the query (${
          errorType || response.status
        }): ${message}`,
      );
    }
    throw new SourceError(
      'invalid-response',
      `${this.displayUrl} answered ${response.status} with an unexpected body`,
    );
  }
}
