/**
 * The Mesh Posture backend plugin.
 *
 * @packageDocumentation
 */

export { meshPosturePlugin as default } from './plugin';
