export { ZeroTrustScoreCard } from './ZeroTrustScoreCard';
