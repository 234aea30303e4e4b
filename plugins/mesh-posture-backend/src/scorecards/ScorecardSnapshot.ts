import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  assessSlo,
  AssessedPosture,
  Dataflow,
  EntityScorecard,
  readSloAnnotations,
  ScoreCheck,
  scoreChecksFromPosture,
  scoreCheckFromCanaries,
  scoreCheckFromChecklists,
  scoreCheckFromSlo,
  ScorecardModel,
  scoreEntity,
  SIGNAL_WINDOW_SECONDS,
  SloAssessment,
  SourceReport,
  summarizeTraffic,
  WORKLOAD_ANNOTATIONS,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  canariesTargeting,
  readCanary,
} from '@mesh-posture/plugin-mesh-posture-node';
import type {
  KubernetesObject,
  MeshCluster,
  TrafficSignals,
} from '@mesh-posture/plugin-mesh-posture-node';
import { entityKey } from '../catalog/entityKey';
import { PeerEntities } from '../catalog/PeerEntities';
import type { ChecklistService } from '../checklists/ChecklistService';
import {
  ScorecardStore,
  type StoredCertificate,
} from '../database/ScorecardStore';
import { SourceCaller } from '../sources/SourceCaller';
import { PostureAssembler } from '../posture/PostureAssembler';
import {
  ClusterWorkloads,
  splitByProxy,
  uniqueRefs,
  workloadsByCluster,
} from '../posture/resolveWorkloads';
import {
  resolveWorkloadTarget,
  WorkloadTarget,
} from '../posture/resolveWorkloadTarget';
import { readWorkloadSignals, sloTargets } from '../signals/SignalsService';
import { mergeReports } from '../sources/SourceCaller';
import { pickByKey } from '../posture/pickByKey';
import { countingSourceUsage } from '@mesh-posture/plugin-mesh-posture-node';
import type { RunFindings } from '../notifications/notices';

const WINDOW = '1h' as const;

/** A workload's cluster, namespace and name, as the signals name it. */
const workloadKey = (w: { cluster: string; namespace: string; name: string }) =>
  `${w.cluster}/${w.namespace}/${w.name}`;
const signalKey = (s: TrafficSignals) => workloadKey(s.workload);

/** `role@cluster: status`, the short form runs and scorecards name failures in. */
function describeFailure(report: SourceReport): string {
  return `${report.role}@${report.cluster}: ${report.status}`;
}

/** Per cluster, what one batched read found, or why it failed. */
type ClusterAnswer<T> = Map<string, { value?: T; report: SourceReport }>;

interface EntityInRun {
  entity: Entity;
  entityRef: string;
  target?: WorkloadTarget;
  /** Why the entity could not be measured (a malformed annotation). */
  invalid?: string;
}

/**
 * One snapshot of the whole catalog: every entity that maps to workloads,
 * measured cluster by cluster with batched reads (one pod listing, one set
 * of mesh objects, one telemetry batch, one signals batch and one canary
 * listing per cluster, whatever the number of entities), scored, and stored
 * with the service-to-service flows it observed.
 */
export class ScorecardSnapshot {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      assembler: PostureAssembler;
      /** The same caller the assembler uses: one deadline, one usage count. */
      caller: SourceCaller;
      peers: PeerEntities;
      checklists?: ChecklistService;
      store: ScorecardStore;
      model: ScorecardModel;
      sloDefaults: { successRate: number; latencyP99Ms: number };
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Takes a snapshot and stores it; returns the stored run. */
  async run() {
    return (await this.runAndReport()).run;
  }

  /**
   * Takes a snapshot and stores it; returns the stored run and what it saw
   * beyond the scorecards (checklist deadlines, rollbacks) for the notifier.
   */
  async runAndReport() {
    const startedAt = this.now();
    const { value, usage } = await countingSourceUsage(() =>
      this.measure(startedAt),
    );
    const stored = await this.options.store.recordRun({
      startedAt,
      finishedAt: this.now(),
      prometheusQueries: usage.prometheusQueries,
      kubernetesReads: usage.kubernetesReads,
      failedSources: value.failedSources,
      scorecards: value.scorecards,
      flows: value.flows,
      certificates: value.certificates,
    });
    this.options.logger.info(
      `Scorecard snapshot ${stored.id}: ${stored.entities} entities, ${
        stored.prometheusQueries
      } Prometheus queries, ${stored.kubernetesReads} Kubernetes reads${
        value.failedSources.length
          ? `; failed: ${value.failedSources.join(', ')}`
          : ''
      }`,
    );
    return { run: stored, findings: value.findings };
  }

  /** Measures and scores every entity, without storing anything. */
  async measure(at: Date = this.now()): Promise<{
    scorecards: EntityScorecard[];
    flows: Array<Omit<Dataflow, 'at'>>;
    certificates: StoredCertificate[];
    failedSources: string[];
    findings: RunFindings;
  }> {
    const { assembler, auth, peers } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const entities = await this.entities(credentials);
    const measurable = entities.filter(
      (e): e is EntityInRun & { target: WorkloadTarget } => !!e.target,
    );
    // Workloads first; then posture, signals and canaries side by side.
    const resolved = await assembler.resolveMany(measurable.map(e => e.target));
    const clusters = workloadsByCluster(resolved);
    const [assembled, signals, canaries] = await Promise.all([
      assembler.assembleMany(
        measurable.map(e => ({ entityRef: e.entityRef, target: e.target })),
        WINDOW,
        resolved,
      ),
      this.readSignals(clusters, at),
      this.readCanaries(clusters),
    ]);
    const entityOfPeer = await peers.lookup(
      assembled.flatMap(a =>
        a.posture.edges.flatMap(e =>
          e.peer.workload ? [e.peer.workload] : [],
        ),
      ),
      credentials,
    );

    const scorecards: EntityScorecard[] = [];
    const flows: Array<Omit<Dataflow, 'at'>> = [];
    const certificates: StoredCertificate[] = [];
    const clusterCertificates = new Set<string>();
    const failed = new Set<string>();
    const findings: RunFindings = { checklists: [], canaryRollbacks: [] };
    const byRef = new Map(assembled.map(a => [a.entityRef, a]));
    for (const e of entities) {
      const found = byRef.get(e.entityRef);
      if (!found) {
        scorecards.push(
          this.unmeasured(e, e.invalid ?? 'no workload annotation'),
        );
        continue;
      }
      const card = await this.score(e, found, signals, canaries, findings);
      card.missing.forEach(m => failed.add(m));
      scorecards.push(card);
      for (const { daysToExpiry: _days, ...certificate } of found.posture
        .certificates) {
        if (certificate.role === 'workload') {
          certificates.push({ entityRef: e.entityRef, certificate });
          continue;
        }
        // A cluster's own certificate is read through every entity on it:
        // stored once.
        const key = JSON.stringify([
          certificate.cluster,
          certificate.mesh,
          certificate.role,
          certificate.subject,
          certificate.location,
          certificate.notAfter,
        ]);
        if (clusterCertificates.has(key)) continue;
        clusterCertificates.add(key);
        certificates.push({ certificate });
      }
      for (const edge of found.posture.edges) {
        // TCP carries no requests: its flows are measured in bytes.
        const bytes = edge.tcp?.bytesPerSecond ?? 0;
        if (edge.requestsPerSecond <= 0 && bytes <= 0) continue;
        const peerRef = edge.peer.workload
          ? entityOfPeer(edge.peer.workload)
          : undefined;
        flows.push({
          cluster: edge.workload.cluster,
          entityRef: e.entityRef,
          direction: edge.direction,
          workload: {
            namespace: edge.workload.namespace,
            name: edge.workload.name,
          },
          peer: { ...edge.peer, ...(peerRef ? { entityRef: peerRef } : {}) },
          ...(edge.protocol && edge.protocol !== 'http'
            ? { protocol: edge.protocol }
            : {}),
          requestsPerSecond: edge.requestsPerSecond,
          ...(edge.tcp ? { bytesPerSecond: bytes } : {}),
          mtlsShare: edge.mtlsShare,
          plaintextReasons: edge.plaintextReasons,
          ...(edge.unverifiedReasons
            ? { unverifiedReasons: edge.unverifiedReasons }
            : {}),
        });
      }
    }
    return {
      scorecards,
      flows,
      certificates,
      failedSources: [...failed].sort(),
      findings,
    };
  }

  /** Whether the catalog holds any entity with a workload annotation yet. */
  async hasEntities(): Promise<boolean> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.catalog.queryEntities(
      { filter: this.filter(), limit: 1, fields: ['metadata.name'] },
      { credentials },
    );
    return items.length > 0;
  }

  private filter() {
    return WORKLOAD_ANNOTATIONS.map(a => ({
      [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS,
    }));
  }

  /** Every entity with a workload annotation, with its target read. */
  private async entities(
    credentials: Awaited<ReturnType<AuthService['getOwnServiceCredentials']>>,
  ): Promise<EntityInRun[]> {
    const { items } = await this.options.catalog.getEntities(
      { filter: this.filter() },
      { credentials },
    );
    return items
      .map((entity): EntityInRun | undefined => {
        const entityRef = entityKey(entity);
        try {
          const target = resolveWorkloadTarget(entity);
          return target ? { entity, entityRef, target } : undefined;
        } catch (error) {
          return {
            entity,
            entityRef,
            invalid: String((error as Error).message).slice(0, 300),
          };
        }
      })
      .filter((e): e is EntityInRun => e !== undefined)
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }

  /** Inbound golden signals of every workload, one batched call per cluster. */
  private async readSignals(
    clusters: Map<string, ClusterWorkloads[]>,
    at: Date,
  ): Promise<ClusterAnswer<TrafficSignals[]>> {
    const { caller } = this.options;
    const answers: ClusterAnswer<TrafficSignals[]> = new Map();
    await Promise.all(
      [...clusters.values()].map(async found => {
        const cluster = found[0].cluster;
        const refs = uniqueRefs(found.flatMap(f => f.refs));
        if (refs.length === 0) return;
        // Workloads without a proxy are measured by their callers' proxies,
        // in one more batched call, as their signals card does.
        const { own, proxyless: unmeshed } = splitByProxy(
          refs,
          found.flatMap(f => f.groups),
        );
        const query = { direction: 'inbound' as const, window: WINDOW, at };
        const [mine, theirs] = await Promise.all([
          own.length > 0
            ? readWorkloadSignals(cluster, caller, { ...query, workloads: own })
            : undefined,
          unmeshed.length > 0
            ? readWorkloadSignals(cluster, caller, {
                ...query,
                workloads: unmeshed,
                observedBy: 'callers',
              })
            : undefined,
        ]);
        const results = [mine, theirs].filter(
          (r): r is NonNullable<typeof r> => r !== undefined,
        );
        const report = results
          .map(r => r.report)
          .reduce((a, b) => mergeReports(a, b));
        answers.set(cluster.name, {
          report,
          ...(results.every(r => r.value)
            ? { value: results.flatMap(r => r.value!.summaries) }
            : {}),
        });
      }),
    );
    return answers;
  }

  /** The Flagger canaries of every cluster, one listing per cluster. */
  private async readCanaries(
    clusters: Map<string, ClusterWorkloads[]>,
  ): Promise<ClusterAnswer<KubernetesObject[] | 'not-installed'>> {
    const { caller } = this.options;
    const answers: ClusterAnswer<KubernetesObject[] | 'not-installed'> =
      new Map();
    await Promise.all(
      [...clusters.values()].map(async found => {
        const cluster: MeshCluster = found[0].cluster;
        if (!found.some(f => f.refs.length > 0)) return;
        if (!cluster.objects) {
          answers.set(cluster.name, {
            report: caller.unconfigured(
              cluster,
              'kubernetes',
              'no Kubernetes access configured',
            ),
          });
          return;
        }
        const objects = cluster.objects;
        const result = await caller.call(
          cluster,
          'kubernetes',
          async signal => {
            const list = await objects.list(
              {
                cluster: cluster.name,
                apiVersion: 'flagger.app/v1beta1',
                resource: 'canaries',
              },
              { signal },
            );
            return Array.isArray(list) ? list : ('not-installed' as const);
          },
        );
        answers.set(cluster.name, result);
      }),
    );
    return answers;
  }

  private async score(
    e: EntityInRun,
    found: { posture: AssessedPosture; clusters: ClusterWorkloads[] },
    signals: ClusterAnswer<TrafficSignals[]>,
    canaries: ClusterAnswer<KubernetesObject[] | 'not-installed'>,
    findings: RunFindings,
  ): Promise<EntityScorecard> {
    const { posture, clusters } = found;
    const refs = clusters.flatMap(c => c.refs);
    const refKeys = new Set(refs.map(workloadKey));
    const reports: SourceReport[] = [...posture.sources];

    // Golden signals against the entity's objectives.
    let slo: SloAssessment | undefined;
    let sloUnavailable: string | undefined;
    const parts: TrafficSignals[] = [];
    for (const c of clusters) {
      const answer = signals.get(c.cluster.name);
      if (!answer || c.refs.length === 0) continue;
      if (answer.report.status !== 'ok') reports.push(answer.report);
      if (!answer.value) {
        sloUnavailable = `signals unavailable: ${describeFailure(
          answer.report,
        )}`;
        continue;
      }
      parts.push(...pickByKey(answer.value, signalKey, refKeys));
    }
    const summary = summarizeTraffic(parts, SIGNAL_WINDOW_SECONDS[WINDOW]);
    // A cluster whose workloads could not be listed may carry traffic the
    // others do not show: the signals cover part of the entity at most.
    const unlisted = posture.sources.some(
      r => r.role === 'kubernetes' && r.status !== 'ok',
    );
    const complete = !sloUnavailable && !unlisted;
    const objectives = readSloAnnotations(e.entity);
    if (!objectives.ok) {
      sloUnavailable = objectives.error;
    } else if (!sloUnavailable && refs.length > 0) {
      slo = assessSlo(
        summary,
        sloTargets(objectives, this.options.sloDefaults),
        { complete },
      );
    }

    // Progressive delivery: the canaries that target the entity's workloads.
    let canaryNames: string[] | undefined = [];
    let canaryUnavailable: string | undefined;
    for (const c of clusters) {
      const answer = canaries.get(c.cluster.name);
      if (!answer || c.refs.length === 0) continue;
      if (answer.report.status !== 'ok') reports.push(answer.report);
      if (!answer.value) {
        canaryNames = undefined;
        canaryUnavailable = `canaries unavailable: ${describeFailure(
          answer.report,
        )}`;
        break;
      }
      if (answer.value !== 'not-installed') {
        const targeting = canariesTargeting(answer.value, c.refs);
        canaryNames.push(
          ...targeting.map(k => `${k.metadata.namespace}/${k.metadata.name}`),
        );
        for (const object of targeting) {
          const canary = readCanary(object, c.cluster.name);
          if (canary?.phase !== 'Failed' || !canary.lastTransitionTime) {
            continue;
          }
          findings.canaryRollbacks.push({
            entityRef: e.entityRef,
            cluster: canary.cluster,
            namespace: canary.namespace,
            name: canary.name,
            at: canary.lastTransitionTime,
            ...(canary.message ? { message: canary.message } : {}),
          });
        }
      }
    }

    const checks: ScoreCheck[] = [
      ...scoreChecksFromPosture(
        posture.verdict.checks,
        refs.length === 0 ? 'no workloads found' : undefined,
      ),
      scoreCheckFromSlo(
        slo,
        sloUnavailable ??
          (refs.length === 0 ? 'no workloads found' : undefined),
      ),
      scoreCheckFromCanaries(
        refs.length === 0 ? undefined : canaryNames,
        canaryUnavailable ?? 'no workloads found',
      ),
      await this.checklistCheck(e, posture, findings),
    ];
    const score = scoreEntity(checks, this.options.model);
    const longLived = posture.certificates.filter(c => c.role !== 'workload');
    return {
      ...this.identity(e),
      ...score,
      // Where the entity runs, not every cluster its selector was tried in.
      clusters: clusters
        .filter(c => c.refs.length > 0)
        .map(c => c.cluster.name),
      meshes: [
        ...new Set(
          clusters.filter(c => c.refs.length > 0).map(c => c.cluster.mesh),
        ),
      ].sort(),
      figures: {
        totalPods: posture.totalPods,
        meshedPods: posture.meshedPods,
        inboundMtlsShare: posture.inbound.mtlsShare,
        outboundMtlsShare: posture.outbound.mtlsShare,
        inboundRequestsPerSecond: posture.inbound.requestsPerSecond,
        // Figures of part of the traffic are not the entity's figures.
        successRate:
          complete && summary.requests > 0 ? summary.successRate : null,
        latencyP99Ms: complete ? summary.latencyMs.p99 : null,
        certificateDaysLeft:
          longLived.length > 0
            ? Math.min(...longLived.map(c => c.daysToExpiry))
            : null,
      },
      missing: [
        ...new Set(reports.filter(r => r.status !== 'ok').map(describeFailure)),
      ].sort(),
      demo: posture.demo,
    };
  }

  /** The checklists, judged on the posture this run assembled. */
  private async checklistCheck(
    { entity, entityRef }: EntityInRun,
    posture: AssessedPosture,
    findings: RunFindings,
  ): Promise<ScoreCheck> {
    if (!this.options.checklists) {
      return scoreCheckFromChecklists(undefined, 'checklists are not enabled');
    }
    try {
      const { checklists } = await this.options.checklists.list(entity, {
        posture: {
          ...posture,
          freshness: { cached: true, ageSeconds: 0, ttlSeconds: 0 },
        },
      });
      for (const c of checklists) {
        const exemptions = c.items.flatMap(item =>
          item.exemption
            ? [{ itemId: item.itemId, expiresAt: item.exemption.expiresAt }]
            : [],
        );
        if (!c.attestation && exemptions.length === 0) continue;
        findings.checklists.push({
          entityRef,
          template: {
            id: c.template.id,
            title: c.template.title || c.template.id,
          },
          ...(c.attestation
            ? {
                attestation: {
                  state: c.attestation.state,
                  validUntil: c.attestation.validUntil,
                  reasons: c.attestation.reasons.map(r => r.message),
                },
              }
            : {}),
          exemptions,
        });
      }
      return scoreCheckFromChecklists(checklists);
    } catch (error) {
      return scoreCheckFromChecklists(
        undefined,
        `checklists could not be read: ${String((error as Error).message).slice(
          0,
          200,
        )}`,
      );
    }
  }

  /** An entity that could not be measured: every check unknown, and why. */
  private unmeasured(e: EntityInRun, why: string): EntityScorecard {
    const checks: ScoreCheck[] = [
      ...scoreChecksFromPosture(undefined, why),
      scoreCheckFromSlo(undefined, why),
      scoreCheckFromCanaries(undefined, why),
      scoreCheckFromChecklists(undefined, why),
    ];
    return {
      ...this.identity(e),
      ...scoreEntity(checks, this.options.model),
      clusters: [],
      meshes: [],
      figures: {
        totalPods: 0,
        meshedPods: 0,
        inboundMtlsShare: null,
        outboundMtlsShare: null,
        inboundRequestsPerSecond: 0,
        successRate: null,
        latencyP99Ms: null,
        certificateDaysLeft: null,
      },
      missing: [],
      demo: false,
    };
  }

  /** Who the entity is, whom it belongs to and where it sits. */
  private identity(e: EntityInRun) {
    const { entity } = e;
    const relation = (type: string, kind: string) =>
      entity.relations?.find(
        r =>
          r.type === type &&
          parseEntityRef(r.targetRef).kind.toLocaleLowerCase('en-US') === kind,
      )?.targetRef ?? null;
    const owner =
      entity.relations?.find(r => r.type === RELATION_OWNED_BY)?.targetRef ??
      null;
    const lifecycle = entity.spec?.lifecycle;
    const ref = parseEntityRef(e.entityRef);
    return {
      entityRef: e.entityRef,
      ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
      kind: entity.kind,
      namespace: ref.namespace,
      name: entity.metadata.name,
      owner,
      system: relation(RELATION_PART_OF, 'system'),
      lifecycle: typeof lifecycle === 'string' ? lifecycle : null,
    };
  }
}
