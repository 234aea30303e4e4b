import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AdmittedIdentity,
  assessPosture,
  AssessedPosture,
  CertificateStatus,
  DeniedCaller,
  MeshGap,
  PortAuthorization,
  SourceReport,
  SourceRole,
  TrafficObservation,
  WorkloadPosture,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  KubernetesPod,
  MeshCluster,
  MeshClusterProvider,
  SourceError,
  WorkloadTelemetry,
} from '@mesh-posture/plugin-mesh-posture-node';
import { statusOf } from '../mesh/certificates';
import { identityMatches } from '../mesh/identities';
import {
  MeshObjectAdapter,
  meshObjectAdapters,
  MeshObjects,
} from '../mesh/MeshAdapter';
import { WorkloadTarget } from './resolveWorkloadTarget';
import { groupPodsByWorkload, PodGroup } from './workloadsFromPods';

type CallResult<T> = { value?: T; report: SourceReport };

/** Strips what could be a credential out of an error message before users see it. */
function safeMessage(error: unknown): string {
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

function expectArray<T>(value: unknown, what: string): T[] {
  if (!Array.isArray(value)) {
    throw new SourceError('invalid-response', `expected a list of ${what}`);
  }
  return value as T[];
}

function checkPods(value: unknown): KubernetesPod[] {
  const pods = expectArray<KubernetesPod>(value ?? [], 'pods');
  for (const pod of pods) {
    if (
      typeof pod !== 'object' ||
      pod === null ||
      typeof pod.metadata?.name !== 'string' ||
      typeof pod.metadata?.namespace !== 'string'
    ) {
      throw new SourceError(
        'invalid-response',
        'a pod has no name or namespace',
      );
    }
  }
  return pods;
}

function checkTelemetry(value: unknown): WorkloadTelemetry {
  const t = value as WorkloadTelemetry;
  if (typeof t !== 'object' || t === null) {
    throw new SourceError('invalid-response', 'telemetry is not an object');
  }
  for (const line of expectArray<TrafficObservation>(
    t.traffic,
    'traffic observations',
  )) {
    if (
      typeof line !== 'object' ||
      line === null ||
      (line.direction !== 'inbound' && line.direction !== 'outbound') ||
      typeof line.mtls !== 'boolean' ||
      typeof line.requestsPerSecond !== 'number' ||
      typeof line.peer !== 'object' ||
      typeof line.workload?.name !== 'string'
    ) {
      throw new SourceError(
        'invalid-response',
        'a traffic observation is malformed',
      );
    }
  }
  for (const c of expectArray<any>(t.callers, 'callers')) {
    if (typeof c?.identity !== 'string' || typeof c?.count !== 'number') {
      throw new SourceError('invalid-response', 'a caller is malformed');
    }
  }
  for (const d of expectArray<any>(t.decisions, 'authorization decisions')) {
    if (
      (d?.decision !== 'allow' && d?.decision !== 'deny') ||
      typeof d?.count !== 'number'
    ) {
      throw new SourceError(
        'invalid-response',
        'an authorization decision is malformed',
      );
    }
  }
  expectArray(t.workloadCertificates, 'workload certificates');
  expectArray(t.meshCertificates, 'mesh certificates');
  expectArray(t.gaps, 'gaps');
  return t;
}

/** Merges two reports of one role and cluster: the first failure wins. */
function mergeReports(a: SourceReport, b: SourceReport): SourceReport {
  const failed = a.status !== 'ok' ? a : b;
  return {
    ...a,
    status: failed.status,
    ...(failed.message ? { message: failed.message } : {}),
    durationMs: a.durationMs + b.durationMs,
  };
}

interface ClusterFacts {
  workloads: WorkloadPosture[];
  traffic: TrafficObservation[];
  certificates: CertificateStatus[];
  authorization: PortAuthorization[];
  admittedIdentities: AdmittedIdentity[];
  deniedCallers: DeniedCaller[];
  gaps: MeshGap[];
  sources: SourceReport[];
}

const EMPTY_FACTS: Omit<ClusterFacts, 'sources'> = {
  workloads: [],
  traffic: [],
  certificates: [],
  authorization: [],
  admittedIdentities: [],
  deniedCallers: [],
  gaps: [],
};

export interface PostureAssemblerOptions {
  providers: MeshClusterProvider[];
  sourceTimeoutMs: number;
  logger: LoggerService;
  /** How far back to look for the identities that call a workload, e.g. `7d`. */
  callerWindow: string;
  /** History the telemetry must hold before "never seen calling" is judged. */
  minimumCallerHistoryMs: number;
  adapters?: Record<MeshCluster['mesh'], MeshObjectAdapter>;
  now?: () => Date;
}

/**
 * Asks each cluster's sources about one entity's workloads, under a
 * deadline, and turns the answers into the assessed posture. A source that
 * fails, hangs or returns garbage becomes a named gap; the rest still counts.
 */
export class PostureAssembler {
  private readonly options: PostureAssemblerOptions;
  private readonly adapters: Record<MeshCluster['mesh'], MeshObjectAdapter>;

  constructor(options: PostureAssemblerOptions) {
    this.options = options;
    this.adapters = options.adapters ?? meshObjectAdapters;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Every cluster of every provider; a provider that fails is logged and skipped. */
  async clusters(): Promise<MeshCluster[]> {
    const lists = await Promise.all(
      this.options.providers.map(p =>
        p.getClusters().catch(error => {
          this.options.logger.warn(
            `Mesh cluster provider failed: ${safeMessage(error)}`,
          );
          return [] as MeshCluster[];
        }),
      ),
    );
    const byName = new Map<string, MeshCluster>();
    for (const cluster of lists.flat()) {
      if (byName.has(cluster.name)) {
        this.options.logger.warn(
          `Mesh cluster ${cluster.name} is provided twice; using the first`,
        );
      } else {
        byName.set(cluster.name, cluster);
      }
    }
    return [...byName.values()];
  }

  async assemble(
    entityRef: string,
    target: WorkloadTarget,
    window: string,
  ): Promise<AssessedPosture> {
    const generatedAt = this.now();
    const all = await this.clusters();
    const wanted = new Set<string>();
    if (target.cluster) {
      wanted.add(target.cluster);
    } else if (target.selector) {
      all.forEach(c => wanted.add(c.name));
    }
    target.explicit.forEach(w => wanted.add(w.cluster));

    const results = await Promise.all(
      [...wanted].sort().map(async (name): Promise<ClusterFacts> => {
        const cluster = all.find(c => c.name === name);
        if (!cluster) {
          return {
            ...EMPTY_FACTS,
            sources: [
              {
                role: 'kubernetes',
                cluster: name,
                status: 'unavailable',
                message: `cluster "${name}" is not configured for Mesh Posture`,
                demo: false,
                durationMs: 0,
              },
            ],
          };
        }
        return this.assembleCluster(cluster, target, window, generatedAt);
      }),
    );
    const merged = (key: keyof ClusterFacts) =>
      results.flatMap(r => r[key] as any[]);

    return assessPosture({
      entityRef,
      window,
      generatedAt,
      workloads: merged('workloads'),
      traffic: merged('traffic'),
      certificates: merged('certificates'),
      authorization: merged('authorization'),
      admittedIdentities: merged('admittedIdentities'),
      deniedCallers: merged('deniedCallers'),
      callerWindow: this.options.callerWindow,
      gaps: merged('gaps'),
      sources: merged('sources'),
    });
  }

  private async assembleCluster(
    cluster: MeshCluster,
    target: WorkloadTarget,
    window: string,
    at: Date,
  ): Promise<ClusterFacts> {
    const sources: SourceReport[] = [];
    const explicit = target.explicit.filter(w => w.cluster === cluster.name);
    const clusterSelected = !target.cluster || target.cluster === cluster.name;

    // 1. The pods, which say which workloads there are.
    let groups: PodGroup[] = [];
    let kubernetesReport: SourceReport | undefined;
    if (target.selector && clusterSelected) {
      if (!cluster.objects) {
        kubernetesReport = this.unconfigured(
          cluster,
          'kubernetes',
          'no Kubernetes access configured',
        );
      } else {
        const objects = cluster.objects;
        const pods = await this.call(cluster, 'kubernetes', async signal =>
          checkPods(
            await objects.list(
              {
                cluster: cluster.name,
                apiVersion: 'v1',
                resource: 'pods',
                namespace: target.namespace,
                selector: target.selector!,
              },
              { signal },
            ),
          ),
        );
        kubernetesReport = pods.report;
        groups = groupPodsByWorkload(
          pods.value ?? [],
          cluster.name,
          cluster.mesh,
        );
      }
    }

    const refs: WorkloadRef[] = [
      ...groups.map(g => g.workload.workload),
      ...explicit.filter(
        e =>
          !groups.some(
            g =>
              g.workload.workload.namespace === e.namespace &&
              g.workload.workload.kind === e.kind &&
              g.workload.workload.name === e.name,
          ),
      ),
    ];
    const namespaces = [...new Set(refs.map(r => r.namespace))];

    // 2. The mesh's objects and its telemetry, side by side.
    const adapter = this.adapters[cluster.mesh];
    const [meshObjects, telemetry] = await Promise.all([
      cluster.objects && groups.length > 0
        ? this.call(cluster, 'kubernetes', signal =>
            adapter.read(cluster.objects!, cluster, namespaces, at, signal),
          )
        : Promise.resolve(undefined as CallResult<MeshObjects> | undefined),
      refs.length > 0 && cluster.telemetry
        ? this.call(cluster, 'prometheus', async signal =>
            checkTelemetry(
              await cluster.telemetry!.workloadTelemetry(
                {
                  cluster: cluster.name,
                  mesh: cluster.mesh,
                  workloads: refs,
                  window,
                  callerWindow: this.options.callerWindow,
                  at,
                },
                { signal },
              ),
            ),
          )
        : Promise.resolve(
            undefined as CallResult<WorkloadTelemetry> | undefined,
          ),
    ]);
    if (kubernetesReport) {
      sources.push(
        meshObjects
          ? mergeReports(kubernetesReport, meshObjects.report)
          : kubernetesReport,
      );
    }
    if (refs.length > 0) {
      sources.push(
        telemetry?.report ??
          this.unconfigured(cluster, 'prometheus', 'no Prometheus configured'),
      );
    }

    // 3. Judge each workload's authorization against what was seen.
    const t = telemetry?.value;
    const historyShort =
      !t?.historyFrom ||
      at.getTime() - t.historyFrom.getTime() <
        this.options.minimumCallerHistoryMs;
    const authorization: PortAuthorization[] = [];
    const admittedIdentities: AdmittedIdentity[] = [];
    const gaps: MeshGap[] = [
      ...(meshObjects?.value?.gaps ?? []),
      ...(t?.gaps ?? []),
    ];
    for (const group of groups) {
      const evaluation = meshObjects?.value?.evaluate(
        group.workload.workload,
        group.pods,
      );
      if (!evaluation) continue;
      authorization.push(...evaluation.ports);
      for (const note of evaluation.notes) {
        gaps.push({
          topic: 'authorization',
          cluster: cluster.name,
          message: note,
        });
      }
      const seenHere = (t?.callers ?? []).filter(
        c =>
          c.workload.name === group.workload.workload.name &&
          c.workload.namespace === group.workload.workload.namespace &&
          c.count > 0,
      );
      for (const a of evaluation.admitted) {
        // Seen is certain; never seen is only judged on enough history.
        let seen: boolean | null = null;
        if (seenHere.some(c => identityMatches(a.identity, c.identity))) {
          seen = true;
        } else if (t && !historyShort) {
          seen = false;
        }
        admittedIdentities.push({
          workload: group.workload.workload,
          identity: a.identity,
          grantedBy: a.grantedBy,
          seen,
        });
      }
    }
    if (t && historyShort && admittedIdentities.some(a => a.seen === null)) {
      const hours = t.historyFrom
        ? Math.floor((at.getTime() - t.historyFrom.getTime()) / 3600_000)
        : 0;
      gaps.push({
        topic: 'callers',
        cluster: cluster.name,
        message: `telemetry holds ${hours} h of history; judging "never seen calling" needs ${Math.round(
          this.options.minimumCallerHistoryMs / 3600_000,
        )} h`,
      });
    }

    const deniedCallers: DeniedCaller[] = (t?.decisions ?? [])
      .filter(d => d.decision === 'deny' && d.count > 0)
      .map(d => ({
        workload: d.workload,
        ...(d.identity ? { identity: d.identity } : {}),
        ...(d.server || d.route
          ? { policy: [d.server, d.route].filter(Boolean).join(' ') }
          : {}),
        count: d.count,
        protocol: d.protocol,
      }));

    const certificates = [
      ...(meshObjects?.value?.certificates ?? []),
      ...(t?.meshCertificates ?? []),
      ...(t?.workloadCertificates ?? []).map(c =>
        statusOf(
          {
            subject: `${c.workload.namespace}/${c.workload.name}`,
            notAfter: c.notAfter,
          },
          {
            cluster: cluster.name,
            mesh: cluster.mesh,
            role: 'workload',
            location:
              'proxy metric control_identity_cert_expiration_timestamp_seconds',
            now: at,
          },
        ),
      ),
    ];

    const issuerUnknown = meshObjects?.value?.issuerUnknown;
    if (issuerUnknown && !certificates.some(c => c.role === 'issuer')) {
      gaps.push({
        topic: 'certificates',
        cluster: cluster.name,
        message: issuerUnknown,
      });
    }

    return {
      workloads: groups.map(g => g.workload),
      traffic: t?.traffic ?? [],
      certificates,
      authorization,
      admittedIdentities,
      deniedCallers,
      gaps,
      sources,
    };
  }

  private unconfigured(
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

  /** Runs one source call under the deadline and reports how it went. */
  private async call<T>(
    cluster: MeshCluster,
    role: SourceRole,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<CallResult<T>> {
    const { sourceTimeoutMs, logger } = this.options;
    const controller = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new SourceError('timeout', `no answer within ${sourceTimeoutMs} ms`),
        );
      }, sourceTimeoutMs);
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
