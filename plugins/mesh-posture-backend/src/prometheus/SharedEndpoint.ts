import type {
  PrometheusQueries,
  PrometheusQueryOptions,
  PromSample,
  PromSeries,
} from './PrometheusClient';
import { fillScope, hasScopePlaceholder } from './promql';

/** How long a question waits for the same question of other clusters. */
export const MERGE_WINDOW_MS = 5;

/**
 * The most workloads one merged query asks about: a snapshot's clusters are
 * asked in a few queries Prometheus answers side by side, not in one it
 * answers alone (see mesh/inParts.ts for one cluster's parts).
 */
export const MAX_MERGED_WORKLOADS = 1000;

interface Waiter<T> {
  value: string;
  workloads: number;
  signal?: AbortSignal;
  resolve(result: T[]): void;
  reject(error: unknown): void;
}

interface Question<T> {
  template: string;
  run(promql: string, signal: AbortSignal): Promise<T[]>;
  waiters: Array<Waiter<T>>;
}

/**
 * One Prometheus-compatible endpoint holding several clusters' series, each
 * told by an external label (Thanos Query, Mimir, VictoriaMetrics). The
 * clusters' telemetry asks with a scope placeholder in every selector and
 * the label kept by every aggregation; the same question asked for several
 * clusters within a few milliseconds (a snapshot asks every cluster at
 * once) goes out as one query for all of them, `cluster=~"a|b"`, and each
 * cluster gets the series of its own label value: what a query of its own
 * would have answered.
 */
export class SharedEndpoint {
  private readonly pending = new Map<string, Question<any>>();
  private readonly windowMs: number;
  private readonly maxWorkloads: number;

  constructor(
    private readonly client: PrometheusQueries,
    /** The external label that names each cluster's series. */
    private readonly label: string,
    options: { windowMs?: number; maxWorkloads?: number } = {},
  ) {
    this.windowMs = options.windowMs ?? MERGE_WINDOW_MS;
    this.maxWorkloads = options.maxWorkloads ?? MAX_MERGED_WORKLOADS;
  }

  /** The queries of the cluster whose series carry `label="value"`. */
  forCluster(value: string): PrometheusQueries {
    return {
      query: (
        promql: string,
        time: Date,
        options: PrometheusQueryOptions = {},
      ) =>
        this.ask<PromSample>(
          `query ${time.getTime()}\n${promql}`,
          promql,
          value,
          options,
          (text, signal) => this.client.query(text, time, { signal }),
        ),
      queryRange: (
        promql: string,
        start: Date,
        end: Date,
        stepSeconds: number,
        options: PrometheusQueryOptions = {},
      ) =>
        this.ask<PromSeries>(
          `range ${start.getTime()} ${end.getTime()} ${stepSeconds}\n${promql}`,
          promql,
          value,
          options,
          (text, signal) =>
            this.client.queryRange(text, start, end, stepSeconds, { signal }),
        ),
    };
  }

  private ask<T extends { labels: Record<string, string> }>(
    key: string,
    template: string,
    value: string,
    options: PrometheusQueryOptions,
    run: (promql: string, signal: AbortSignal) => Promise<T[]>,
  ): Promise<T[]> {
    const { signal } = options;
    // A question without the placeholder could not be told apart by
    // cluster; none is made, but it would go out as it is.
    if (!hasScopePlaceholder(template, this.label)) {
      return run(template, signal ?? new AbortController().signal);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T[]>((resolve, reject) => {
      let question = this.pending.get(key) as Question<T> | undefined;
      if (!question) {
        question = { template, run, waiters: [] };
        this.pending.set(key, question);
        setTimeout(() => this.flush(key), this.windowMs);
      }
      question.waiters.push({
        value,
        workloads: Math.max(1, options.workloads ?? 1),
        signal,
        resolve,
        reject,
      });
      signal?.addEventListener('abort', () => reject(signal.reason), {
        once: true,
      });
    });
  }

  private flush(key: string): void {
    const question = this.pending.get(key);
    if (!question) return;
    this.pending.delete(key);
    let chunk: Array<Waiter<any>> = [];
    let size = 0;
    for (const waiter of question.waiters) {
      if (chunk.length > 0 && size + waiter.workloads > this.maxWorkloads) {
        void this.answer(question, chunk);
        chunk = [];
        size = 0;
      }
      chunk.push(waiter);
      size += waiter.workloads;
    }
    if (chunk.length > 0) void this.answer(question, chunk);
  }

  private async answer<T extends { labels: Record<string, string> }>(
    question: Question<T>,
    waiters: Array<Waiter<T>>,
  ): Promise<void> {
    const live = waiters.filter(w => !w.signal?.aborted);
    if (live.length === 0) return;
    // The merged query is given up only when every cluster asking it has.
    const controller = new AbortController();
    let asking = live.length;
    const givenUp = (reason: unknown) => {
      asking -= 1;
      if (asking === 0) controller.abort(reason);
    };
    for (const w of live) {
      const signal = w.signal;
      signal?.addEventListener('abort', () => givenUp(signal.reason), {
        once: true,
      });
    }
    try {
      const values = [...new Set(live.map(w => w.value))];
      const result = await question.run(
        fillScope(question.template, this.label, values),
        controller.signal,
      );
      const byValue = new Map<string, T[]>(values.map(v => [v, []]));
      for (const series of result) {
        byValue.get(series.labels[this.label])?.push(series);
      }
      for (const w of live) w.resolve([...byValue.get(w.value)!]);
    } catch (error) {
      for (const w of live) w.reject(error);
    }
  }
}
