/**
 * Mesh Posture backend features built on alpha Backstage APIs.
 *
 * @packageDocumentation
 */

export {
  catalogModuleMeshPostureModel,
  meshPostureCatalogModelLayer,
} from './catalog/catalogModel';
