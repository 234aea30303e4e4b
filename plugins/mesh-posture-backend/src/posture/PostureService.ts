import { createHash } from 'node:crypto';
import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  AssessedPosture,
  KUBERNETES_ID_ANNOTATION,
  MeshPosture,
  PostureObservation,
  PostureWindow,
} from '@mesh-posture/plugin-mesh-posture-common';
import { entityKey } from '../catalog/entityKey';
import { PeerEntities } from '../catalog/PeerEntities';
import { ObservationStore } from '../database/ObservationStore';
import { PostureAssembler } from './PostureAssembler';
import { resolveWorkloadTarget } from './resolveWorkloadTarget';

type CachedPosture = {
  posture: AssessedPosture;
  lastComplete?: PostureObservation;
  storedAt: number;
};

function toObservation(
  posture: AssessedPosture,
  complete: boolean,
): PostureObservation {
  return {
    entityRef: posture.entityRef,
    observedAt: posture.generatedAt,
    verdict: posture.verdict.status,
    totalPods: posture.totalPods,
    meshedPods: posture.meshedPods,
    inboundMtlsShare: posture.inbound.mtlsShare,
    outboundMtlsShare: posture.outbound.mtlsShare,
    inboundRequestsPerSecond: posture.inbound.requestsPerSecond,
    outboundRequestsPerSecond: posture.outbound.requestsPerSecond,
    complete,
  };
}

/**
 * Serves an entity's posture: from the shared cache when fresh, otherwise
 * assembled from the sources, recorded in the history, and cached. Peer
 * links are resolved per request with the caller's own catalog access.
 */
export class PostureService {
  private readonly inflight = new Map<string, Promise<CachedPosture>>();

  constructor(
    private readonly options: {
      assembler: PostureAssembler;
      cache: CacheService;
      store: ObservationStore;
      peers: PeerEntities;
      logger: LoggerService;
      cacheTtlMs: number;
      historyIntervalMs: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async getPosture(
    entity: Entity,
    window: PostureWindow,
    credentials: BackstageCredentials,
  ): Promise<MeshPosture> {
    const entityRef = entityKey(entity);
    const target = resolveWorkloadTarget(entity);
    if (!target) {
      throw new InputError(
        `${entityRef} has no workload annotation: add ${KUBERNETES_ID_ANNOTATION}, backstage.io/kubernetes-label-selector or mesh-posture.io/workload`,
      );
    }
    // The target is part of the key, so an annotation change shows at once.
    const key = `posture:v2:${window}:${createHash('sha256')
      .update(JSON.stringify([entityRef, target]))
      .digest('hex')}`;

    let cached = true;
    let entry = await this.readCache(key);
    if (!entry) {
      cached = false;
      let pending = this.inflight.get(key);
      if (!pending) {
        pending = this.refresh(key, entityRef, target, window).finally(() =>
          this.inflight.delete(key),
        );
        this.inflight.set(key, pending);
      }
      entry = await pending;
    }

    const posture = await this.linkPeers(entry.posture, credentials);
    return {
      ...posture,
      ...(entry.lastComplete ? { lastComplete: entry.lastComplete } : {}),
      freshness: {
        cached,
        ageSeconds: Math.max(
          0,
          Math.round((this.now().getTime() - entry.storedAt) / 1000),
        ),
        ttlSeconds: Math.round(this.options.cacheTtlMs / 1000),
      },
    };
  }

  private async readCache(key: string): Promise<CachedPosture | undefined> {
    try {
      return (await this.options.cache.get(key)) as CachedPosture | undefined;
    } catch (error) {
      this.options.logger.warn(`Mesh posture cache read failed: ${error}`);
      return undefined;
    }
  }

  private async refresh(
    key: string,
    entityRef: string,
    target: NonNullable<ReturnType<typeof resolveWorkloadTarget>>,
    window: PostureWindow,
  ): Promise<CachedPosture> {
    const { assembler, store, cache, logger } = this.options;
    const posture = await assembler.assemble(entityRef, target, window);
    const complete = posture.sources.every(s => s.status === 'ok');
    let lastComplete: PostureObservation | undefined;
    try {
      await store.record(
        toObservation(posture, complete),
        this.options.historyIntervalMs,
      );
      if (!complete) {
        lastComplete = await store.latest(entityRef, { completeOnly: true });
      }
    } catch (error) {
      // History is a bonus; the live posture still goes out.
      logger.warn(`Mesh posture history unavailable: ${error}`);
    }
    const entry: CachedPosture = {
      posture,
      ...(lastComplete ? { lastComplete } : {}),
      storedAt: this.now().getTime(),
    };
    try {
      await cache.set(key, entry as any, { ttl: this.options.cacheTtlMs });
    } catch (error) {
      logger.warn(`Mesh posture cache write failed: ${error}`);
    }
    return entry;
  }

  /** Links each peer to its catalog entity, as far as the caller may see. */
  private async linkPeers(
    posture: AssessedPosture,
    credentials: BackstageCredentials,
  ): Promise<AssessedPosture> {
    const workloads = posture.edges.flatMap(e =>
      e.peer.workload ? [e.peer.workload] : [],
    );
    if (workloads.length === 0) return posture;
    const entityOf = await this.options.peers.lookup(workloads, credentials);
    return {
      ...posture,
      edges: posture.edges.map(edge => {
        const ref = edge.peer.workload
          ? entityOf(edge.peer.workload)
          : undefined;
        return ref ? { ...edge, peer: { ...edge.peer, entityRef: ref } } : edge;
      }),
    };
  }

  /** The recorded readings of an entity over the last `days` days. */
  async getHistory(entity: Entity, days: number) {
    const entityRef = entityKey(entity);
    const since = new Date(this.now().getTime() - days * 24 * 3600_000);
    const observations = await this.options.store.list(entityRef, since, 5000);
    return { entityRef, days, observations };
  }
}
