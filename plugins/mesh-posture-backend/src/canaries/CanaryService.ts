import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CanaryStatus,
  deploymentRate,
  EntityCanaryResponse,
  histogramQuantile,
  mergeBuckets,
  KUBERNETES_ID_ANNOTATION,
  SourceReport,
  summarizeTraffic,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  canariesTargeting,
  canaryRollouts,
  judgeCanaryMetric,
  readCanary,
} from '@mesh-posture/plugin-mesh-posture-node';
import type {
  KubernetesObject,
  MeshAdapter,
  MeshCluster,
  WorkloadSignals,
} from '@mesh-posture/plugin-mesh-posture-node';
import { entityKey } from '../catalog/entityKey';
import { CanaryHistoryStore, canaryKey } from '../database/CanaryHistoryStore';
import { durationSeconds } from '../mesh/signalParts';
import { PROMQL_DURATIONS } from '../prometheus/promql';
import { resolveEntityWorkloads } from '../posture/resolveWorkloads';
import { resolveWorkloadTarget } from '../posture/resolveWorkloadTarget';
import { readWorkloadSignals } from '../signals/SignalsService';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { CallResult, SourceCaller } from '../sources/SourceCaller';

const HISTORY_DAYS = 28;

/** Lists a cluster's Flagger canaries; `undefined` when Flagger is not installed. */
export async function listCanaries(
  cluster: MeshCluster,
  caller: SourceCaller,
): Promise<CallResult<KubernetesObject[] | 'not-installed'> | undefined> {
  const objects = cluster.objects;
  if (!objects) return undefined;
  return caller.call(cluster, 'kubernetes', async signal => {
    const list = await objects.list(
      {
        cluster: cluster.name,
        apiVersion: 'flagger.app/v1beta1',
        resource: 'canaries',
      },
      { signal },
    );
    return Array.isArray(list) ? list : ('not-installed' as const);
  });
}

/**
 * The success rate, in percent, as Flagger's built-in query counts it on
 * the cluster's mesh (the adapter holds the formula); null when the mesh
 * has none or nothing was requested.
 */
function flaggerSuccessPercent(
  adapter: MeshAdapter,
  summary: ReturnType<typeof summarizeTraffic>,
): number | null {
  if (summary.requestsPerSecond <= 0 || summary.successRate === null) {
    return null;
  }
  const share = adapter.flaggerSuccessShare?.(summary) ?? null;
  if (share === null) return null;
  return Math.round(share * 100_000) / 1000;
}

const targetRef = (c: CanaryStatus): WorkloadRef => ({
  cluster: c.cluster,
  namespace: c.namespace,
  kind: (['Deployment', 'DaemonSet', 'StatefulSet'].includes(c.target.kind)
    ? c.target.kind
    : 'Deployment') as WorkloadRef['kind'],
  name: c.target.name,
});

/**
 * Serves an entity's Flagger canaries: the Canary objects whose target is
 * one of its workloads (one listing per cluster), Flagger's built-in metrics
 * computed from the mesh's telemetry (one batched call per cluster and
 * interval), and the rollouts the backend observed.
 */
export class CanaryService {
  constructor(
    private readonly options: {
      registry: ClusterRegistry;
      caller: SourceCaller;
      store: CanaryHistoryStore;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async getCanaries(entity: Entity): Promise<EntityCanaryResponse> {
    const entityRef = entityKey(entity);
    const target = resolveWorkloadTarget(entity);
    if (!target) {
      throw new InputError(
        `${entityRef} has no workload annotation: add ${KUBERNETES_ID_ANNOTATION}, backstage.io/kubernetes-label-selector or mesh-posture.io/workload`,
      );
    }
    const { registry, caller, store, logger } = this.options;
    const at = this.now();
    const { clusters, missing } = await resolveEntityWorkloads(
      registry,
      caller,
      target,
    );
    const sources: SourceReport[] = [...missing];
    const notes: string[] = [];
    const flaggerMissing: string[] = [];
    const canaries: CanaryStatus[] = [];
    let demo = false;

    await Promise.all(
      clusters.map(async found => {
        const { cluster, refs } = found;
        demo = demo || Boolean(cluster.demo);
        if (found.kubernetes) sources.push(found.kubernetes);
        if (refs.length === 0) return;
        const listed = await listCanaries(cluster, caller);
        if (!listed) {
          sources.push(
            caller.unconfigured(
              cluster,
              'kubernetes',
              'no Kubernetes access configured',
            ),
          );
          return;
        }
        if (listed.report.status !== 'ok') sources.push(listed.report);
        if (listed.value === 'not-installed') {
          flaggerMissing.push(cluster.name);
          return;
        }
        const mine = canariesTargeting(listed.value ?? [], refs)
          .map(o => readCanary(o, cluster.name))
          .filter((c): c is CanaryStatus => c !== undefined);
        canaries.push(
          ...(await this.withMetricValues(cluster, mine, at, sources)),
        );
      }),
    );

    try {
      await store.record(canaries, at);
    } catch (error) {
      logger.warn(`Canary history unavailable: ${error}`);
      notes.push('The rollout history could not be read or recorded.');
    }
    const since = new Date(at.getTime() - HISTORY_DAYS * 24 * 3600_000);
    let history = new Map<string, { transitions: any[]; firstSeen?: string }>();
    try {
      history = await store.transitions(canaries, since);
    } catch (error) {
      logger.warn(`Canary history unavailable: ${error}`);
    }
    for (const name of flaggerMissing) {
      notes.push(
        `Flagger is not installed in cluster ${name} (no Canary CRD).`,
      );
    }
    return {
      entityRef,
      generatedAt: at.toISOString(),
      demo,
      workloads: clusters.flatMap(c => c.refs),
      canaries: canaries
        .sort((a, b) =>
          `${a.cluster}/${a.namespace}/${a.name}`.localeCompare(
            `${b.cluster}/${b.namespace}/${b.name}`,
          ),
        )
        .map(c => {
          const h = history.get(canaryKey(c));
          const rollouts = canaryRollouts(h?.transitions ?? []);
          // Counted over every rollout of the period, and the period sent
          // with it, so the card can say what its rate is of beside the
          // few rollouts it lists.
          const deployments = deploymentRate(rollouts, {
            now: at,
            ...(h?.firstSeen ? { observedSince: h.firstSeen } : {}),
          });
          return {
            ...c,
            rollouts: rollouts.slice(0, 20),
            deploymentsPerWeek: deployments.perWeek,
            deployments,
          };
        }),
      flaggerMissing,
      sources: sources.sort((a, b) =>
        `${a.cluster}${a.role}`.localeCompare(`${b.cluster}${b.role}`),
      ),
      notes,
    };
  }

  /**
   * Flagger's built-in metrics for the canaries of one cluster, as Flagger
   * computes them: the canary workload's inbound success rate (percent) and
   * p99 latency (ms) over the metric's interval. One telemetry call per
   * distinct interval, for all canaries.
   */
  private async withMetricValues(
    cluster: MeshCluster,
    canaries: CanaryStatus[],
    at: Date,
    sources: SourceReport[],
  ): Promise<CanaryStatus[]> {
    const intervals = new Set(
      canaries.flatMap(c =>
        c.metrics.filter(m => m.builtIn).map(m => m.interval ?? '1m'),
      ),
    );
    if (intervals.size === 0) return canaries;
    const { caller } = this.options;
    const answers = new Map<string, CallResult<WorkloadSignals>>();
    await Promise.all(
      [...intervals]
        .filter(i => (PROMQL_DURATIONS as readonly string[]).includes(i))
        .map(async interval => {
          const result = await readWorkloadSignals(cluster, caller, {
            workloads: canaries.map(targetRef),
            direction: 'inbound',
            window: interval,
            at,
          });
          answers.set(interval, result);
        }),
    );
    // One report per cluster, however many intervals were asked.
    const failed = [...answers.values()].find(a => a.report.status !== 'ok');
    if (failed) sources.push(failed.report);
    return canaries.map(c => ({
      ...c,
      metrics: c.metrics.map(m => {
        if (!m.builtIn) return m;
        const interval = m.interval ?? '1m';
        if (!(PROMQL_DURATIONS as readonly string[]).includes(interval)) {
          return judgeCanaryMetric(
            m,
            null,
            `interval ${interval} is not one Mesh Posture queries (${PROMQL_DURATIONS.join(
              ', ',
            )})`,
          );
        }
        const answer = answers.get(interval);
        if (!answer?.value) {
          return judgeCanaryMetric(
            m,
            null,
            `Prometheus on ${cluster.name}: ${
              answer?.report.message ?? answer?.report.status
            }`,
          );
        }
        const ref = targetRef(c);
        const parts = answer.value.summaries.filter(
          s =>
            s.workload.namespace === ref.namespace &&
            s.workload.name === ref.name,
        );
        const summary = summarizeTraffic(parts, durationSeconds(interval));
        if (summary.requests === 0) return judgeCanaryMetric(m, null);
        if (m.name === 'request-success-rate') {
          return judgeCanaryMetric(
            m,
            flaggerSuccessPercent(
              this.options.registry.adapterOf(cluster),
              summary,
            ),
          );
        }
        // As Flagger's histogram_quantile: from the merged buckets, however
        // few the requests (the signals card is stricter).
        return judgeCanaryMetric(
          m,
          histogramQuantile(
            0.99,
            mergeBuckets(parts.map(p => p.latencyBuckets)),
          ),
        );
      }),
    }));
  }
}
