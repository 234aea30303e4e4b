import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Mesh Posture plugins. */
  meshPosture?: {
    /**
     * Serve the built-in demo mesh: a simulated fintech platform on two
     * clusters (Linkerd and Istio), read through the same source interfaces
     * as real clusters. Every response made from it says so.
     * @visibility frontend
     */
    demo?: boolean;
    /**
     * How long one source call may take before it is reported as `timeout`.
     * Default 5 seconds.
     */
    sourceTimeout?: HumanDuration | string;
    cache?: {
      /** How long an entity's posture is served from the cache. Default 30 seconds. */
      ttl?: HumanDuration | string;
    };
    permissions?: {
      /**
       * Entity refs of the groups whose members may perform every Mesh
       * Posture write (read by the portal's permission policy). Default
       * `group:default/platform-team`.
       */
      platformGroups?: string[];
    };
    history?: {
      /** Shortest time between two recorded readings of one entity. Default 10 minutes. */
      interval?: HumanDuration | string;
      /** How long readings are kept. Default 400 days. */
      retention?: HumanDuration | string;
    };
  };
}
