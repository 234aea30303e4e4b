export interface Config {
  meshPosture?: {
    /**
     * Serve the built-in demo mesh: a simulated fintech platform on two
     * clusters (Linkerd and Istio), read through the same source interfaces
     * as real clusters, and give a fresh database its past. Every response
     * made from it says so. Read by the demo module; without the module
     * installed it does nothing.
     * @visibility frontend
     */
    demo?: boolean;
  };
}
