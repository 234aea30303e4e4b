export * from './types';
export * from './summarize';
export * from './grpcStatus';
