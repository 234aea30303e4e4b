export * from './types';
export * from './read';
