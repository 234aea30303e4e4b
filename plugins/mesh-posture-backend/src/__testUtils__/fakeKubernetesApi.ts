import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  matchesLabelSelector,
  parseLabelSelector,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  ClusterObjectSource,
  KubernetesObject,
} from '@mesh-posture/plugin-mesh-posture-node';

/*
 * A small stand-in for a Kubernetes API server, for tests: it serves the
 * objects it is given at their real API paths, with list envelopes, label
 * selectors, 404 for resources it does not serve and 403 `Status` objects for
 * resources marked forbidden. It checks the bearer token it expects, so a
 * test proves the caller (or the Backstage Kubernetes plugin in front of it)
 * authenticated the way a cluster would require.
 */

export interface FakeObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
}

export interface FakeKubernetesApi {
  url: string;
  /** Requests received, as `GET <path>?<query>`. */
  requests: string[];
  stop(): Promise<void>;
}

/** Plural resource names of the kinds tests use. */
const PLURALS: Record<string, string> = {
  Pod: 'pods',
  Namespace: 'namespaces',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  Server: 'servers',
  AuthorizationPolicy: 'authorizationpolicies',
  MeshTLSAuthentication: 'meshtlsauthentications',
  NetworkAuthentication: 'networkauthentications',
  ServerAuthorization: 'serverauthorizations',
  HTTPRoute: 'httproutes',
  PeerAuthentication: 'peerauthentications',
  Certificate: 'certificates',
  Canary: 'canaries',
  Bundle: 'bundles',
  NetworkPolicy: 'networkpolicies',
  EgressNetwork: 'egressnetworks',
  TLSRoute: 'tlsroutes',
  TCPRoute: 'tcproutes',
  Sidecar: 'sidecars',
  ServiceEntry: 'serviceentries',
  DestinationRule: 'destinationrules',
};

function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

export async function startFakeKubernetesApi(options: {
  objects: FakeObject[];
  token: string;
  /** `resource.group` (e.g. `servers.policy.linkerd.io`) answered with 403. */
  forbidden?: string[];
}): Promise<FakeKubernetesApi> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      send(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    // /api/v1[/namespaces/{ns}]/{resource}[/{name}]
    // /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}]
    const parts = url.pathname.split('/').filter(Boolean);
    let apiVersion: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      apiVersion = 'v1';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 4) {
      apiVersion = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else {
      send(
        404,
        status(
          404,
          'NotFound',
          'the server could not find the requested resource',
        ),
      );
      return;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name] = rest;
    const group = apiVersion.includes('/')
      ? `.${apiVersion.split('/')[0]}`
      : '';
    if (options.forbidden?.includes(`${resource}${group}`)) {
      send(
        403,
        status(
          403,
          'Forbidden',
          `${resource}${group} is forbidden: User "system:serviceaccount:backstage:backstage" cannot list resource "${resource}"`,
        ),
      );
      return;
    }
    const served = options.objects.filter(
      o => o.apiVersion === apiVersion && PLURALS[o.kind] === resource,
    );
    const servesResource =
      served.length > 0 ||
      (apiVersion === 'v1' &&
        ['pods', 'namespaces', 'configmaps', 'secrets'].includes(resource));
    if (!servesResource) {
      send(
        404,
        status(
          404,
          'NotFound',
          'the server could not find the requested resource',
        ),
      );
      return;
    }
    let matching = served.filter(
      o =>
        !namespace ||
        o.metadata.namespace === namespace ||
        resource === 'namespaces',
    );
    if (name) {
      const found = matching.find(o => o.metadata.name === name);
      if (found) send(200, found);
      else
        send(404, status(404, 'NotFound', `${resource} "${name}" not found`));
      return;
    }
    const selectorText = url.searchParams.get('labelSelector');
    if (selectorText) {
      const selector = parseLabelSelector(selectorText);
      matching = matching.filter(o =>
        matchesLabelSelector(selector, o.metadata.labels),
      );
    }
    const kind = served[0]?.kind ?? resource;
    send(200, {
      kind: `${kind}List`,
      apiVersion,
      metadata: { resourceVersion: '12345' },
      items: matching,
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise(resolve => server.close(() => resolve())),
  };
}

/**
 * The same objects as an in-process {@link ClusterObjectSource}, with the API
 * server's semantics: `undefined` for a resource nobody serves, label
 * selectors, namespaces. For adapter tests that do not need HTTP.
 */
export function objectSourceOf(objects: FakeObject[]): ClusterObjectSource {
  const served = (apiVersion: string, resource: string) =>
    objects.filter(
      o => o.apiVersion === apiVersion && PLURALS[o.kind] === resource,
    );
  const core = ['pods', 'namespaces', 'configmaps', 'secrets'];
  return {
    async list(query) {
      const items = served(query.apiVersion, query.resource);
      if (
        items.length === 0 &&
        !(query.apiVersion === 'v1' && core.includes(query.resource))
      ) {
        return undefined;
      }
      return items.filter(
        o =>
          (!query.namespace || o.metadata.namespace === query.namespace) &&
          (!query.selector ||
            matchesLabelSelector(query.selector, o.metadata.labels)),
      );
    },
    async get(query) {
      return served(query.apiVersion, query.resource).find(
        o =>
          o.metadata.name === query.name &&
          (query.resource === 'namespaces' ||
            o.metadata.namespace === query.namespace),
      );
    },
  };
}
