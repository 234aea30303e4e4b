export { TrafficGraph } from './TrafficGraph';
