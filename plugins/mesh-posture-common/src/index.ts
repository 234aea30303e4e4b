/**
 * Types, annotations, permissions and pure posture logic shared by the Mesh
 * Posture frontend and backend.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './permissions';
export * from './types';
export * from './labelSelector';
export * from './workloadRef';
export * from './dates';
export * from './checks';
export * from './posture/assessPosture';
export * from './posture/evidence';
export * from './posture/findings';
export { describeBypass } from './posture/meshBypass';
export { describePlaintextReason } from './posture/plaintextReasons';
export * from './api';
export * from './signals';
export * from './checklists';
export * from './scorecards';
export * from './canaries';
