import { ConfigReader } from '@backstage/config';
import { DEFAULT_SCORECARD_MODEL } from '@mesh-posture/plugin-mesh-posture-common';
import { readMeshPostureConfig } from './config';

// Off until the portal installs the notifications plugin; every topic on.
const DEFAULT_NOTIFICATIONS = {
  enabled: false,
  certificates: { enabled: true, withinDays: 60 },
  regressions: { enabled: true, lookbackMs: 7 * 24 * 3600_000 },
  attestations: { enabled: true, withinDays: 14 },
  exemptions: { enabled: true, withinDays: 14 },
  canaryRollbacks: { enabled: true },
};

describe('readMeshPostureConfig', () => {
  it('has embedded defaults', () => {
    expect(readMeshPostureConfig(new ConfigReader({}))).toEqual({
      sourceTimeoutMs: 5000,
      cacheTtlMs: 30000,
      historyIntervalMs: 600000,
      historyRetentionMs: 400 * 24 * 3600 * 1000,
      callerWindow: '7d',
      minimumCallerHistoryMs: 7 * 24 * 3600 * 1000,
      slo: { successRate: 0.999, latencyP99Ms: 500 },
      clusters: [],
      snapshot: {
        frequencyMs: 3600_000,
        timeoutMs: 15 * 60_000,
        sourceTimeoutMs: 2 * 60_000,
        retentionMs: 400 * 24 * 3600_000,
        initialDelayMs: 120_000,
        window: '1h',
      },
      scorecards: DEFAULT_SCORECARD_MODEL,
      canaries: { observeFrequencyMs: 60_000 },
      notifications: DEFAULT_NOTIFICATIONS,
    });
  });

  it('reads durations as strings or objects', () => {
    const config = readMeshPostureConfig(
      new ConfigReader({
        meshPosture: {
          sourceTimeout: '2s',
          cache: { ttl: { seconds: 10 } },
          history: { interval: '1m', retention: { days: 30 } },
        },
      }),
    );
    expect(config).toEqual({
      sourceTimeoutMs: 2000,
      cacheTtlMs: 10000,
      historyIntervalMs: 60000,
      historyRetentionMs: 30 * 24 * 3600 * 1000,
      callerWindow: '7d',
      minimumCallerHistoryMs: 7 * 24 * 3600 * 1000,
      slo: { successRate: 0.999, latencyP99Ms: 500 },
      clusters: [],
      snapshot: {
        frequencyMs: 3600_000,
        timeoutMs: 15 * 60_000,
        sourceTimeoutMs: 2 * 60_000,
        retentionMs: 400 * 24 * 3600_000,
        initialDelayMs: 120_000,
        window: '1h',
      },
      scorecards: DEFAULT_SCORECARD_MODEL,
      canaries: { observeFrequencyMs: 60_000 },
      notifications: DEFAULT_NOTIFICATIONS,
    });
  });

  it('reads the notification topics, their switches and thresholds, and refuses nonsense', () => {
    const read = (notifications: object) =>
      readMeshPostureConfig(
        new ConfigReader({ meshPosture: { notifications } }),
      ).notifications;
    expect(
      read({
        enabled: true,
        certificates: { withinDays: 90 },
        regressions: { lookback: '3d' },
        exemptions: { enabled: false },
      }),
    ).toEqual({
      ...DEFAULT_NOTIFICATIONS,
      enabled: true,
      certificates: { enabled: true, withinDays: 90 },
      regressions: { enabled: true, lookbackMs: 3 * 24 * 3600_000 },
      exemptions: { enabled: false, withinDays: 14 },
    });
    expect(() => read({ certificates: { withinDays: -1 } })).toThrow(
      'meshPosture.notifications.certificates.withinDays must be a whole number of days from 0 to 3650',
    );
    expect(() => read({ regressions: { lookback: '10m' } })).toThrow(
      'meshPosture.notifications.regressions.lookback must be at least 3600 seconds',
    );
  });

  it('reads clusters with their Prometheus, labels and mesh settings', () => {
    const config = readMeshPostureConfig(
      new ConfigReader({
        meshPosture: {
          callers: { window: '24h', minimumHistory: '1d' },
          clusters: [
            {
              name: 'prod-eu-1',
              mesh: 'linkerd',
              prometheus: {
                url: 'http://prometheus.linkerd-viz:9090',
                headers: { Authorization: 'Bearer abc' },
              },
              labels: {
                namespace: 'kubernetes_namespace',
                workloads: { Deployment: 'app_deployment' },
              },
              linkerd: { readIssuerSecret: true, egressNamespace: 'egress' },
            },
            {
              name: 'pci-1',
              mesh: 'istio',
              kubernetes: false,
              istio: { rootNamespace: 'mesh-root' },
            },
          ],
        },
      }),
    );
    expect(config.callerWindow).toBe('24h');
    expect(config.minimumCallerHistoryMs).toBe(86400000);
    expect(config.clusters).toEqual([
      {
        name: 'prod-eu-1',
        mesh: 'linkerd',
        kubernetes: true,
        prometheus: {
          url: 'http://prometheus.linkerd-viz:9090',
          headers: { Authorization: 'Bearer abc' },
        },
        labels: {
          namespace: 'kubernetes_namespace',
          pod: 'pod',
          workloads: { Deployment: 'app_deployment' },
        },
        trustDomain: 'cluster.local',
        linkerdNamespace: 'linkerd',
        linkerdEgressNamespace: 'egress',
        readIssuerSecret: true,
        istioRootNamespace: 'istio-system',
      },
      {
        name: 'pci-1',
        mesh: 'istio',
        kubernetes: false,
        trustDomain: 'cluster.local',
        linkerdNamespace: 'linkerd',
        linkerdEgressNamespace: 'linkerd-egress',
        readIssuerSecret: false,
        istioRootNamespace: 'mesh-root',
      },
    ]);
  });

  it('reads a shared endpoint: the external label, the bound of answers', () => {
    const [shared, named] = readMeshPostureConfig(
      new ConfigReader({
        meshPosture: {
          clusters: [
            {
              name: 'prod-eu-1',
              mesh: 'linkerd',
              prometheus: {
                url: 'http://thanos-query:9090',
                externalLabel: {},
                maxResponseBytes: 1048576,
              },
            },
            {
              name: 'prod-eu-2',
              mesh: 'istio',
              prometheus: {
                url: 'http://thanos-query:9090',
                externalLabel: { name: 'k8s_cluster', value: 'eu-2' },
              },
            },
          ],
        },
      }),
    ).clusters;
    expect(shared.prometheus).toEqual({
      url: 'http://thanos-query:9090',
      headers: {},
      maxResponseBytes: 1048576,
      externalLabel: { name: 'cluster', value: 'prod-eu-1' },
    });
    expect(named.prometheus?.externalLabel).toEqual({
      name: 'k8s_cluster',
      value: 'eu-2',
    });
  });

  it.each([
    [
      { clusters: [{ name: 'a b', mesh: 'linkerd' }] },
      'not a valid cluster name',
    ],
    [{ clusters: [{ name: 'a', mesh: 'consul' }] }, 'must be linkerd or istio'],
    [
      {
        clusters: [
          {
            name: 'a',
            mesh: 'istio',
            prometheus: { url: 'file:///etc/passwd' },
          },
        ],
      },
      'must be http or https',
    ],
    [
      {
        clusters: [
          { name: 'a', mesh: 'linkerd', labels: { namespace: 'bad-label' } },
        ],
      },
      'not a Prometheus label name',
    ],
    [
      {
        clusters: [
          {
            name: 'a',
            mesh: 'linkerd',
            prometheus: {
              url: 'http://thanos:9090',
              externalLabel: { name: 'cluster"}' },
            },
          },
        ],
      },
      'externalLabel.name "cluster"}" is not a Prometheus label name',
    ],
    [
      {
        clusters: [
          {
            name: 'a',
            mesh: 'linkerd',
            prometheus: {
              url: 'http://thanos:9090',
              externalLabel: { value: 'eu\u0000west' },
            },
          },
        ],
      },
      'none of them control characters',
    ],
    [
      {
        clusters: [
          {
            name: 'a',
            mesh: 'linkerd',
            prometheus: { url: 'http://p:9090', maxResponseBytes: 10 },
          },
        ],
      },
      'maxResponseBytes must be a whole number of bytes, at least 65536',
    ],
    [
      {
        clusters: [
          {
            name: 'a',
            mesh: 'linkerd',
            labels: { workloads: { Service: 'x' } },
          },
        ],
      },
      'not a workload kind',
    ],
    [
      {
        clusters: [
          { name: 'a', mesh: 'linkerd' },
          { name: 'a', mesh: 'istio' },
        ],
      },
      'listed twice',
    ],
    [{ callers: { window: '3d' } }, 'meshPosture.callers.window'],
  ])(
    'refuses invalid settings with a clear error (%#)',
    (meshPosture, message) => {
      expect(() =>
        readMeshPostureConfig(new ConfigReader({ meshPosture })),
      ).toThrow(message);
    },
  );

  it('reads the snapshot schedule and the scoring model', () => {
    const config = readMeshPostureConfig(
      new ConfigReader({
        meshPosture: {
          snapshot: {
            frequency: '15m',
            timeout: '1m',
            sourceTimeout: '5m',
            retention: { days: 90 },
            initialDelay: '30s',
          },
          scorecards: {
            weights: { checklists: 0, 'inbound-mtls': 40 },
            levels: [
              { name: 'Compliant', minScore: 80, requires: ['inbound-mtls'] },
            ],
          },
        },
      }),
    );
    expect(config.snapshot).toEqual({
      frequencyMs: 15 * 60_000,
      timeoutMs: 60_000,
      // A source call cannot outlast its run.
      sourceTimeoutMs: 60_000,
      retentionMs: 90 * 24 * 3600_000,
      initialDelayMs: 30_000,
      window: '1h',
    });
    expect(config.scorecards.weights.checklists).toBe(0);
    expect(config.scorecards.weights['inbound-mtls']).toBe(40);
    expect(config.scorecards.levels).toEqual([
      { name: 'Compliant', minScore: 80, requires: ['inbound-mtls'] },
    ]);
  });

  it.each([
    [
      { snapshot: { frequency: '10s' } },
      'snapshot.frequency must be at least 60 seconds',
    ],
    [{ snapshot: { retention: '1h' } }, 'snapshot.retention must be at least'],
    [
      { scorecards: { weights: { 'mtls-everywhere': 10 } } },
      'meshPosture.scorecards.weights.mtls-everywhere is not a check',
    ],
  ])(
    'refuses a bad snapshot or scorecard setting %j',
    (meshPosture, message) => {
      expect(() =>
        readMeshPostureConfig(new ConfigReader({ meshPosture })),
      ).toThrow(message);
    },
  );

  it('refuses what is not a duration', () => {
    expect(() =>
      readMeshPostureConfig(
        new ConfigReader({ meshPosture: { sourceTimeout: 'soon' } }),
      ),
    ).toThrow();
  });
});
