import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  isValidClusterName,
  percentToShare,
  MeshKind,
  ScorecardModel,
  scorecardModelFrom,
  WORKLOAD_KINDS,
  WorkloadKind,
} from '@mesh-posture/plugin-mesh-posture-common';
import { isLabelName, PROMQL_DURATIONS } from './prometheus/promql';
import { builtInMeshAdapters, isBuiltInMesh } from './mesh/adapters';

/** One cluster Mesh Posture reads for real. */
export interface ClusterConfig {
  name: string;
  mesh: MeshKind;
  /** Read the cluster's objects through the Backstage Kubernetes plugin. */
  kubernetes: boolean;
  prometheus?: {
    url: string;
    headers: Record<string, string>;
    /** Browser-facing URL for "open in Prometheus" links. */
    publicUrl?: string;
    /** The largest answer read (see PrometheusClient). */
    maxResponseBytes?: number;
    /**
     * On an endpoint several clusters share (Thanos Query, Mimir,
     * VictoriaMetrics): the external label whose value singles out this
     * cluster's series, carried by every selector.
     */
    externalLabel?: { name: string; value: string };
  };
  /** Grafana dashboard link template with {namespace}, {workload}, {window}. */
  grafanaDashboardUrl?: string;
  /** Linkerd: label names the scrape config gives namespace and workloads. */
  labels?: {
    namespace: string;
    /** The pod name label; empty turns attribution by pod name off. */
    pod: string;
    workloads: Partial<Record<WorkloadKind, string>>;
  };
  trustDomain: string;
  linkerdNamespace: string;
  linkerdEgressNamespace: string;
  readIssuerSecret: boolean;
  istioRootNamespace: string;
}

/** The plugin's settings, read once at startup. */
export interface MeshPostureConfig {
  sourceTimeoutMs: number;
  cacheTtlMs: number;
  historyIntervalMs: number;
  historyRetentionMs: number;
  callerWindow: string;
  minimumCallerHistoryMs: number;
  /** Default objectives where an entity's annotations set none. */
  slo: { successRate: number; latencyP99Ms: number };
  clusters: ClusterConfig[];
  /** The scheduled scorecard snapshot of the whole catalog. */
  snapshot: {
    frequencyMs: number;
    timeoutMs: number;
    /** The deadline of each of the snapshot's batched source calls. */
    sourceTimeoutMs: number;
    retentionMs: number;
    /**
     * How long after start a replica begins to run snapshots (scheduled or
     * asked for): the catalog settles first.
     */
    initialDelayMs: number;
    /** The traffic window the snapshot judges posture and signals over. */
    window: '1h';
  };
  /** Weights and levels of the scorecards. */
  scorecards: ScorecardModel;
  /** How often every cluster's Flagger canaries are observed for their history. */
  canaries: { observeFrequencyMs: number };
  /** What owners are told, after each snapshot, through the notifications plugin. */
  notifications: NotificationSettings;
}

/** The notification topics, each with its off-switch and threshold. */
export interface NotificationSettings {
  /** Off unless the portal installs the notifications plugin and turns this on. */
  enabled: boolean;
  /** A trust anchor, issuer or root within `withinDays` of expiry, or any expired certificate. */
  certificates: { enabled: boolean; withinDays: number };
  /** A scored check that passed within the lookback and no longer does. */
  regressions: { enabled: boolean; lookbackMs: number };
  /** A checklist's attestation stale, or due within `withinDays`. */
  attestations: { enabled: boolean; withinDays: number };
  /** An item's exemption expiring within `withinDays`, or expired. */
  exemptions: { enabled: boolean; withinDays: number };
  /** A canary Flagger rolled back (phase Failed until its next revision). */
  canaryRollbacks: { enabled: boolean };
}

function durationMs(config: Config | undefined, key: string, fallback: number) {
  if (!config?.has(key)) {
    return fallback;
  }
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  if (!Number.isFinite(ms) || ms < 0) {
    throw new Error(`meshPosture.${key} must be a positive duration`);
  }
  return ms;
}

function checkHttpUrl(url: string, where: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${where} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${where} must be http or https`);
  }
}

function readCluster(c: Config, index: number): ClusterConfig {
  const where = `meshPosture.clusters[${index}]`;
  const name = c.getString('name');
  if (!isValidClusterName(name)) {
    throw new Error(`${where}.name "${name}" is not a valid cluster name`);
  }
  const mesh = c.getString('mesh');
  // Another mesh's clusters come from its module, with their telemetry.
  if (!isBuiltInMesh(mesh)) {
    throw new Error(
      `${where}.mesh must be ${Object.keys(builtInMeshAdapters).join(
        ' or ',
      )}, not "${mesh}"`,
    );
  }
  let prometheus: ClusterConfig['prometheus'];
  if (c.has('prometheus')) {
    const url = c.getString('prometheus.url');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${where}.prometheus.url is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`${where}.prometheus.url must be http or https`);
    }
    const headersConfig = c.getOptionalConfig('prometheus.headers');
    const headers: Record<string, string> = {};
    for (const key of headersConfig?.keys() ?? []) {
      headers[key] = headersConfig!.getString(key);
    }
    const publicUrl = c.getOptionalString('prometheus.publicUrl');
    if (publicUrl !== undefined)
      checkHttpUrl(publicUrl, `${where}.prometheus.publicUrl`);
    const maxResponseBytes = c.getOptionalNumber('prometheus.maxResponseBytes');
    if (
      maxResponseBytes !== undefined &&
      !(Number.isInteger(maxResponseBytes) && maxResponseBytes >= 65536)
    ) {
      throw new Error(
        `${where}.prometheus.maxResponseBytes must be a whole number of bytes, at least 65536`,
      );
    }
    let externalLabel: { name: string; value: string } | undefined;
    if (c.has('prometheus.externalLabel')) {
      const labelName =
        c.getOptionalString('prometheus.externalLabel.name') ?? 'cluster';
      if (!isLabelName(labelName)) {
        throw new Error(
          `${where}.prometheus.externalLabel.name "${labelName}" is not a Prometheus label name`,
        );
      }
      const value =
        c.getOptionalString('prometheus.externalLabel.value') ?? name;
      // No control characters: a shared endpoint's queries hold a NUL
      // placeholder where the value goes (promql.ts fillScope).
      const control = [...value].some(
        ch => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f,
      );
      if (value.length === 0 || value.length > 256 || control) {
        throw new Error(
          `${where}.prometheus.externalLabel.value must be 1 to 256 characters, none of them control characters`,
        );
      }
      externalLabel = { name: labelName, value };
    }
    prometheus = {
      url,
      headers,
      ...(publicUrl ? { publicUrl } : {}),
      ...(maxResponseBytes ? { maxResponseBytes } : {}),
      ...(externalLabel ? { externalLabel } : {}),
    };
  }
  const grafanaDashboardUrl = c.getOptionalString('grafana.dashboardUrl');
  if (grafanaDashboardUrl !== undefined) {
    checkHttpUrl(
      grafanaDashboardUrl.replace(/\{\w+\}/g, 'x'),
      `${where}.grafana.dashboardUrl`,
    );
  }
  let labels: ClusterConfig['labels'];
  if (c.has('labels')) {
    const namespace = c.getOptionalString('labels.namespace') ?? 'namespace';
    const pod = c.getOptionalString('labels.pod') ?? 'pod';
    const workloads: Partial<Record<WorkloadKind, string>> = {};
    const w = c.getOptionalConfig('labels.workloads');
    for (const kind of w?.keys() ?? []) {
      if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
        throw new Error(
          `${where}.labels.workloads: "${kind}" is not a workload kind`,
        );
      }
      workloads[kind as WorkloadKind] = w!.getString(kind);
    }
    for (const label of [
      namespace,
      ...(pod ? [pod] : []),
      ...Object.values(workloads),
    ]) {
      if (!isLabelName(label!)) {
        throw new Error(
          `${where}.labels: "${label}" is not a Prometheus label name`,
        );
      }
    }
    labels = { namespace, pod, workloads };
  }
  return {
    name,
    mesh,
    kubernetes: c.getOptionalBoolean('kubernetes') ?? true,
    prometheus,
    ...(grafanaDashboardUrl ? { grafanaDashboardUrl } : {}),
    labels,
    trustDomain: c.getOptionalString('trustDomain') ?? 'cluster.local',
    linkerdNamespace: c.getOptionalString('linkerd.namespace') ?? 'linkerd',
    linkerdEgressNamespace:
      c.getOptionalString('linkerd.egressNamespace') ?? 'linkerd-egress',
    readIssuerSecret: c.getOptionalBoolean('linkerd.readIssuerSecret') ?? false,
    istioRootNamespace:
      c.getOptionalString('istio.rootNamespace') ?? 'istio-system',
  };
}

export function readMeshPostureConfig(root: Config): MeshPostureConfig {
  const config = root.getOptionalConfig('meshPosture');
  const callerWindow = config?.getOptionalString('callers.window') ?? '7d';
  if (!(PROMQL_DURATIONS as readonly string[]).includes(callerWindow)) {
    throw new Error(
      `meshPosture.callers.window must be one of ${PROMQL_DURATIONS.join(
        ', ',
      )}`,
    );
  }
  const clusters = (config?.getOptionalConfigArray('clusters') ?? []).map(
    readCluster,
  );
  const names = new Set<string>();
  for (const c of clusters) {
    if (names.has(c.name)) {
      throw new Error(`meshPosture.clusters: "${c.name}" is listed twice`);
    }
    names.add(c.name);
  }
  const snapshotTimeoutMs = minimumMs(
    durationMs(config, 'snapshot.timeout', 15 * 60_000),
    10_000,
    'snapshot.timeout',
  );
  return {
    sourceTimeoutMs: durationMs(config, 'sourceTimeout', 5_000),
    cacheTtlMs: durationMs(config, 'cache.ttl', 30_000),
    historyIntervalMs: durationMs(config, 'history.interval', 10 * 60_000),
    historyRetentionMs: durationMs(
      config,
      'history.retention',
      400 * 24 * 3600_000,
    ),
    callerWindow,
    minimumCallerHistoryMs: durationMs(
      config,
      'callers.minimumHistory',
      7 * 24 * 3600_000,
    ),
    slo: readSloDefaults(config),
    clusters,
    snapshot: {
      frequencyMs: minimumMs(
        durationMs(config, 'snapshot.frequency', 3600_000),
        60_000,
        'snapshot.frequency',
      ),
      timeoutMs: snapshotTimeoutMs,
      sourceTimeoutMs: Math.min(
        snapshotTimeoutMs,
        minimumMs(
          durationMs(config, 'snapshot.sourceTimeout', 2 * 60_000),
          1_000,
          'snapshot.sourceTimeout',
        ),
      ),
      retentionMs: minimumMs(
        durationMs(config, 'snapshot.retention', 400 * 24 * 3600_000),
        24 * 3600_000,
        'snapshot.retention',
      ),
      initialDelayMs: durationMs(config, 'snapshot.initialDelay', 120_000),
      window: '1h',
    },
    canaries: {
      observeFrequencyMs: minimumMs(
        durationMs(config, 'canaries.observeFrequency', 60_000),
        10_000,
        'canaries.observeFrequency',
      ),
    },
    scorecards: scorecardModelFrom(
      (config?.getOptional('scorecards') as any) ?? {},
      'meshPosture.scorecards',
    ),
    notifications: readNotificationSettings(config),
  };
}

function readNotificationSettings(
  config: Config | undefined,
): NotificationSettings {
  const on = (key: string) =>
    config?.getOptionalBoolean(`notifications.${key}.enabled`) ?? true;
  const days = (key: string, fallback: number) => {
    const value =
      config?.getOptionalNumber(`notifications.${key}.withinDays`) ?? fallback;
    if (!(Number.isInteger(value) && value >= 0 && value <= 3650)) {
      throw new Error(
        `meshPosture.notifications.${key}.withinDays must be a whole number of days from 0 to 3650`,
      );
    }
    return value;
  };
  const lookback = (key: string, fallbackMs: number) =>
    minimumMs(
      durationMs(config, `notifications.${key}.lookback`, fallbackMs),
      3600_000,
      `notifications.${key}.lookback`,
    );
  return {
    enabled: config?.getOptionalBoolean('notifications.enabled') ?? false,
    certificates: {
      enabled: on('certificates'),
      withinDays: days('certificates', 60),
    },
    regressions: {
      enabled: on('regressions'),
      lookbackMs: lookback('regressions', 7 * 24 * 3600_000),
    },
    attestations: {
      enabled: on('attestations'),
      withinDays: days('attestations', 14),
    },
    exemptions: {
      enabled: on('exemptions'),
      withinDays: days('exemptions', 14),
    },
    canaryRollbacks: { enabled: on('canaryRollbacks') },
  };
}

function minimumMs(ms: number, minimum: number, key: string): number {
  if (ms < minimum) {
    throw new Error(
      `meshPosture.${key} must be at least ${minimum / 1000} seconds`,
    );
  }
  return ms;
}

function readSloDefaults(config: Config | undefined) {
  const percent = config?.getOptionalNumber('slo.successRate') ?? 99.9;
  if (!(percent > 0 && percent < 100)) {
    throw new Error(
      'meshPosture.slo.successRate must be a percentage above 0 and below 100',
    );
  }
  const latencyP99Ms = config?.getOptionalNumber('slo.latencyP99Ms') ?? 500;
  if (!(latencyP99Ms >= 1)) {
    throw new Error('meshPosture.slo.latencyP99Ms must be at least 1');
  }
  return { successRate: percentToShare(percent), latencyP99Ms };
}
