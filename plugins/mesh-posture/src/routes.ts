import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The Compliance tab of an entity page.
 * @public
 */
export const complianceRouteRef = createRouteRef({
  id: 'mesh-posture:compliance',
});
