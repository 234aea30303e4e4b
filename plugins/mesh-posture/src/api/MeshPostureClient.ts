import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ChecklistAnswerRequest,
  checklistApiPath,
  ChecklistAttestationRequest,
  ChecklistConflictBody,
  ChecklistExemptionRequest,
  ChecklistExportFormat,
  ChecklistHistoryResponse,
  ChecklistView,
  EntityChecklistsResponse,
  entityApiPath,
  MeshPosture,
  PostureHistoryResponse,
  PostureWindow,
  GoldenSignals,
  SignalWindow,
  EntityScoreResponse,
  EntityCanaryResponse,
  DataflowResponse,
  MESH_POSTURE_API_VERSION,
  ScorecardFilter,
  ScorecardsResponse,
  ScoreTrendResponse,
  SnapshotRun,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ChecklistConflictError, MeshPostureApi } from './MeshPostureApi';

/**
 * The default {@link MeshPostureApi}: calls `/api/mesh-posture` with the
 * signed-in user's token.
 * @public
 */
export class MeshPostureClient implements MeshPostureApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  private async fetch(
    method: string,
    path: string,
    query: Record<string, string> | URLSearchParams = {},
    body?: unknown,
  ): Promise<Response> {
    const base = await this.discoveryApi.getBaseUrl('mesh-posture');
    const search = new URLSearchParams(query).toString();
    const response = await this.fetchApi.fetch(
      `${base}${path}${search ? `?${search}` : ''}`,
      body === undefined
        ? { method }
        : {
            method,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          },
    );
    if (response.status === 409) {
      const conflict = (await response
        .clone()
        .json()
        .catch(() => undefined)) as ChecklistConflictBody | undefined;
      if (conflict?.current) {
        throw new ChecklistConflictError(
          conflict.error.message,
          conflict.current,
        );
      }
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  private async json<T>(
    method: string,
    path: string,
    query: Record<string, string> | URLSearchParams = {},
    body?: unknown,
  ): Promise<T> {
    return (await (await this.fetch(method, path, query, body)).json()) as T;
  }

  getPosture(
    entityRef: CompoundEntityRef,
    options: { window?: PostureWindow } = {},
  ): Promise<MeshPosture> {
    return this.json(
      'GET',
      `${entityApiPath(entityRef)}/posture`,
      options.window ? { window: options.window } : {},
    );
  }

  getPostureHistory(
    entityRef: CompoundEntityRef,
    options: { days?: number } = {},
  ): Promise<PostureHistoryResponse> {
    return this.json(
      'GET',
      `${entityApiPath(entityRef)}/posture/history`,
      options.days ? { days: String(options.days) } : {},
    );
  }

  getSignals(
    entityRef: CompoundEntityRef,
    options: { window?: SignalWindow; direction?: 'inbound' | 'outbound' } = {},
  ): Promise<GoldenSignals> {
    return this.json('GET', `${entityApiPath(entityRef)}/signals`, {
      ...(options.window ? { window: options.window } : {}),
      ...(options.direction ? { direction: options.direction } : {}),
    });
  }

  getChecklists(
    entityRef: CompoundEntityRef,
  ): Promise<EntityChecklistsResponse> {
    return this.json('GET', checklistApiPath(entityRef));
  }

  getChecklistHistory(
    entityRef: CompoundEntityRef,
    templateId: string,
    options: { limit?: number; beforeVersion?: number } = {},
  ): Promise<ChecklistHistoryResponse> {
    const query: Record<string, string> = {};
    if (options.limit !== undefined) query.limit = String(options.limit);
    if (options.beforeVersion !== undefined) {
      query.beforeVersion = String(options.beforeVersion);
    }
    return this.json(
      'GET',
      checklistApiPath(entityRef, templateId, 'history'),
      query,
    );
  }

  answerChecklistItem(
    entityRef: CompoundEntityRef,
    templateId: string,
    itemId: string,
    request: ChecklistAnswerRequest,
  ): Promise<ChecklistView> {
    return this.json(
      'PUT',
      checklistApiPath(entityRef, templateId, 'items', itemId, 'answer'),
      {},
      request,
    );
  }

  exemptChecklistItem(
    entityRef: CompoundEntityRef,
    templateId: string,
    itemId: string,
    request: ChecklistExemptionRequest,
  ): Promise<ChecklistView> {
    return this.json(
      'PUT',
      checklistApiPath(entityRef, templateId, 'items', itemId, 'exemption'),
      {},
      request,
    );
  }

  revokeChecklistExemption(
    entityRef: CompoundEntityRef,
    templateId: string,
    itemId: string,
    options: { baseVersion: number },
  ): Promise<ChecklistView> {
    return this.json(
      'DELETE',
      checklistApiPath(entityRef, templateId, 'items', itemId, 'exemption'),
      { baseVersion: String(options.baseVersion) },
    );
  }

  attestChecklist(
    entityRef: CompoundEntityRef,
    templateId: string,
    request: ChecklistAttestationRequest,
  ): Promise<ChecklistView> {
    return this.json(
      'POST',
      checklistApiPath(entityRef, templateId, 'attestations'),
      {},
      request,
    );
  }

  async exportChecklists(
    entityRef: CompoundEntityRef,
    format: ChecklistExportFormat,
  ): Promise<{ filename: string; content: Blob }> {
    const response = await this.fetch(
      'GET',
      checklistApiPath(entityRef, 'export'),
      { format },
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      `checklists.${format === 'markdown' ? 'md' : 'json'}`;
    return { filename, content: await response.blob() };
  }

  async exportOscalAssessmentResults(
    entityRefs: string[],
  ): Promise<{ filename: string; content: Blob }> {
    const query = new URLSearchParams();
    for (const ref of entityRefs) query.append('entityRef', ref);
    const response = await this.fetch(
      'GET',
      `/${MESH_POSTURE_API_VERSION}/oscal/assessment-results`,
      query,
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      'oscal-assessment-results.json';
    return { filename, content: await response.blob() };
  }

  getScorecards(filter: ScorecardFilter = {}): Promise<ScorecardsResponse> {
    return this.json(
      'GET',
      `/${MESH_POSTURE_API_VERSION}/scorecards`,
      filterQuery(filter),
    );
  }

  getScoreTrend(
    options: {
      days?: number;
      groupBy?: 'owner' | 'system';
      filter?: ScorecardFilter;
    } = {},
  ): Promise<ScoreTrendResponse> {
    const query = filterQuery(options.filter ?? {});
    if (options.days !== undefined) query.set('days', String(options.days));
    if (options.groupBy) query.set('groupBy', options.groupBy);
    return this.json(
      'GET',
      `/${MESH_POSTURE_API_VERSION}/scorecards/trend`,
      query,
    );
  }

  async exportScorecardsCsv(
    filter: ScorecardFilter = {},
  ): Promise<{ filename: string; content: Blob }> {
    const query = filterQuery(filter);
    query.set('format', 'csv');
    const response = await this.fetch(
      'GET',
      `/${MESH_POSTURE_API_VERSION}/scorecards/export`,
      query,
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      'zero-trust-scorecards.csv';
    return { filename, content: await response.blob() };
  }

  async exportCertificateInventory(
    format: 'json' | 'csv',
  ): Promise<{ filename: string; content: Blob }> {
    const response = await this.fetch(
      'GET',
      `/${MESH_POSTURE_API_VERSION}/certificates`,
      new URLSearchParams({ format }),
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      `certificate-inventory.${format}`;
    return { filename, content: await response.blob() };
  }

  getEntityScore(
    entityRef: CompoundEntityRef,
    options: { days?: number } = {},
  ): Promise<EntityScoreResponse> {
    return this.json(
      'GET',
      `${entityApiPath(entityRef)}/score`,
      options.days ? { days: String(options.days) } : {},
    );
  }

  takeSnapshot(): Promise<{ run: SnapshotRun | null }> {
    return this.json('POST', `/${MESH_POSTURE_API_VERSION}/snapshots`);
  }

  getCanary(entityRef: CompoundEntityRef): Promise<EntityCanaryResponse> {
    return this.json('GET', `${entityApiPath(entityRef)}/canary`);
  }

  getDataflow(
    entityRefs: string[],
    options: { from?: string; to?: string } = {},
  ): Promise<DataflowResponse> {
    const query = new URLSearchParams();
    for (const ref of entityRefs) query.append('entityRef', ref);
    if (options.from) query.set('from', options.from);
    if (options.to) query.set('to', options.to);
    return this.json('GET', `/${MESH_POSTURE_API_VERSION}/dataflow`, query);
  }
}

/** Each filter value as its own query parameter (`owner=a&owner=b`). */
function filterQuery(filter: ScorecardFilter): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, values] of Object.entries(filter)) {
    for (const value of values ?? []) query.append(key, value);
  }
  return query;
}
