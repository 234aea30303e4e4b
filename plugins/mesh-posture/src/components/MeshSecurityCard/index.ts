export { MeshSecurityCard, MeshSecurityContent } from './MeshSecurityCard';
