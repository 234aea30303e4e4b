import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The Compliance tab of an entity page.
 * @public
 */
export const complianceRouteRef = createRouteRef({
  id: 'mesh-posture:compliance',
});

/**
 * The "Zero trust" page: scorecards across the catalog.
 * @public
 */
export const zeroTrustPageRouteRef = createRouteRef({
  id: 'mesh-posture:zero-trust-page',
});
