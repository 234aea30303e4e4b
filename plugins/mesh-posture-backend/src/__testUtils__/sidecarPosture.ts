import {
  assessPosture,
  MeshGap,
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * The posture of one fully meshed Linkerd workload whose proxy has reported
 * for the last hour, judged on the traffic a telemetry source read: what
 * the checks make of that traffic alone.
 */
export function sidecarPostureOf(options: {
  entityRef: string;
  workload: WorkloadRef;
  /** The evaluation time, in Unix seconds. */
  at: number;
  traffic: TrafficObservation[];
  gaps?: MeshGap[];
}) {
  return assessPosture({
    entityRef: options.entityRef,
    window: '5m',
    generatedAt: new Date(options.at * 1000),
    workloads: [
      {
        workload: options.workload,
        mesh: 'linkerd',
        totalPods: 1,
        meshedPods: 1,
        readyPods: 1,
        dataPlane: 'sidecar',
        proxyVersions: ['edge-26.10.2'],
        telemetryFrom: new Date((options.at - 3600) * 1000).toISOString(),
        telemetryUntil: new Date(options.at * 1000).toISOString(),
      },
    ],
    traffic: options.traffic,
    certificates: [],
    authorization: [],
    admittedIdentities: [],
    deniedCallers: [],
    callerWindow: '7d',
    gaps: options.gaps ?? [],
    sources: [],
  });
}
