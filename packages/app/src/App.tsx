import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';

/*
 * Plugins listed in packages/app/package.json are discovered through
 * `app.packages: all`; Mesh Posture's entity card arrives that way from
 * `@mesh-posture/plugin-mesh-posture/alpha`.
 */
export default createApp({
  features: [catalogPlugin, navModule],
});
