import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  formatLabelSelector,
  isValidClusterName,
  isValidNamespaceName,
  isValidObjectName,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  ClusterObjectSource,
  KubernetesObject,
  ObjectGetQuery,
  ObjectListQuery,
  SourceCallOptions,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import { countSourceRequest } from '@mesh-posture/plugin-mesh-posture-node';

const API_VERSION =
  /^(v1|[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/v[0-9]+((alpha|beta)[0-9]+)?)$/;
const RESOURCE = /^[a-z][a-z0-9]*$/;
/** Objects per page when listing; the API server pages with `continue`. */
const PAGE_SIZE = 500;
const MAX_PAGES = 20;

/** The API path of a resource, from validated parts only. */
export function resourcePath(query: {
  apiVersion: string;
  resource: string;
  namespace?: string;
  name?: string;
}): string {
  if (!API_VERSION.test(query.apiVersion)) {
    throw new Error(`invalid apiVersion ${query.apiVersion}`);
  }
  if (!RESOURCE.test(query.resource)) {
    throw new Error(`invalid resource ${query.resource}`);
  }
  if (query.namespace !== undefined && !isValidNamespaceName(query.namespace)) {
    throw new Error(`invalid namespace ${query.namespace}`);
  }
  if (query.name !== undefined && !isValidObjectName(query.name)) {
    throw new Error(`invalid name ${query.name}`);
  }
  const root =
    query.apiVersion === 'v1' ? '/api/v1' : `/apis/${query.apiVersion}`;
  const ns = query.namespace ? `/namespaces/${query.namespace}` : '';
  const name = query.name ? `/${query.name}` : '';
  return `${root}${ns}/${query.resource}${name}`;
}

function describeQuery(query: {
  apiVersion: string;
  resource: string;
  namespace?: string;
}): string {
  const group = query.apiVersion.includes('/')
    ? `.${query.apiVersion.split('/')[0]}`
    : '';
  return `${query.resource}${group}${
    query.namespace ? ` in ${query.namespace}` : ' in all namespaces'
  }`;
}

/**
 * Reads a cluster's API through the Backstage Kubernetes plugin
 * (`/api/kubernetes/proxy`, header `Backstage-Kubernetes-Cluster`), with this
 * plugin's own service token. Clusters, their URLs and credentials are the
 * Kubernetes plugin's configuration: nothing to configure twice.
 */
export class KubernetesPluginObjectSource implements ClusterObjectSource {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly fetchImpl: typeof fetch;

  constructor(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch?: typeof fetch;
  }) {
    this.discovery = options.discovery;
    this.auth = options.auth;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async list(
    query: ObjectListQuery,
    options: SourceCallOptions,
  ): Promise<KubernetesObject[] | undefined> {
    const items: KubernetesObject[] = [];
    let continueToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (query.selector) {
        params.set('labelSelector', formatLabelSelector(query.selector));
      }
      if (continueToken) params.set('continue', continueToken);
      const body = await this.request(
        query.cluster,
        `${resourcePath(query)}?${params}`,
        describeQuery(query),
        options.signal,
      );
      if (body === undefined) {
        return undefined;
      }
      if (!Array.isArray(body.items)) {
        throw new SourceError(
          'invalid-response',
          `listing ${describeQuery(query)} returned no items`,
        );
      }
      items.push(...body.items);
      continueToken = body.metadata?.continue || undefined;
      if (!continueToken) {
        return items;
      }
    }
    throw new SourceError(
      'invalid-response',
      `listing ${describeQuery(query)} returned more than ${
        PAGE_SIZE * MAX_PAGES
      } objects`,
    );
  }

  async get(
    query: ObjectGetQuery,
    options: SourceCallOptions,
  ): Promise<KubernetesObject | undefined> {
    return this.request(
      query.cluster,
      resourcePath(query),
      `${describeQuery(query)} named ${query.name}`,
      options.signal,
    );
  }

  private async request(
    cluster: string,
    path: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<any | undefined> {
    if (!isValidClusterName(cluster)) {
      throw new SourceError('invalid-response', `invalid cluster name`);
    }
    countSourceRequest('kubernetesReads');
    const base = await this.discovery.getBaseUrl('kubernetes');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'kubernetes',
    });
    let response: Response;
    try {
      response = await this.fetchImpl(`${base}/proxy${path}`, {
        headers: {
          Authorization: `Bearer ${token}`,
          'Backstage-Kubernetes-Cluster': cluster,
          Accept: 'application/json',
        },
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new SourceError(
        'unavailable',
        `cannot reach the Kubernetes plugin: ${(error as Error).message.slice(
          0,
          120,
        )}`,
      );
    }
    if (response.status === 404) {
      const body = await response.json().catch(() => undefined);
      // The API server answers a `Status`: the resource is not served (CRD
      // not installed) or the object does not exist. Anything else is the
      // Kubernetes plugin itself, for example an unknown cluster.
      if (body?.kind === 'Status') {
        return undefined;
      }
      const message = String(body?.error?.message ?? 'not found').slice(0, 160);
      throw new SourceError(
        'unavailable',
        `the Kubernetes plugin cannot read ${cluster}: ${message}`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new SourceError(
        'unavailable',
        `not allowed to read ${what} on ${cluster} (${response.status}): grant it in the ClusterRole of the Kubernetes plugin's service account`,
      );
    }
    if (!response.ok) {
      const detail = await response.text().catch(() => '');
      throw new SourceError(
        response.status >= 500 ? 'unavailable' : 'invalid-response',
        `reading ${what} on ${cluster} failed with ${response.status}${
          detail ? `: ${detail.slice(0, 160)}` : ''
        }`,
      );
    }
    try {
      return await response.json();
    } catch {
      throw new SourceError(
        'invalid-response',
        `reading ${what} on ${cluster} returned something that is not JSON`,
      );
    }
  }
}
