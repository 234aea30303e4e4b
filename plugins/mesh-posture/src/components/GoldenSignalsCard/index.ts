export { GoldenSignalsCard, GoldenSignalsContent } from './GoldenSignalsCard';
