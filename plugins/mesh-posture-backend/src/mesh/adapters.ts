import type {
  MeshAdapter,
  MeshObjectAdapter,
} from '@mesh-posture/plugin-mesh-posture-node';
import { istioAdapter } from './istio/istioAdapter';
import { linkerdAdapter } from './linkerd/linkerdAdapter';
import type { BuiltInMeshAdapter } from './MeshAdapter';

/** The meshes the backend ships: `meshPosture.clusters` may name these. */
export const builtInMeshAdapters: Record<string, BuiltInMeshAdapter> = {
  linkerd: linkerdAdapter,
  istio: istioAdapter,
};

/** True for a mesh the backend ships. */
export function isBuiltInMesh(mesh: string): boolean {
  return Object.prototype.hasOwnProperty.call(builtInMeshAdapters, mesh);
}

/** A mesh name, as the OpenAPI document's MeshName allows. */
export const MESH_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The adapter of every mesh the posture reads: the built-in ones and those
 * modules add through meshPostureMeshesExtensionPoint.
 */
export class MeshAdapters {
  private readonly byMesh = new Map<string, MeshAdapter>(
    Object.entries(builtInMeshAdapters),
  );

  constructor(added: Iterable<[string, MeshAdapter]> = []) {
    for (const [mesh, adapter] of added) {
      if (!MESH_NAME.test(mesh)) {
        throw new Error(`Mesh name "${mesh}" must match ${MESH_NAME}`);
      }
      if (this.byMesh.has(mesh)) {
        throw new Error(`The mesh "${mesh}" has an adapter already`);
      }
      this.byMesh.set(mesh, adapter);
    }
  }

  /** The adapter of a mesh, or undefined when no adapter reads it. */
  get(mesh: string): MeshAdapter | undefined {
    return this.byMesh.get(mesh);
  }

  /** Each mesh's object reader, as the posture assembler takes them. */
  objectAdapters(): Record<string, MeshObjectAdapter> {
    return Object.fromEntries(
      [...this.byMesh].map(([mesh, adapter]) => [mesh, adapter.objects]),
    );
  }
}
