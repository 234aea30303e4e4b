import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Mesh Posture plugins. */
  meshPosture?: {
    /** Clusters read for real: objects through the Kubernetes plugin, telemetry from Prometheus. */
    clusters?: Array<{
      /** The cluster's name in the Kubernetes plugin's configuration. */
      name: string;
      mesh: 'linkerd' | 'istio';
      /** Read the cluster's objects through the Kubernetes plugin. Default true. */
      kubernetes?: boolean;
      prometheus?: {
        url: string;
        /**
         * Extra request headers, e.g. Authorization.
         * @visibility secret
         */
        headers?: { [name: string]: string };
        /**
         * Browser-facing URL of this Prometheus, for "open in Prometheus" links.
         * @visibility backend
         */
        publicUrl?: string;
        /**
         * The largest answer read from this Prometheus, in bytes; a larger
         * one is abandoned and reported as invalid. Default 20 MiB.
         */
        maxResponseBytes?: number;
        /**
         * Several clusters on one endpoint (Thanos Query, Grafana Mimir,
         * VictoriaMetrics): every query selects this cluster's series by
         * an external label. Tenant headers such as X-Scope-OrgID go in
         * `headers`.
         */
        externalLabel?: {
          /** The label's name. Default cluster. */
          name?: string;
          /** Its value for this cluster. Default the cluster's name. */
          value?: string;
        };
      };
      grafana?: {
        /**
         * A dashboard URL; {namespace}, {workload} and {window} are replaced.
         */
        dashboardUrl?: string;
      };
      /** Linkerd: Prometheus label names of namespace and workloads (default linkerd-viz's). */
      labels?: {
        namespace?: string;
        /**
         * The pod name label (default pod). Series no owner label names,
         * such as a CronJob's or a bare pod's, are attributed by it; an
         * empty string turns that off.
         */
        pod?: string;
        workloads?: { [kind: string]: string };
      };
      /** Trust domain of mesh identities. Default cluster.local. */
      trustDomain?: string;
      linkerd?: {
        /** The control plane's namespace. Default linkerd. */
        namespace?: string;
        /**
         * The global egress namespace (the chart's
         * egress.globalEgressNetworkNamespace), whose EgressNetworks apply
         * where a namespace has none. Default linkerd-egress.
         */
        egressNamespace?: string;
        /** Read the issuer Secret for its expiry (it also holds the private key). Default false. */
        readIssuerSecret?: boolean;
      };
      istio?: {
        /** meshConfig.rootNamespace. Default istio-system. */
        rootNamespace?: string;
      };
    }>;
    /** Default service level objectives (entities override them with annotations). */
    slo?: {
      /** Target success rate in percent. Default 99.9. */
      successRate?: number;
      /** Target p99 latency in milliseconds. Default 500. */
      latencyP99Ms?: number;
    };
    callers?: {
      /** How far back "seen calling" and denials look: one of 1h, 6h, 24h, 7d, 30d. Default 7d. */
      window?: string;
      /** History the telemetry must hold before "never seen calling" is judged. Default 7 days. */
      minimumHistory?: HumanDuration | string;
    };
    /**
     * How long one source call may take before it is reported as `timeout`.
     * Default 5 seconds.
     */
    sourceTimeout?: HumanDuration | string;
    cache?: {
      /** How long an entity's posture is served from the cache. Default 30 seconds. */
      ttl?: HumanDuration | string;
    };
    canaries?: {
      /**
       * How often every cluster's Flagger canaries are listed to record
       * their phase transitions (the rollout history). Default 1 minute.
       */
      observeFrequency?: HumanDuration | string;
    };
    snapshot?: {
      /** How often the scorecard snapshot of the whole catalog runs. Default 1 hour; at least 1 minute. */
      frequency?: HumanDuration | string;
      /** How long one run may take. Default 15 minutes. */
      timeout?: HumanDuration | string;
      /**
       * How long one of the snapshot's batched source calls (a cluster's
       * telemetry, its signals, its objects) may take: the whole catalog's
       * answers take longer than one entity's page (sourceTimeout). Default
       * 2 minutes; at most the run's timeout.
       */
      sourceTimeout?: HumanDuration | string;
      /** How long runs, their scores and observed dataflows are kept. Default 400 days. */
      retention?: HumanDuration | string;
      /**
       * How long after start a replica begins running snapshots, scheduled
       * or asked for (Backstage's scheduler waits this out before its first
       * run). Default 2 minutes.
       */
      initialDelay?: HumanDuration | string;
    };
    /**
     * Notifications to owners through the Backstage notifications plugin,
     * sent after each scorecard snapshot: once per change, updating one
     * notification per entity and topic. Off unless `enabled`.
     */
    notifications?: {
      /** Default false: the portal must install the notifications backend. */
      enabled?: boolean;
      /** A trust anchor, issuer or root near expiry, or any expired certificate. */
      certificates?: {
        /** Default true. */
        enabled?: boolean;
        /** Days before expiry to tell. Default 60. */
        withinDays?: number;
      };
      /** A scored check that passed within the lookback and no longer does. */
      regressions?: {
        /** Default true. */
        enabled?: boolean;
        /** How far back a pass counts. Default 7 days; at least 1 hour. */
        lookback?: HumanDuration | string;
      };
      /** A checklist's attestation stale or coming due. */
      attestations?: {
        /** Default true. */
        enabled?: boolean;
        /** Days before it is due to tell. Default 14. */
        withinDays?: number;
      };
      /** An item's exemption about to expire, or expired. */
      exemptions?: {
        /** Default true. */
        enabled?: boolean;
        /** Days before expiry to tell. Default 14. */
        withinDays?: number;
      };
      /** A canary Flagger rolled back, told once per rollback. */
      canaryRollbacks?: {
        /** Default true. */
        enabled?: boolean;
      };
    };
    scorecards?: {
      /**
       * Weight of each check in the score (0 leaves it out). Checks:
       * inbound-mtls, outbound-mtls, meshed-pods, default-deny,
       * no-over-grants, certificates, golden-signals, progressive-delivery,
       * checklists.
       */
      weights?: { [check: string]: number };
      /** Credit for a warning, 0..1. Default 0.5. */
      warnCredit?: number;
      /** Levels, tried from the highest minScore down. Default Gold 90, Silver 75, Bronze 50. */
      levels?: Array<{
        name: string;
        minScore: number;
        /** Checks that must pass for the level. */
        requires?: string[];
      }>;
    };
    permissions?: {
      /**
       * Entity refs of the groups whose members may perform every Mesh
       * Posture write (read by the portal's permission policy). Default
       * `group:default/platform-team`.
       */
      platformGroups?: string[];
    };
    checklists?: {
      /**
       * How long an attestation holds before it is stale. Default 180 days.
       * It goes stale sooner when an automatic item's live status differs
       * from the one recorded, the template version changes, an exemption
       * it relied on expires, or the checklist changes.
       */
      attestationValidity?: HumanDuration | string;
      /**
       * Checklist templates beside the built-in ones (threat-model,
       * pci-dss-v4, zero-trust). Validated at startup; an invalid one stops
       * the backend with a message naming the template and the field.
       */
      templates?: Array<{
        /** Lower-case letters, digits and dashes. Must not reuse a built-in id. */
        id: string;
        /** A whole number; raise it whenever the content changes. */
        version: number;
        title: string;
        description?: string;
        sections: Array<{
          id: string;
          title: string;
          description?: string;
          items: Array<{
            id: string;
            /** `manual`: answered by people; `automatic`: by a posture check. */
            kind: 'manual' | 'automatic';
            title: string;
            description?: string;
            reference?: string;
            /** For automatic items: the posture check id, e.g. inbound-mtls. */
            check?: string;
          }>;
        }>;
      }>;
      /**
       * YAML files holding more templates (one, a list, or several YAML
       * documents each), relative to the backend's working directory.
       */
      templateFiles?: string[];
      /**
       * Which templates entities get when they have no
       * `mesh-posture.io/checklists` annotation: the first rule matching the
       * entity's kind (and spec.type, when given) wins. Default: Components
       * of type service get threat-model and zero-trust.
       */
      defaults?: Array<{
        kind: string;
        type?: string;
        templates: string[];
      }>;
    };
    history?: {
      /** Shortest time between two recorded readings of one entity. Default 10 minutes. */
      interval?: HumanDuration | string;
      /** How long readings are kept. Default 400 days. */
      retention?: HumanDuration | string;
    };
  };
}
