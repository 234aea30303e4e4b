import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  SourceReport,
  SourceRole,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  MeshCluster,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';

/** A source's answer, if any, and the report of how the call went. */
export type CallResult<T> = { value?: T; report: SourceReport };

/** Strips what could be a credential out of an error message before users see it. */
export function safeMessage(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text
    .replace(/\/\/[^/@\s]*@/g, '//')
    .replace(
      /(authorization|bearer|token|password|secret)(\s*[:=]\s*|\s+)(bearer\s+|basic\s+)?\S+/gi,
      '$1 [redacted]',
    )
    .slice(0, 300);
}

/** Merges two reports of one role and cluster: the first failure wins. */
export function mergeReports(a: SourceReport, b: SourceReport): SourceReport {
  const failed = a.status !== 'ok' ? a : b;
  return {
    ...a,
    status: failed.status,
    ...(failed.message ? { message: failed.message } : {}),
    durationMs: a.durationMs + b.durationMs,
  };
}

/**
 * Calls sources under a deadline and reports how each call went: `ok`, or
 * a named failure (`unavailable`, `timeout`, `invalid-response`) with a
 * message safe to show. A source that hangs is aborted at the deadline.
 */
export class SourceCaller {
  constructor(
    private readonly options: { timeoutMs: number; logger: LoggerService },
  ) {}

  unconfigured(
    cluster: MeshCluster,
    role: SourceRole,
    message: string,
  ): SourceReport {
    return {
      role,
      cluster: cluster.name,
      status: 'unavailable',
      message,
      demo: Boolean(cluster.demo),
      durationMs: 0,
    };
  }

  async call<T>(
    cluster: MeshCluster,
    role: SourceRole,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<CallResult<T>> {
    const { timeoutMs, logger } = this.options;
    const controller = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new SourceError('timeout', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const report = (
      status: SourceReport['status'],
      message?: string,
    ): SourceReport => ({
      role,
      cluster: cluster.name,
      status,
      ...(message ? { message } : {}),
      demo: Boolean(cluster.demo),
      durationMs: Date.now() - started,
    });
    try {
      const value = await Promise.race([fn(controller.signal), deadline]);
      return { value, report: report('ok') };
    } catch (error) {
      const failure =
        error instanceof SourceError
          ? report(error.status, error.message)
          : report('unavailable', safeMessage(error));
      logger.warn(
        `Mesh posture source ${role} on cluster ${cluster.name} failed: ${failure.status}: ${failure.message}`,
      );
      return { report: failure };
    } finally {
      clearTimeout(timer);
    }
  }
}
