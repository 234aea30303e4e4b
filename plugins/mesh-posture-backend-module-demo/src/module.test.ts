import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  KubernetesPod,
  MeshClusterProvider,
  meshPostureClustersExtensionPoint,
  MeshPostureSeedsExtensionPoint,
  meshPostureSeedsExtensionPoint,
  ScorecardHistory,
} from '@mesh-posture/plugin-mesh-posture-node';
import { meshPostureModuleDemo } from './module';

async function install(config: object) {
  const providers: MeshClusterProvider[] = [];
  const seeds = {
    addChecklists: jest.fn(),
    addCanaryHistory: jest.fn(),
    addScorecardHistory: jest.fn(),
  } satisfies MeshPostureSeedsExtensionPoint;
  await startTestBackend({
    extensionPoints: [
      [
        meshPostureClustersExtensionPoint,
        { addClusterProvider: (p: MeshClusterProvider) => providers.push(p) },
      ],
      [meshPostureSeedsExtensionPoint, seeds],
    ],
    features: [
      meshPostureModuleDemo,
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  return { providers, seeds };
}

describe('the demo module', () => {
  it('adds the simulated clusters and the demo past with meshPosture.demo: true', async () => {
    const { providers, seeds } = await install({ meshPosture: { demo: true } });
    expect(providers).toHaveLength(1);
    const clusters = await providers[0].getClusters();
    expect(clusters.map(c => [c.name, c.mesh, c.demo])).toEqual([
      ['prod-eu-west', 'linkerd', true],
      ['pci-eu-central', 'istio', true],
    ]);
    expect(seeds.addChecklists).toHaveBeenCalledTimes(1);
    const [history] = seeds.addCanaryHistory.mock.calls[0];
    expect(history(new Date('2026-11-22T12:00:00Z')).length).toBeGreaterThan(0);
    const [scorecards] = seeds.addScorecardHistory.mock.calls[0];
    expect(scorecards).toMatchObject({ days: 30, providers });
    expect(scorecards.providersAt(new Date())).toHaveLength(1);
  });

  it("seeds a past with a story: web-frontend's fix 12 days ago, accounts-service's new plaintext caller 4 days ago", async () => {
    const { seeds } = await install({ meshPosture: { demo: true } });
    const [{ providersAt }] = seeds.addScorecardHistory.mock.calls[0] as [
      ScorecardHistory,
    ];
    const DAY = 24 * 3600_000;
    // The backfill's instants: noon UTC of each past day.
    const today = new Date();
    const noon = (daysAgo: number) =>
      new Date(
        Date.UTC(
          today.getUTCFullYear(),
          today.getUTCMonth(),
          today.getUTCDate(),
          12,
        ) -
          daysAgo * DAY,
      );
    const clusterAt = async (daysAgo: number) => {
      const [mesh] = providersAt(noon(daysAgo));
      const clusters = await mesh.getClusters();
      return clusters.find(c => c.name === 'prod-eu-west')!;
    };
    const webFrontend = async (daysAgo: number) => {
      const { objects } = await clusterAt(daysAgo);
      const [servers, pods] = await Promise.all([
        objects!.list(
          {
            cluster: 'prod-eu-west',
            apiVersion: 'policy.linkerd.io/v1beta3',
            resource: 'servers',
            namespace: 'web',
          },
          {},
        ),
        objects!.list(
          {
            cluster: 'prod-eu-west',
            apiVersion: 'v1',
            resource: 'pods',
            namespace: 'web',
          },
          {},
        ),
      ]);
      const env = (pods as KubernetesPod[]).flatMap(
        p => p.spec?.containers?.find(c => c.name === 'linkerd-proxy')?.env,
      );
      return {
        servers: (servers ?? []).map(s => s.metadata.name),
        defaultPolicies: [
          ...new Set(
            env
              .filter(e => e?.name === 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY')
              .map(e => e?.value),
          ),
        ],
      };
    };
    expect(await webFrontend(13)).toEqual({
      servers: [],
      defaultPolicies: ['all-unauthenticated'],
    });
    for (const daysAgo of [12, 1]) {
      expect(await webFrontend(daysAgo)).toEqual({
        servers: ['web-frontend-http'],
        defaultPolicies: ['deny'],
      });
    }

    const plaintextInto = async (daysAgo: number) => {
      const { telemetry } = await clusterAt(daysAgo);
      const { traffic } = await telemetry!.workloadTelemetry(
        {
          cluster: 'prod-eu-west',
          mesh: 'linkerd',
          workloads: [
            {
              cluster: 'prod-eu-west',
              namespace: 'open-banking',
              kind: 'Deployment',
              name: 'accounts-service',
            },
          ],
          window: '1h',
          callerWindow: '7d',
          at: noon(daysAgo),
        },
        {},
      );
      return traffic.filter(
        t => t.direction === 'inbound' && !t.mtls && !t.probe,
      ).length;
    };
    expect(await plaintextInto(5)).toBe(0);
    expect(await plaintextInto(4)).toBe(1);
    expect(await plaintextInto(1)).toBe(1);
  });

  it('adds nothing unless meshPosture.demo is true', async () => {
    for (const config of [{}, { meshPosture: { demo: false } }]) {
      const { providers, seeds } = await install(config);
      expect(providers).toEqual([]);
      expect(seeds.addChecklists).not.toHaveBeenCalled();
      expect(seeds.addCanaryHistory).not.toHaveBeenCalled();
      expect(seeds.addScorecardHistory).not.toHaveBeenCalled();
    }
  });
});
