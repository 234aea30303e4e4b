import { LoggerService } from '@backstage/backend-plugin-api';
import {
  assessPosture,
  AssessedPosture,
  CertificateStatus,
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
} from '@mesh-posture/plugin-mesh-posture-node';
import { WorkloadTarget } from './resolveWorkloadTarget';
import { workloadsFromPods } from './workloadsFromPods';

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
  const pods = expectArray<KubernetesPod>(value, 'pods');
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

function checkTraffic(value: unknown): TrafficObservation[] {
  const lines = expectArray<TrafficObservation>(value, 'traffic observations');
  for (const t of lines) {
    if (
      typeof t !== 'object' ||
      t === null ||
      (t.direction !== 'inbound' && t.direction !== 'outbound') ||
      typeof t.mtls !== 'boolean' ||
      typeof t.requestsPerSecond !== 'number' ||
      typeof t.peer !== 'object' ||
      typeof t.workload?.name !== 'string'
    ) {
      throw new SourceError(
        'invalid-response',
        'a traffic observation is malformed',
      );
    }
  }
  return lines;
}

function checkCertificates(value: unknown): CertificateStatus[] {
  const certs = expectArray<CertificateStatus>(value, 'certificates');
  for (const c of certs) {
    if (
      typeof c?.notAfter !== 'string' ||
      typeof c?.daysToExpiry !== 'number'
    ) {
      throw new SourceError('invalid-response', 'a certificate is malformed');
    }
  }
  return certs;
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

/**
 * Asks each cluster's sources about one entity's workloads, under a
 * deadline, and turns the answers into the assessed posture. A source that
 * fails, hangs or returns garbage becomes a named gap; the rest still counts.
 */
export class PostureAssembler {
  private readonly providers: MeshClusterProvider[];
  private readonly sourceTimeoutMs: number;
  private readonly logger: LoggerService;
  private readonly now: () => Date;

  constructor(options: {
    providers: MeshClusterProvider[];
    sourceTimeoutMs: number;
    logger: LoggerService;
    now?: () => Date;
  }) {
    this.providers = options.providers;
    this.sourceTimeoutMs = options.sourceTimeoutMs;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
  }

  /** Every cluster of every provider; a provider that fails is logged and skipped. */
  async clusters(): Promise<MeshCluster[]> {
    const lists = await Promise.all(
      this.providers.map(p =>
        p.getClusters().catch(error => {
          this.logger.warn(
            `Mesh cluster provider failed: ${safeMessage(error)}`,
          );
          return [] as MeshCluster[];
        }),
      ),
    );
    const byName = new Map<string, MeshCluster>();
    for (const cluster of lists.flat()) {
      if (byName.has(cluster.name)) {
        this.logger.warn(
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

    const sources: SourceReport[] = [];
    const workloads: WorkloadPosture[] = [];
    const traffic: TrafficObservation[] = [];
    const certificates: CertificateStatus[] = [];

    const results = await Promise.all(
      [...wanted].sort().map(async name => {
        const cluster = all.find(c => c.name === name);
        if (!cluster) {
          return {
            workloads: [],
            traffic: [],
            certificates: [],
            sources: [
              {
                role: 'kubernetes' as const,
                cluster: name,
                status: 'unavailable' as const,
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
    for (const r of results) {
      workloads.push(...r.workloads);
      traffic.push(...r.traffic);
      certificates.push(...r.certificates);
      sources.push(...r.sources);
    }

    return assessPosture({
      entityRef,
      window,
      generatedAt,
      workloads,
      traffic,
      certificates,
      sources,
    });
  }

  private async assembleCluster(
    cluster: MeshCluster,
    target: WorkloadTarget,
    window: string,
    at: Date,
  ) {
    const sources: SourceReport[] = [];
    let workloads: WorkloadPosture[] = [];
    let traffic: TrafficObservation[] = [];
    let certificates: CertificateStatus[] = [];
    const explicit = target.explicit.filter(w => w.cluster === cluster.name);
    const clusterSelected = !target.cluster || target.cluster === cluster.name;

    if (target.selector && clusterSelected) {
      if (!cluster.objects) {
        sources.push(
          this.unconfigured(
            cluster,
            'kubernetes',
            'no Kubernetes access configured',
          ),
        );
      } else {
        const objects = cluster.objects;
        const pods = await this.call(cluster, 'kubernetes', async signal =>
          checkPods(
            await objects.listPods(
              {
                cluster: cluster.name,
                namespace: target.namespace,
                selector: target.selector!,
              },
              { signal },
            ),
          ),
        );
        let report = pods.report;
        if (pods.value) {
          workloads = workloadsFromPods(pods.value, cluster.name, cluster.mesh);
        }
        if (workloads.length > 0 || explicit.length > 0) {
          const certs = await this.call(cluster, 'kubernetes', async signal =>
            checkCertificates(
              await objects.listMeshCertificates(cluster.name, { signal }),
            ),
          );
          if (certs.report.status !== 'ok') {
            certs.report.message = `certificates: ${certs.report.message}`;
          }
          certificates = certs.value ?? [];
          report = mergeReports(report, certs.report);
        }
        sources.push(report);
      }
    }

    const refs: WorkloadRef[] = [
      ...workloads.map(w => w.workload),
      ...explicit.filter(
        e =>
          !workloads.some(
            w =>
              w.workload.namespace === e.namespace &&
              w.workload.kind === e.kind &&
              w.workload.name === e.name,
          ),
      ),
    ];
    if (refs.length > 0) {
      if (!cluster.telemetry) {
        sources.push(
          this.unconfigured(cluster, 'prometheus', 'no Prometheus configured'),
        );
      } else {
        const telemetry = cluster.telemetry;
        const result = await this.call(cluster, 'prometheus', async signal =>
          checkTraffic(
            await telemetry.workloadTraffic(
              {
                cluster: cluster.name,
                mesh: cluster.mesh,
                workloads: refs,
                window,
                at,
              },
              { signal },
            ),
          ),
        );
        traffic = result.value ?? [];
        sources.push(result.report);
      }
    }
    return { workloads, traffic, certificates, sources };
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
    const controller = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new SourceError(
            'timeout',
            `no answer within ${this.sourceTimeoutMs} ms`,
          ),
        );
      }, this.sourceTimeoutMs);
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
      this.logger.warn(
        `Mesh posture source ${role} on cluster ${cluster.name} failed: ${failure.status}: ${failure.message}`,
      );
      return { report: failure };
    } finally {
      clearTimeout(timer);
    }
  }
}
