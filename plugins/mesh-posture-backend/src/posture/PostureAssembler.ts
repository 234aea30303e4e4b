import { telemetryInParts } from '../mesh/inParts';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AdmittedIdentity,
  assessPosture,
  AssessedPosture,
  CertificateStatus,
  DeniedCaller,
  EgressPolicy,
  EgressPosture,
  RefusedCall,
  MeshGap,
  NetworkIsolation,
  PortAuthorization,
  SourceReport,
  TrafficObservation,
  WorkloadPosture,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  MeshCluster,
  SourceError,
  statusOf,
  WorkloadTelemetry,
} from '@mesh-posture/plugin-mesh-posture-node';
import { identityMatches } from '../mesh/identities';
import { MeshObjectAdapter, MeshObjects } from '../mesh/MeshAdapter';
import { VersionedLister } from '../mesh/objects';
import {
  NetworkPolicyReading,
  readNetworkPolicies,
} from '../network/networkPolicy';
import { historyLookbackHours } from '../prometheus/promql';
import { pickByKey } from './pickByKey';
import { durationSeconds } from '../mesh/signalParts';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { inboundOfUnmeshed, nameUnidentifiedCallers } from './clientSide';
import {
  CallResult,
  mergeReports,
  SourceCaller,
} from '../sources/SourceCaller';
import { WorkloadTarget } from './resolveWorkloadTarget';
import {
  ClusterWorkloads,
  resolveEntityWorkloads,
  resolveManyEntityWorkloads,
  ResolvedWorkloads,
  splitByProxy,
  uniqueRefs,
  workloadsByCluster,
} from './resolveWorkloads';

function expectArray<T>(value: unknown, what: string): T[] {
  if (!Array.isArray(value)) {
    throw new SourceError('invalid-response', `expected a list of ${what}`);
  }
  return value as T[];
}

/** Telemetry with every optional list filled in: absent means none. */
type Telemetry = WorkloadTelemetry &
  Required<Pick<WorkloadTelemetry, 'workloadHistory' | 'clientReported'>>;

/** The same workload: namespace, kind and name (a CronJob and a Deployment may share a name). */
const sameRef = (a: WorkloadRef, b: WorkloadRef) =>
  a.namespace === b.namespace && a.kind === b.kind && a.name === b.name;
const refKey = (w: WorkloadRef) => `${w.namespace}/${w.kind}/${w.name}`;

/** A TCP line carries its bytes and connections; other lines carry neither. */
function tcpWellFormed(line: TrafficObservation): boolean {
  if (
    line.protocol === undefined ||
    line.protocol === 'http' ||
    line.protocol === 'grpc'
  ) {
    return line.tcp === undefined;
  }
  return (
    line.protocol === 'tcp' &&
    typeof line.tcp?.bytesPerSecond === 'number' &&
    typeof line.tcp?.openConnections === 'number'
  );
}

function checkTelemetry(value: unknown): Telemetry {
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
      typeof line.workload?.name !== 'string' ||
      !tcpWellFormed(line)
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
  for (const h of expectArray<any>(
    t.workloadHistory ?? [],
    'workload histories',
  )) {
    if (
      !(h?.from instanceof Date) ||
      !(h?.until instanceof Date) ||
      typeof h?.workload?.name !== 'string'
    ) {
      throw new SourceError(
        'invalid-response',
        'a workload history is malformed',
      );
    }
  }
  for (const c of expectArray<TrafficObservation>(
    t.clientReported ?? [],
    'client-reported traffic',
  )) {
    if (
      typeof c?.requestsPerSecond !== 'number' ||
      typeof c?.workload?.name !== 'string' ||
      typeof c?.peer !== 'object' ||
      !tcpWellFormed(c)
    ) {
      throw new SourceError(
        'invalid-response',
        'a client-reported observation is malformed',
      );
    }
  }
  for (const c of expectArray<any>(t.egressCalls ?? [], 'egress calls')) {
    if (
      typeof c?.workload?.name !== 'string' ||
      typeof c?.count !== 'number' ||
      typeof c?.via !== 'string' ||
      !['declared', 'passthrough', 'blocked', 'gateway'].includes(c?.route) ||
      !['http', 'grpc', 'tls', 'tcp'].includes(c?.protocol)
    ) {
      throw new SourceError('invalid-response', 'an egress call is malformed');
    }
  }
  for (const r of expectArray<any>(t.refusedCalls ?? [], 'refused calls')) {
    if (
      typeof r?.workload?.name !== 'string' ||
      typeof r?.peer?.workload !== 'string' ||
      typeof r?.peer?.namespace !== 'string' ||
      typeof r?.count !== 'number' ||
      (r?.protocol !== 'http' && r?.protocol !== 'grpc')
    ) {
      throw new SourceError('invalid-response', 'a refused call is malformed');
    }
  }
  return {
    ...t,
    workloadHistory: t.workloadHistory ?? [],
    clientReported: t.clientReported ?? [],
  };
}

interface ClusterFacts {
  workloads: WorkloadPosture[];
  traffic: TrafficObservation[];
  certificates: CertificateStatus[];
  authorization: PortAuthorization[];
  admittedIdentities: AdmittedIdentity[];
  deniedCallers: DeniedCaller[];
  /** Undefined where the cluster's mesh cannot tell refusals apart. */
  refusedCalls?: RefusedCall[];
  /** Undefined where the cluster's network policies were not read. */
  networkIsolation?: NetworkIsolation[];
  /** Undefined where its egress objects or calls out were not read. */
  egress?: EgressPosture;
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

interface ClusterReadings {
  /** The mesh's objects and, read in the same call, the network policies. */
  meshObjects?: CallResult<MeshObjects & { network: NetworkPolicyReading }>;
  telemetry?: CallResult<Telemetry>;
}

/**
 * The part of a batch's telemetry about some workloads, as if they had been
 * asked about alone.
 */
const keyOfItem = (item: { workload: WorkloadRef }) => refKey(item.workload);

/** The part of a cluster's telemetry about some workloads. */
function onlyRefs(t: Telemetry, refs: WorkloadRef[]): Telemetry {
  const wanted = new Set(refs.map(refKey));
  const ours = <T extends { workload: WorkloadRef }>(list: T[]) =>
    pickByKey(list, keyOfItem, wanted);
  return {
    ...t,
    traffic: ours(t.traffic),
    callers: ours(t.callers),
    decisions: ours(t.decisions),
    workloadCertificates: ours(t.workloadCertificates),
    workloadHistory: ours(t.workloadHistory),
    clientReported: ours(t.clientReported),
    ...(t.refusedCalls ? { refusedCalls: ours(t.refusedCalls) } : {}),
    ...(t.egressCalls ? { egressCalls: ours(t.egressCalls) } : {}),
  };
}

const HOUR = 3600_000;

/**
 * The refusals of the identity each workload's own pods present: the
 * telemetry pairs a caller's refusals with denials of any identity of its
 * namespace, and only the pods tell which one is the caller's. A workload
 * whose identity is not known keeps none.
 */
function ownRefusals(
  calls: RefusedCall[],
  groups: ClusterWorkloads['groups'],
): RefusedCall[] {
  const identities = new Map(
    groups.map(g => [refKey(g.workload.workload), g.workload.identity]),
  );
  return calls.filter(
    c => c.identity && identities.get(refKey(c.workload)) === c.identity,
  );
}

export interface PostureAssemblerOptions {
  /** The clusters, shared with every service that reads them. */
  registry: ClusterRegistry;
  /** Calls sources under the deadline; shared, so usage is counted once. */
  caller: SourceCaller;
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
  private readonly registry: ClusterRegistry;
  private readonly caller: SourceCaller;
  /** Remembers per cluster which NetworkPolicy API versions answered. */
  private readonly networkLister = new VersionedLister();

  constructor(options: PostureAssemblerOptions) {
    this.options = options;
    this.adapters =
      options.adapters ?? options.registry.meshes.objectAdapters();
    this.registry = options.registry;
    this.caller = options.caller;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async assemble(
    entityRef: string,
    target: WorkloadTarget,
    window: string,
  ): Promise<AssessedPosture> {
    const generatedAt = this.now();
    const { clusters, missing } = await resolveEntityWorkloads(
      this.registry,
      this.caller,
      target,
    );
    const facts = await Promise.all(
      clusters.map(async c =>
        this.judgeCluster(
          c,
          await this.readCluster(c.cluster, [c], window, generatedAt),
          generatedAt,
        ),
      ),
    );
    return this.finish(entityRef, window, generatedAt, facts, missing);
  }

  /**
   * The postures of many entities at once: each cluster's pods listed once,
   * its mesh objects read once for all namespaces involved, and its
   * telemetry asked once for all workloads, so the number of queries does
   * not grow with the number of entities. Each posture equals what
   * `assemble` gives for the entity alone.
   */
  /**
   * The workloads of many entities, each cluster's pods listed once; what
   * `assembleMany` reads posture for (a caller may read more alongside).
   */
  resolveMany(targets: WorkloadTarget[]): Promise<ResolvedWorkloads> {
    return resolveManyEntityWorkloads(this.registry, this.caller, targets);
  }

  async assembleMany(
    entities: Array<{ entityRef: string; target: WorkloadTarget }>,
    window: string,
    /** The entities' workloads from `resolveMany`, in the same order. */
    resolvedWorkloads?: ResolvedWorkloads,
  ): Promise<
    Array<{
      entityRef: string;
      posture: AssessedPosture;
      clusters: ClusterWorkloads[];
    }>
  > {
    const generatedAt = this.now();
    const resolved =
      resolvedWorkloads ??
      (await this.resolveMany(entities.map(e => e.target)));
    const byCluster = workloadsByCluster(resolved);
    const readings = new Map(
      await Promise.all(
        [...byCluster.values()].map(
          async found =>
            [
              found[0].cluster.name,
              await this.readCluster(
                found[0].cluster,
                found,
                window,
                generatedAt,
              ),
            ] as const,
        ),
      ),
    );
    return entities.map((e, i) => {
      const { clusters, missing } = resolved[i];
      const facts = clusters.map(c =>
        this.judgeCluster(c, readings.get(c.cluster.name)!, generatedAt),
      );
      return {
        entityRef: e.entityRef,
        posture: this.finish(e.entityRef, window, generatedAt, facts, missing),
        clusters,
      };
    });
  }

  private finish(
    entityRef: string,
    window: string,
    generatedAt: Date,
    facts: ClusterFacts[],
    missing: SourceReport[],
  ): AssessedPosture {
    const results: ClusterFacts[] = [
      ...facts,
      ...missing.map(report => ({ ...EMPTY_FACTS, sources: [report] })),
    ].sort((a, b) =>
      (a.sources[0]?.cluster ?? '').localeCompare(b.sources[0]?.cluster ?? ''),
    );
    const merged = (key: keyof ClusterFacts) =>
      results.flatMap(r => (r[key] ?? []) as any[]);
    // Judged only where every cluster with workloads was read: one that
    // was not cannot be vouched for by the others.
    const withWorkloads = results.filter(r => r.workloads.length > 0);
    const networkRead =
      withWorkloads.length > 0 &&
      withWorkloads.every(r => r.networkIsolation !== undefined);
    const refusalsRead =
      withWorkloads.length > 0 &&
      withWorkloads.every(r => r.refusedCalls !== undefined);
    const egressRead =
      withWorkloads.length > 0 &&
      withWorkloads.every(r => r.egress !== undefined);

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
      ...(networkRead ? { networkIsolation: merged('networkIsolation') } : {}),
      ...(refusalsRead ? { refusedCalls: merged('refusedCalls') } : {}),
      ...(egressRead
        ? {
            egress: {
              policies: results.flatMap(r => r.egress?.policies ?? []),
              calls: results.flatMap(r => r.egress?.calls ?? []),
            },
          }
        : {}),
      callerWindow: this.options.callerWindow,
      gaps: merged('gaps'),
      sources: merged('sources'),
    });
  }

  /**
   * Reads one cluster's mesh objects and telemetry, side by side, for the
   * workloads of one or many entities.
   */
  private async readCluster(
    cluster: MeshCluster,
    found: ClusterWorkloads[],
    window: string,
    at: Date,
  ): Promise<ClusterReadings> {
    const refs = uniqueRefs(found.flatMap(f => f.refs));
    const namespaces = [...new Set(refs.map(r => r.namespace))].sort();
    const adapter = this.adapters[cluster.mesh];
    const [meshObjects, telemetry] = await Promise.all([
      cluster.objects && found.some(f => f.groups.length > 0)
        ? this.caller.call(cluster, 'kubernetes', async signal => {
            const [objects, network] = await Promise.all([
              adapter.read(cluster.objects!, cluster, namespaces, at, signal),
              readNetworkPolicies(
                cluster.objects!,
                cluster.name,
                this.networkLister,
                signal,
              ),
            ]);
            return { ...objects, network };
          })
        : Promise.resolve(undefined),
      refs.length > 0 && cluster.telemetry
        ? this.caller.call(cluster, 'prometheus', async signal =>
            checkTelemetry(
              await telemetryInParts(cluster.telemetry!).workloadTelemetry(
                {
                  cluster: cluster.name,
                  mesh: cluster.mesh,
                  workloads: refs,
                  window,
                  callerWindow: this.options.callerWindow,
                  historyHours: historyLookbackHours(
                    durationSeconds(this.options.callerWindow),
                    this.options.minimumCallerHistoryMs,
                  ),
                  at,
                },
                { signal },
              ),
            ),
          )
        : Promise.resolve(undefined),
    ]);
    return { meshObjects, telemetry };
  }

  /** One entity's facts in one cluster, from the cluster's readings. */
  private judgeCluster(
    found: ClusterWorkloads,
    readings: ClusterReadings,
    at: Date,
  ): ClusterFacts {
    const { cluster, groups, refs, kubernetes: kubernetesReport } = found;
    // A batch reads a cluster for every entity; an entity with no workloads
    // there takes nothing from it, exactly as if it had been asked alone.
    const meshObjects = groups.length > 0 ? readings.meshObjects : undefined;
    const telemetry = refs.length > 0 ? readings.telemetry : undefined;
    const sources: SourceReport[] = [];
    if (kubernetesReport) {
      sources.push(
        meshObjects && groups.length > 0
          ? mergeReports(kubernetesReport, meshObjects.report)
          : kubernetesReport,
      );
    }
    if (refs.length > 0) {
      sources.push(
        telemetry?.report ??
          this.caller.unconfigured(
            cluster,
            'prometheus',
            'no Prometheus configured',
          ),
      );
    }

    // Judge each workload's authorization against what was seen.
    const t = telemetry?.value && onlyRefs(telemetry.value, refs);
    const historyOf = (w: WorkloadRef) =>
      t?.workloadHistory.find(h => sameRef(h.workload, w));
    // The probe sees whole hours: a history within one hour of the minimum
    // is the minimum, as far as it can tell.
    const needed = this.options.minimumCallerHistoryMs - HOUR;
    const shortOf = new Map<string, number>();
    const authorization: PortAuthorization[] = [];
    const admittedIdentities: AdmittedIdentity[] = [];
    const probeRoutes = new Map<string, Set<string>>();
    const podCertificates: CertificateStatus[] = [];
    const network = meshObjects?.value?.network;
    const gaps: MeshGap[] = [
      ...(meshObjects?.value?.gaps ?? []),
      ...(network?.gaps ?? []),
      ...(t?.gaps ?? []),
    ];
    const networkIsolation: NetworkIsolation[] = [];
    let networkRead = Boolean(network);
    const egressPolicies: EgressPolicy[] = [];
    for (const ns of new Set(groups.map(g => g.workload.workload.namespace))) {
      gaps.push(...(network?.namespaceGaps(ns) ?? []));
    }
    for (const group of groups) {
      let isolation: NetworkIsolation | undefined;
      try {
        isolation = network?.evaluate(group.workload, group.pods);
      } catch (error) {
        // One object nobody foresaw must not take the batch down with it.
        gaps.push({
          topic: 'network',
          cluster: cluster.name,
          message: `the network policies of ${
            group.workload.workload.namespace
          } could not be judged: ${String(
            (error as Error)?.message ?? error,
          ).slice(0, 160)}`,
        });
      }
      if (isolation) networkIsolation.push(isolation);
      else networkRead = false;
      const evaluation = meshObjects?.value?.evaluate(
        group.workload.workload,
        group.pods,
      );
      if (!evaluation) continue;
      if (evaluation.egress) egressPolicies.push(evaluation.egress);
      authorization.push(...evaluation.ports);
      podCertificates.push(...(evaluation.certificates ?? []));
      probeRoutes.set(
        refKey(group.workload.workload),
        new Set(evaluation.probeRoutes ?? []),
      );
      for (const note of evaluation.notes) {
        gaps.push({
          topic: 'authorization',
          cluster: cluster.name,
          message: note,
        });
      }
      const ref = group.workload.workload;
      const from = historyOf(ref)?.from;
      const held = from ? at.getTime() - from.getTime() : 0;
      const enough = Boolean(t && from) && held >= needed;
      const seenHere = (t?.callers ?? []).filter(
        c => sameRef(c.workload, ref) && c.count > 0,
      );
      for (const a of evaluation.admitted) {
        // Seen is certain; never seen is only judged on enough history.
        let seen: boolean | null = null;
        if (seenHere.some(c => identityMatches(a.identity, c.identity))) {
          seen = true;
        } else if (enough) {
          seen = false;
        }
        if (seen === null && t) {
          shortOf.set(`${ref.namespace}/${ref.name}`, held);
        }
        admittedIdentities.push({
          workload: ref,
          identity: a.identity,
          grantedBy: a.grantedBy,
          seen,
        });
      }
    }
    if (shortOf.size > 0) {
      const hours = Math.floor(Math.min(...shortOf.values()) / HOUR);
      gaps.push({
        topic: 'callers',
        cluster: cluster.name,
        message: `telemetry holds ${hours} h of history${
          shortOf.size === 1 ? ` of ${[...shortOf.keys()][0]}` : ''
        }; judging "never seen calling" needs ${Math.round(
          this.options.minimumCallerHistoryMs / HOUR,
        )} h`,
      });
    }

    // A workload without a proxy is seen only by its callers' proxies; a
    // meshed one's plaintext callers are named from their side.
    const { proxyless: unmeshed } = splitByProxy(refs, groups);
    const isUnmeshed = (w: WorkloadRef) => unmeshed.some(u => sameRef(u, w));
    // Plaintext on a route that carries only kubelet probes is by design.
    const asProbe = (line: TrafficObservation): TrafficObservation =>
      line.direction === 'inbound' &&
      !line.mtls &&
      line.route &&
      probeRoutes.get(refKey(line.workload))?.has(line.route)
        ? { ...line, probe: true }
        : line;
    const traffic = t
      ? [
          ...nameUnidentifiedCallers(
            t.traffic.filter(line => !isUnmeshed(line.workload)).map(asProbe),
            t.clientReported,
          ),
          ...unmeshed.flatMap(u => inboundOfUnmeshed(u, t.clientReported)),
        ]
      : [];

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
      ...podCertificates,
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
            location: c.location ?? `${cluster.mesh} telemetry`,
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
      workloads: groups.map(g => {
        const history =
          g.workload.meshedPods > 0
            ? historyOf(g.workload.workload)
            : undefined;
        return history
          ? {
              ...g.workload,
              telemetryFrom: history.from.toISOString(),
              telemetryUntil: history.until.toISOString(),
            }
          : g.workload;
      }),
      traffic,
      certificates,
      authorization,
      admittedIdentities,
      deniedCallers,
      ...(t?.refusedCalls
        ? { refusedCalls: ownRefusals(t.refusedCalls, groups) }
        : {}),
      ...(networkRead ? { networkIsolation } : {}),
      // Calls out are the mesh's to tell; the policies, its objects'. A
      // workload whose policy is missing leaves the check unknown.
      ...(t?.egressCalls && meshObjects?.value
        ? { egress: { policies: egressPolicies, calls: t.egressCalls } }
        : {}),
      gaps,
      sources,
    };
  }
}
