export * from './MeshPostureApi';
export * from './MeshPostureClient';
