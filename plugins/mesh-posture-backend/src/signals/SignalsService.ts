import { telemetryInParts } from '../mesh/inParts';
import { createHash } from 'node:crypto';
import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  assessSlo,
  DependencySignals,
  GoldenSignals,
  KUBERNETES_ID_ANNOTATION,
  ProxylessWorkload,
  readSloAnnotations,
  SIGNAL_SERIES,
  SIGNAL_WINDOW_SECONDS,
  signalPoint,
  signalsByCanaryRole,
  SignalWindow,
  SourceReport,
  summarizeTraffic,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  MeshCluster,
  SignalsQuery,
  SourceError,
  TrafficSignals,
  TrafficSignalsPoint,
  WorkloadSignals,
} from '@mesh-posture/plugin-mesh-posture-node';
import { entityKey } from '../catalog/entityKey';
import { PeerEntities } from '../catalog/PeerEntities';
import {
  resolveEntityWorkloads,
  splitByProxy,
} from '../posture/resolveWorkloads';
import { resolveWorkloadTarget } from '../posture/resolveWorkloadTarget';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { CallResult, SourceCaller } from '../sources/SourceCaller';

const sameRef = (a: WorkloadRef, b: WorkloadRef) =>
  a.cluster === b.cluster &&
  a.namespace === b.namespace &&
  a.kind === b.kind &&
  a.name === b.name;

/** Refuses golden signals a source made up wrongly. */
export function checkSignals(value: unknown): WorkloadSignals {
  const v = value as WorkloadSignals;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Array.isArray(v.summaries) ||
    !Array.isArray(v.series) ||
    v.summaries.some(
      s =>
        typeof s?.requestsPerSecond !== 'number' ||
        typeof s?.failuresPerSecond !== 'number' ||
        !Array.isArray(s?.latencyBuckets),
    )
  ) {
    throw new SourceError('invalid-response', 'golden signals are malformed');
  }
  return v;
}

/**
 * One cluster's golden signals for some of its workloads, under the
 * caller's deadline and checked; an `unavailable` report when the cluster
 * has no Prometheus. The one way every feature asks for signals.
 */
export async function readWorkloadSignals(
  cluster: MeshCluster,
  caller: SourceCaller,
  query: Omit<SignalsQuery, 'cluster' | 'mesh'>,
): Promise<CallResult<WorkloadSignals>> {
  const telemetry = cluster.telemetry;
  if (!telemetry) {
    return {
      report: caller.unconfigured(
        cluster,
        'prometheus',
        'no Prometheus configured',
      ),
    };
  }
  return caller.call(cluster, 'prometheus', async signal =>
    checkSignals(
      await telemetryInParts(telemetry).workloadSignals(
        { ...query, cluster: cluster.name, mesh: cluster.mesh },
        { signal },
      ),
    ),
  );
}

/** The objectives an entity is held to: its annotations, else the portal's defaults. */
export function sloTargets(
  slo: { successRate?: number; latencyP99Ms?: number },
  defaults: { successRate: number; latencyP99Ms: number },
) {
  return {
    successRate: slo.successRate ?? defaults.successRate,
    latencyP99Ms: slo.latencyP99Ms ?? defaults.latencyP99Ms,
    from: {
      successRate:
        slo.successRate !== undefined
          ? ('annotation' as const)
          : ('default' as const),
      latencyP99:
        slo.latencyP99Ms !== undefined
          ? ('annotation' as const)
          : ('default' as const),
    },
  };
}

type MeasuredSignals = {
  signals: GoldenSignals;
  /** Outbound: the raw per-peer parts, grouped per caller once peers are linked. */
  outbound: TrafficSignals[];
};

/**
 * Serves an entity's golden signals: its workloads' inbound (or outbound,
 * per dependency) requests, success rate and latency over a window, with a
 * series and the SLO assessment. One batched call per cluster; quantiles
 * from merged histograms; cached in the shared cache.
 */
export class SignalsService {
  constructor(
    private readonly options: {
      registry: ClusterRegistry;
      caller: SourceCaller;
      cache: CacheService;
      logger: LoggerService;
      cacheTtlMs: number;
      sloDefaults: { successRate: number; latencyP99Ms: number };
      peers: PeerEntities;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async getSignals(
    entity: Entity,
    window: SignalWindow,
    direction: 'inbound' | 'outbound',
    credentials: BackstageCredentials,
  ): Promise<GoldenSignals> {
    const measured = await this.measure(entity, window, direction);
    if (direction === 'inbound') return measured.signals;
    return {
      ...measured.signals,
      dependencies: await this.dependencies(
        measured.outbound,
        window,
        credentials,
      ),
    };
  }

  /**
   * One summary per dependency: a peer workload, or all workloads of one
   * catalog entity together (a canary and its primary are one dependency).
   */
  private async dependencies(
    outbound: TrafficSignals[],
    window: SignalWindow,
    credentials: BackstageCredentials,
  ): Promise<DependencySignals[]> {
    const entityOf = await this.options.peers.lookup(
      outbound.flatMap(s => (s.peer?.workload ? [s.peer.workload] : [])),
      credentials,
    );
    const groups = new Map<
      string,
      { entityRef?: string; parts: TrafficSignals[] }
    >();
    for (const part of outbound) {
      const entityRef = part.peer?.workload
        ? entityOf(part.peer.workload)
        : undefined;
      const key =
        entityRef ??
        `${part.peer?.namespace ?? ''}/${part.peer?.workload ?? ''}`;
      const group = groups.get(key) ?? { entityRef, parts: [] };
      group.parts.push(part);
      groups.set(key, group);
    }
    return [...groups.values()]
      .map(({ entityRef, parts }) => {
        const namespaces = [
          ...new Set(parts.map(p => p.peer?.namespace).filter(Boolean)),
        ];
        const workloads = [
          ...new Set(parts.map(p => p.peer?.workload).filter(Boolean)),
        ];
        return {
          peer: {
            ...(namespaces.length > 0
              ? { namespace: namespaces.join(', ') }
              : {}),
            ...(workloads.length > 0 ? { workload: workloads.join(', ') } : {}),
            ...(entityRef ? { entityRef } : {}),
          },
          summary: summarizeTraffic(parts, SIGNAL_WINDOW_SECONDS[window]),
        };
      })
      .sort(
        (a, b) => b.summary.requestsPerSecond - a.summary.requestsPerSecond,
      );
  }

  /** The signals as measured, shared by all callers; outbound parts kept for linking. */
  private async measure(
    entity: Entity,
    window: SignalWindow,
    direction: 'inbound' | 'outbound',
  ): Promise<MeasuredSignals> {
    const entityRef = entityKey(entity);
    const target = resolveWorkloadTarget(entity);
    if (!target) {
      throw new InputError(
        `${entityRef} has no workload annotation: add ${KUBERNETES_ID_ANNOTATION}, backstage.io/kubernetes-label-selector or mesh-posture.io/workload`,
      );
    }
    const slo = readSloAnnotations(entity);
    if (!slo.ok) {
      throw new InputError(`${slo.error} (on ${entityRef})`);
    }
    const key = `signals:v6:${window}:${direction}:${createHash('sha256')
      .update(JSON.stringify([entityRef, target, slo]))
      .digest('hex')}`;
    try {
      const cached = (await this.options.cache.get(key)) as
        | MeasuredSignals
        | undefined;
      if (cached) return cached;
    } catch (error) {
      this.options.logger.warn(`Golden signals cache read failed: ${error}`);
    }

    const at = this.now();
    const windowSeconds = SIGNAL_WINDOW_SECONDS[window];
    const series = SIGNAL_SERIES[window];
    const { registry, caller } = this.options;
    const { clusters, missing } = await resolveEntityWorkloads(
      registry,
      caller,
      target,
    );
    const sources: SourceReport[] = [...missing];
    const summaries: TrafficSignals[] = [];
    const points = new Map<number, TrafficSignalsPoint[]>();
    const links: GoldenSignals['links'] = [];
    const notes: string[] = [];
    const proxyless: ProxylessWorkload[] = [];
    let demo = false;
    // How many signal queries answered: none means nothing was measured.
    let answered = 0;

    await Promise.all(
      clusters.map(async found => {
        const { cluster, refs } = found;
        demo = demo || Boolean(cluster.demo);
        if (found.kubernetes) sources.push(found.kubernetes);
        if (refs.length === 0) return;
        // A workload without a proxy reports nothing itself: its requests
        // are read from its callers' proxies.
        const { own, proxyless: unmeshed } = splitByProxy(refs, found.groups);
        for (const g of found.groups) {
          if (unmeshed.some(u => sameRef(u, g.workload.workload))) {
            proxyless.push({
              workload: g.workload.workload,
              mesh: cluster.mesh,
              pods: g.workload.totalPods,
            });
          }
        }
        for (const u of unmeshed) {
          notes.push(
            direction === 'inbound'
              ? `${u.namespace}/${u.name} has no proxy, so its own requests are not observable: they are measured by its callers' proxies (their latency includes the network).`
              : `${u.namespace}/${u.name} has no proxy, so the requests it makes are not observed.`,
          );
        }
        const query = {
          direction,
          window,
          at,
          series: {
            stepSeconds: series.stepSeconds,
            rateWindow: series.rateWindow,
          },
        };
        const results = await Promise.all([
          own.length > 0
            ? readWorkloadSignals(cluster, caller, { ...query, workloads: own })
            : undefined,
          direction === 'inbound' && unmeshed.length > 0
            ? readWorkloadSignals(cluster, caller, {
                ...query,
                workloads: unmeshed,
                observedBy: 'callers',
              })
            : undefined,
        ]);
        for (const result of results) {
          if (!result) continue;
          sources.push(result.report);
          const signals = result.value;
          if (!signals) continue;
          answered += 1;
          summaries.push(...signals.summaries);
          for (const s of signals.series) {
            for (const p of s.points) {
              const list = points.get(p.t) ?? [];
              list.push(p);
              points.set(p.t, list);
            }
          }
          for (const g of signals.gaps)
            notes.push(`${g.cluster}: ${g.message}`);
          const prometheus = cluster.links?.prometheus;
          for (const q of prometheus ? signals.queries ?? [] : []) {
            const url = new URL('/graph', prometheus);
            url.searchParams.set('g0.expr', q.promql);
            url.searchParams.set('g0.range_input', window);
            url.searchParams.set('g0.tab', '0');
            links.push({
              title: `${q.title} in Prometheus (${cluster.name})`,
              url: url.toString(),
            });
          }
        }
        const grafana = cluster.links?.grafanaDashboard;
        if (grafana) {
          for (const ref of refs) {
            links.push({
              title: `Grafana dashboard of ${ref.namespace}/${ref.name} (${cluster.name})`,
              url: grafana
                .replace(/\{namespace\}/g, encodeURIComponent(ref.namespace))
                .replace(/\{workload\}/g, encodeURIComponent(ref.name))
                .replace(/\{window\}/g, encodeURIComponent(window)),
            });
          }
        }
      }),
    );

    const failed = sources.filter(s => s.status !== 'ok');
    const complete = failed.length === 0;
    const workloads = clusters.flatMap(c => c.refs);
    // Every workload without a proxy: their silence is not the absence of
    // requests, and outbound nothing was asked at all.
    const allProxyless =
      workloads.length > 0 &&
      workloads.every(w => proxyless.some(p => sameRef(p.workload, w)));
    // Unknown, never zero: without an answer there is no figure at all.
    const summary =
      answered > 0 ? summarizeTraffic(summaries, windowSeconds) : null;
    if (summary === null && allProxyless && direction === 'outbound') {
      // Said by the note on each workload: nothing reports what it sends.
    } else if (summary === null) {
      let unknown = `The golden signals are unknown: no telemetry source answered for ${entityRef}.`;
      if (workloads.length === 0) {
        unknown = complete
          ? `No workloads of ${entityRef} were found, so there is nothing to measure.`
          : `The golden signals are unknown: the workloads of ${entityRef} could not be listed.`;
      }
      notes.push(unknown);
    } else if (summary.requests === 0 && allProxyless) {
      // Only meshed callers report: unmeshed ones may still be calling.
      notes.push(
        `No meshed caller reported requests to it in the last ${window}; callers without a proxy are not observed.`,
      );
    } else if (summary.requests === 0) {
      notes.push(
        complete
          ? `No requests in the last ${window}.`
          : `No requests in the last ${window} where telemetry answered; the rest is unknown.`,
      );
    } else if (summaries.every(p => p.latencyBuckets.length === 0)) {
      notes.push(
        `Latency is not estimated: no request duration histogram was reported for these ${summary.requests.toLocaleString(
          'en-US',
        )} requests.`,
      );
    } else if (summary.latencyMs.p99 === null) {
      notes.push(
        `p99 is not estimated from ${summary.requests.toLocaleString(
          'en-US',
        )} requests in the last ${window} (it needs at least 100).`,
      );
    }
    if (summary !== null && !complete) {
      notes.push(
        'These figures cover only the sources that answered; the objectives are not judged.',
      );
    }
    if (failed.length > 0) {
      notes.push(
        `Missing: ${failed
          .map(s => `${s.role} on ${s.cluster} (${s.status})`)
          .join(', ')}.`,
      );
    }

    // Both sides of a rollout, as Flagger's analysis compares them.
    const canary =
      summary !== null
        ? signalsByCanaryRole(workloads, summaries, windowSeconds)
        : undefined;
    const result: GoldenSignals = {
      entityRef,
      generatedAt: at.toISOString(),
      window,
      direction,
      demo,
      workloads,
      summary,
      complete,
      stepSeconds: series.stepSeconds,
      series: [...points.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([t, parts]) => signalPoint(t, parts, series.rateWindowSeconds)),
      slo: assessSlo(summary, sloTargets(slo, this.options.sloDefaults), {
        complete,
      }),
      dependencies: [],
      ...(canary ? { canary } : {}),
      ...(proxyless.length > 0 ? { proxyless } : {}),
      notes,
      links,
      sources: sources.sort((a, b) =>
        `${a.cluster}${a.role}`.localeCompare(`${b.cluster}${b.role}`),
      ),
    };
    const measured: MeasuredSignals = {
      signals: result,
      outbound: direction === 'outbound' ? summaries : [],
    };
    try {
      await this.options.cache.set(key, measured as any, {
        ttl: this.options.cacheTtlMs,
      });
    } catch (error) {
      this.options.logger.warn(`Golden signals cache write failed: ${error}`);
    }
    return measured;
  }
}
