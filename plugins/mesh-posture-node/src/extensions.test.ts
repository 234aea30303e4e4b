import {
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import { meshPostureClustersExtensionPoint } from './extensions';
import type { MeshClusterProvider } from './sources';

describe('meshPostureClustersExtensionPoint', () => {
  it('delivers providers added by a module to the plugin', async () => {
    const received: MeshClusterProvider[] = [];
    const plugin = createBackendPlugin({
      pluginId: 'mesh-posture',
      register(env) {
        env.registerExtensionPoint(meshPostureClustersExtensionPoint, {
          addClusterProvider: p => received.push(p),
        });
        env.registerInit({ deps: {}, async init() {} });
      },
    });
    const provider: MeshClusterProvider = {
      getClusters: async () => [{ name: 'prod', mesh: 'linkerd' }],
    };
    const module = createBackendModule({
      pluginId: 'mesh-posture',
      moduleId: 'test-clusters',
      register(env) {
        env.registerInit({
          deps: { clusters: meshPostureClustersExtensionPoint },
          async init({ clusters }) {
            clusters.addClusterProvider(provider);
          },
        });
      },
    });
    await startTestBackend({ features: [plugin, module] });
    expect(received).toEqual([provider]);
    await expect(received[0].getClusters()).resolves.toEqual([
      { name: 'prod', mesh: 'linkerd' },
    ]);
  });
});
