import type {
  ChecklistExportFormat,
  MeshKind,
  PostureWindow,
  ScorecardFilter,
  SignalWindow,
} from '@mesh-posture/plugin-mesh-posture-common';

/*
 * The path and query of every operation in openapi.yaml, as the validator
 * hands them to a route: integers coerced, arrays normalized and each
 * parameter the spec gives a default filled in (so those are not optional
 * here). `backstage-repo-tools package schema openapi generate --server`
 * would generate this map, but it runs openapi-generator's Java jar, which
 * this project's build cannot download; `openapi.test.ts` holds the map
 * and the spec to each other instead. Bodies are read in the writes (see
 * `openapi.ts`) and responses are typed by the services, so neither is
 * mapped.
 */

type EntityPath = { kind: string; namespace: string; name: string };
type TemplatePath = EntityPath & { templateId: string };
type ItemPath = TemplatePath & { itemId: string };
type Filters = Omit<ScorecardFilter, 'mesh'> & { mesh?: MeshKind[] };

/** @internal */
export type MeshPostureEndpoints = {
  '#get|/v1/entities/{kind}/{namespace}/{name}/posture': {
    path: EntityPath;
    query: { window: PostureWindow };
  };
  '#get|/v1/entities/{kind}/{namespace}/{name}/signals': {
    path: EntityPath;
    query: { window: SignalWindow; direction: 'inbound' | 'outbound' };
  };
  '#get|/v1/entities/{kind}/{namespace}/{name}/canary': { path: EntityPath };
  '#get|/v1/entities/{kind}/{namespace}/{name}/posture/history': {
    path: EntityPath;
    query: { days: number };
  };
  '#get|/v1/entities/{kind}/{namespace}/{name}/checklists': {
    path: EntityPath;
  };
  '#get|/v1/entities/{kind}/{namespace}/{name}/checklists/export': {
    path: EntityPath;
    query: { format: ChecklistExportFormat };
  };
  '#get|/v1/entities/{kind}/{namespace}/{name}/checklists/{templateId}/history': {
    path: TemplatePath;
    query: { limit: number; beforeVersion?: number };
  };
  '#put|/v1/entities/{kind}/{namespace}/{name}/checklists/{templateId}/items/{itemId}/answer': {
    path: ItemPath;
  };
  '#put|/v1/entities/{kind}/{namespace}/{name}/checklists/{templateId}/items/{itemId}/exemption': {
    path: ItemPath;
  };
  '#_delete|/v1/entities/{kind}/{namespace}/{name}/checklists/{templateId}/items/{itemId}/exemption': {
    path: ItemPath;
    query: { baseVersion: number };
  };
  '#post|/v1/entities/{kind}/{namespace}/{name}/checklists/{templateId}/attestations': {
    path: TemplatePath;
  };
  '#get|/v1/entities/{kind}/{namespace}/{name}/score': {
    path: EntityPath;
    query: { days: number };
  };
  '#get|/v1/scorecards': { query: Filters };
  '#get|/v1/scorecards/trend': {
    query: Filters & { days: number; groupBy: 'owner' | 'system' };
  };
  '#get|/v1/scorecards/export': { query: Filters & { format: 'csv' } };
  '#get|/v1/certificates': { query: { format: 'json' | 'csv' } };
  '#get|/v1/oscal/assessment-results': { query: { entityRef: string[] } };
  '#post|/v1/snapshots': {};
  '#get|/v1/dataflow': {
    query: { entityRef: string[]; from?: string; to?: string };
  };
  '#get|/openapi.json': {};
};
