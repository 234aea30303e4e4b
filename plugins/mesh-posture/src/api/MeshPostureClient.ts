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
    query: Record<string, string> = {},
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
    query: Record<string, string> = {},
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
}
