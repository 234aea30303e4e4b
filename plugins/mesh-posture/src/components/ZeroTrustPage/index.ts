export { ZeroTrustPage, ZeroTrustScorecards } from './ZeroTrustPage';
