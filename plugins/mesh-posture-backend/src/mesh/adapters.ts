import type { MeshKind } from '@mesh-posture/plugin-mesh-posture-common';
import { istioAdapter } from './istio/istioAdapter';
import { linkerdAdapter } from './linkerd/linkerdAdapter';
import type { MeshAdapter, MeshObjectAdapter } from './MeshAdapter';

/** The adapter of each mesh the posture reads. */
export const meshAdapters: Record<MeshKind, MeshAdapter> = {
  linkerd: linkerdAdapter,
  istio: istioAdapter,
};

/** True for a mesh an adapter reads. */
export function isMeshKind(mesh: string): mesh is MeshKind {
  return Object.prototype.hasOwnProperty.call(meshAdapters, mesh);
}

/** Each mesh's object reader, as the posture assembler takes them. */
export function meshObjectAdapters(): Record<MeshKind, MeshObjectAdapter> {
  return Object.fromEntries(
    Object.entries(meshAdapters).map(([mesh, adapter]) => [
      mesh,
      adapter.objects,
    ]),
  ) as Record<MeshKind, MeshObjectAdapter>;
}
