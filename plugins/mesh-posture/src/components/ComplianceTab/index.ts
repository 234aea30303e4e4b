export { ComplianceTab } from './ComplianceTab';
