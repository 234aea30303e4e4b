export * from './types';
export * from './summarize';
