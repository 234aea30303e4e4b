import { Entity } from '@backstage/catalog-model';
import { ApiRef } from '@backstage/core-plugin-api';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import {
  renderInTestApp,
  TestApiProvider,
  TestAppOptions,
} from '@backstage/test-utils';
import { ReactElement } from 'react';
import { meshPostureApiRef } from '../api';
import { testMeshPostureClient } from './testApi';

/**
 * A service in the catalog that names its workloads, as the entity page
 * tests show it: owned by open-banking-team, in production.
 */
export function serviceEntity(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': name },
    },
    spec: {
      type: 'service',
      owner: 'open-banking-team',
      lifecycle: 'production',
    },
  };
}

/** The same entity without the annotation that names its workloads. */
export function withoutWorkloadAnnotation(entity: Entity): Entity {
  return {
    ...entity,
    metadata: {
      name: entity.metadata.name,
      namespace: entity.metadata.namespace,
    },
  };
}

/**
 * Renders a card or tab on the entity's page, with the real client talking
 * to msw, and any other APIs and routes the test needs.
 */
export function renderOnEntityPage(
  element: ReactElement,
  options: {
    entity: Entity;
    apis?: ReadonlyArray<readonly [ApiRef<any>, any]>;
    mountedRoutes?: TestAppOptions['mountedRoutes'];
  },
) {
  const { entity, apis = [], mountedRoutes } = options;
  return renderInTestApp(
    <TestApiProvider
      apis={[[meshPostureApiRef, testMeshPostureClient()], ...apis]}
    >
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        ...mountedRoutes,
      },
    },
  );
}
