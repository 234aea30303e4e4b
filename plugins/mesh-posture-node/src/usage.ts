import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Requests a piece of work made to the clusters' sources.
 * @public
 */
export interface SourceUsage {
  /** PromQL queries sent to Prometheus (instant and range). */
  prometheusQueries: number;
  /** Reads (lists and gets) sent to Kubernetes API servers. */
  kubernetesReads: number;
}

const usage = new AsyncLocalStorage<SourceUsage>();

/**
 * Runs `work` counting the source requests it makes, wherever they are made
 * down the call chain; requests of concurrent, unrelated work are not
 * counted. The scorecard snapshot reports these figures per run.
 * @public
 */
export async function countingSourceUsage<T>(
  work: () => Promise<T>,
): Promise<{ value: T; usage: SourceUsage }> {
  const counted: SourceUsage = { prometheusQueries: 0, kubernetesReads: 0 };
  const value = await usage.run(counted, work);
  return { value, usage: counted };
}

/**
 * Counts one request against the work in progress, if any is counting.
 * Every source calls it once per request it sends (or would send).
 * @public
 */
export function countSourceRequest(kind: keyof SourceUsage): void {
  const counted = usage.getStore();
  if (counted) counted[kind] += 1;
}
