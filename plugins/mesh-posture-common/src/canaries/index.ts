export * from './types';
export * from './deployments';
