import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  meshPostureClustersExtensionPoint,
  meshPostureSeedsExtensionPoint,
} from '@mesh-posture/plugin-mesh-posture-node';
import { demoCanaryHistory } from './demoCanaryHistory';
import { demoChecklistSeed } from './demoChecklists';
import { DemoMesh } from './DemoMesh';

/**
 * The demo mesh as a module of the `mesh-posture` backend plugin: with
 * `meshPosture.demo: true` it adds the simulated clusters and gives a fresh
 * database the demo's past (checklists, a week of canary rollouts, a month
 * of daily scorecards). Without it, it adds nothing.
 * @public
 */
export const meshPostureModuleDemo = createBackendModule({
  pluginId: 'mesh-posture',
  moduleId: 'demo',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        clusters: meshPostureClustersExtensionPoint,
        seeds: meshPostureSeedsExtensionPoint,
      },
      async init({ config, logger, clusters, seeds }) {
        if (!config.getOptionalBoolean('meshPosture.demo')) {
          logger.info(
            'The demo mesh module is installed but off (meshPosture.demo is not true)',
          );
          return;
        }
        logger.info('Serving the built-in demo mesh (meshPosture.demo: true)');
        const mesh = new DemoMesh();
        clusters.addClusterProvider(mesh);
        seeds.addChecklists(demoChecklistSeed);
        seeds.addCanaryHistory(now => demoCanaryHistory(now, 7));
        // The demo is deterministic in time: its past can be snapshotted,
        // each day as it was before today (its story dated from now).
        seeds.addScorecardHistory({
          days: 30,
          providers: [mesh],
          providersAt: at => [
            new DemoMesh({ now: () => at, present: new Date() }),
          ],
        });
      },
    });
  },
});
