import {
  CompoundEntityRef,
  Entity,
  getCompoundEntityRef,
} from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  isMeshPostureAvailable,
  KUBERNETES_ID_ANNOTATION,
} from '@mesh-posture/plugin-mesh-posture-common';
import { DependencyList, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { MeshPostureApi, meshPostureApiRef } from '../../api';

/** Where an entity page's card or tab stands with what it asked the backend. */
export interface PostureState<T> {
  /** False when the entity names no workloads, so there is nothing to ask. */
  available: boolean;
  loading: boolean;
  error?: Error;
  /** The answer to what is asked now: none while a new one loads. */
  value?: T;
}

/** The entity on the page, and what a card or tab asked the backend about it. */
export interface EntityPosture<T> extends PostureState<T> {
  entity: Entity;
  entityRef: CompoundEntityRef;
}

/**
 * The opening every card and tab on an entity page shares: the entity,
 * whether it names its workloads, and the backend's answer to `ask`,
 * asked again whenever the entity or `deps` change.
 *
 * With `needsWorkloads: false` the backend is asked about any entity, and
 * its answer (or error) says what it makes of one without workloads.
 */
export function useEntityPosture<T>(
  ask: (api: MeshPostureApi, entityRef: CompoundEntityRef) => Promise<T>,
  deps: DependencyList = [],
  options: { needsWorkloads?: boolean } = {},
): EntityPosture<T> {
  const { needsWorkloads = true } = options;
  const { entity } = useEntity();
  const api = useApi(meshPostureApiRef);
  const { kind, namespace, name } = getCompoundEntityRef(entity);
  // The same ref while the entity is the same one, even when it is re-read.
  const entityRef = useMemo(
    () => ({ kind, namespace, name }),
    [kind, namespace, name],
  );
  const available = !needsWorkloads || isMeshPostureAvailable(entity);
  const state = useAsync(
    async () => (available ? ask(api, entityRef) : undefined),
    [api, available, entityRef, ...deps],
  );
  return {
    entity,
    entityRef,
    available,
    loading: state.loading,
    error: state.error,
    // A card never shows one window's figures under another's controls.
    value: state.loading ? undefined : state.value,
  };
}

/**
 * What a card or tab shows while it has no answer: the missing workload
 * annotation, progress, or the backend's error. Nothing once it has one.
 */
export function PosturePending(props: {
  state: Omit<PostureState<unknown>, 'available'> & { available?: boolean };
}) {
  const { available = true, loading, error } = props.state;
  if (!available) {
    return (
      <MissingAnnotationEmptyState annotation={KUBERNETES_ID_ANNOTATION} />
    );
  }
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return null;
}
