export { EgressSection } from './EgressSection';
