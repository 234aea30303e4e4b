import type {
  CertificateStatus,
  DataPlaneMode,
  EgressPolicy,
  MeshBypass,
  MeshGap,
  PortAuthorization,
  summarizeTraffic,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesPod,
  ClusterObjectSource,
  MeshCluster,
} from './sources';

/*
 * What differs between meshes, as one adapter per mesh. The backend ships
 * Linkerd's and Istio's; a module adds another through
 * meshPostureMeshesExtensionPoint, with its clusters (and their telemetry)
 * through meshPostureClustersExtensionPoint.
 */

/**
 * What the mesh says about one pod.
 * @public
 */
export interface PodMeshState {
  meshed: boolean;
  dataPlane: DataPlaneMode;
  proxyVersion?: string;
  /**
   * The name of the proxy's container when the mesh runs one in the pod:
   * every other container is the application's.
   */
  proxyContainer?: string;
  identity?: string;
  /** Traffic the pod's mesh settings send around its proxy. */
  bypass?: Array<Omit<MeshBypass, 'pods'>>;
  /** The pod shares its node's network (`spec.hostNetwork`). */
  hostNetwork?: boolean;
}

/**
 * The mesh settings identities are made of.
 * @public
 */
export interface IdentitySettings {
  /** Linkerd's control-plane namespace, part of every identity. */
  linkerdNamespace?: string;
  /** The trust domain (Linkerd's identity domain, Istio's SPIFFE one). */
  trustDomain?: string;
}

/**
 * What a mesh's objects say about the namespaces of some workloads.
 * @public
 */
export interface MeshObjects {
  certificates: CertificateStatus[];
  gaps: MeshGap[];
  /**
   * The issuer's expiry could not be read from objects. Telemetry may still
   * know it (Linkerd's issuer_cert_ttl_seconds); the gap is named only if not.
   */
  issuerUnknown?: string;
  evaluate(
    workload: WorkloadRef,
    pods: KubernetesPod[],
  ): {
    ports: PortAuthorization[];
    admitted: Array<{ identity: string; grantedBy: string[] }>;
    notes: string[];
    /** Inbound routes (`HTTPRoute/<name>`) that carry only kubelet probes. */
    probeRoutes?: string[];
    /**
     * Certificates the workload's own pods hold, judged against the
     * cluster's: a proxy's trust bundle that no longer matches, say.
     */
    certificates?: CertificateStatus[];
    /**
     * What the workload may reach outside the mesh; absent where the mesh's
     * egress objects could not be read (a gap of topic `egress` says why).
     */
    egress?: EgressPolicy;
  };
}

/**
 * Knows one mesh's Kubernetes objects: which to read (policies, namespaces,
 * certificates) and how to judge a workload's authorization from them.
 * @public
 */
export interface MeshObjectAdapter {
  read(
    source: ClusterObjectSource,
    cluster: MeshCluster,
    namespaces: string[],
    now: Date,
    signal?: AbortSignal,
  ): Promise<MeshObjects>;
}

/**
 * One mesh as the posture reads it: its Kubernetes objects, its pods and
 * (optionally) how Flagger's built-in success rate counts on it.
 * @public
 */
export interface MeshAdapter {
  /** The mesh's Kubernetes objects: policies, certificates, namespaces. */
  objects: MeshObjectAdapter;
  /** Whether the mesh's proxy runs in a pod, and with which identity. */
  podMeshState(pod: KubernetesPod, settings: IdentitySettings): PodMeshState;
  /**
   * Flagger's built-in `request-success-rate` as this mesh's formula
   * counts it, as a share of the requests; null without requests. Without
   * it, canaries on the mesh have no built-in success-rate figure.
   */
  flaggerSuccessShare?(
    summary: ReturnType<typeof summarizeTraffic>,
  ): number | null;
}
