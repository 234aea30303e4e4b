export * from './types';
export * from './deployments';
export * from './roles';
export * from './signalsByRole';
