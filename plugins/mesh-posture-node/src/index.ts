/**
 * Extension points and source interfaces for modules of the Mesh Posture
 * backend.
 *
 * @packageDocumentation
 */

export * from './sources';
export * from './extensions';
export * from './usage';
export * from './steps';
export * from './certificates';
export * from './seeds';
export * from './flagger';
export * from './meshes';
