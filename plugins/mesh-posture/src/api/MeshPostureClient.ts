import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  entityApiPath,
  MeshPosture,
  PostureHistoryResponse,
  PostureWindow,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { MeshPostureApi } from './MeshPostureApi';

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

  private async get<T>(
    path: string,
    query: Record<string, string>,
  ): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('mesh-posture');
    const search = new URLSearchParams(query).toString();
    const response = await this.fetchApi.fetch(
      `${base}${path}${search ? `?${search}` : ''}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  getPosture(
    entityRef: CompoundEntityRef,
    options: { window?: PostureWindow } = {},
  ): Promise<MeshPosture> {
    return this.get(
      `${entityApiPath(entityRef)}/posture`,
      options.window ? { window: options.window } : {},
    );
  }

  getPostureHistory(
    entityRef: CompoundEntityRef,
    options: { days?: number } = {},
  ): Promise<PostureHistoryResponse> {
    return this.get(
      `${entityApiPath(entityRef)}/posture/history`,
      options.days ? { days: String(options.days) } : {},
    );
  }
}
