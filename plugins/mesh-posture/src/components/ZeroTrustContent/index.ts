export { ZeroTrustContent, ZeroTrustReport } from './ZeroTrustContent';
