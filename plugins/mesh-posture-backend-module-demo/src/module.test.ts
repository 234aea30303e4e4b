import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  MeshClusterProvider,
  meshPostureClustersExtensionPoint,
  MeshPostureSeedsExtensionPoint,
  meshPostureSeedsExtensionPoint,
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
