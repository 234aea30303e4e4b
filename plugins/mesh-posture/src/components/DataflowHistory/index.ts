export { DataflowHistory, fromEntitySide } from './DataflowHistory';
