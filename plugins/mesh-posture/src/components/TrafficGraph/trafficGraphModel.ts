import type {
  EdgeSecurity,
  MeshPosture,
} from '@mesh-posture/plugin-mesh-posture-common';
import { formatByteRate } from '@mesh-posture/plugin-mesh-posture-common';
import { formatRate, formatShare } from '../shared/format';

/** How an edge of the graph is drawn: by what the mesh could prove of it. */
export type TrafficLinkState =
  | 'mtls'
  | 'partial'
  | 'plaintext'
  | 'unverified'
  | 'denied';

export interface TrafficNode {
  id: string;
  /** The name shown: the peer's entity or workload, or its identity. */
  name: string;
  /** A second line: the workload (a canary's or primary's), the cluster. */
  detail?: string;
  entityRef?: string;
  /** One of the entity's own workloads. */
  own: boolean;
}

export interface TrafficLink {
  from: string;
  to: string;
  state: TrafficLinkState;
  /** "mTLS 100% · 12.0 req/s", "plaintext · 1.6 req/s", "refused 1,210×". */
  text: string;
}

const ownId = (w: { namespace: string; name: string }) =>
  `own:${w.namespace}/${w.name}`;

function stateOf(edge: EdgeSecurity): TrafficLinkState {
  if (edge.mtlsShare === null) return 'unverified';
  if (edge.mtlsShare >= 1 && !(edge.unverifiedRequestsPerSecond ?? 0)) {
    return 'mtls';
  }
  return edge.mtlsShare === 0 ? 'plaintext' : 'partial';
}

function textOf(edge: EdgeSecurity, state: TrafficLinkState): string {
  const rate = edge.tcp
    ? `${formatByteRate(edge.tcp.bytesPerSecond)} TCP`
    : formatRate(edge.requestsPerSecond);
  switch (state) {
    case 'mtls':
      return `mTLS · ${rate}`;
    case 'partial':
      return `mTLS ${formatShare(edge.mtlsShare!)} · ${rate}`;
    case 'plaintext':
      return `plaintext · ${rate}`;
    default:
      return `not observed · ${rate}`;
  }
}

/**
 * The entity's workloads, the peers one hop out (one node per peer entity,
 * or per workload or identity where no entity matches), and an edge per
 * direction and protocol, marked by what was proved of it; refused callers
 * as edges of their own.
 */
export function trafficGraphOf(posture: MeshPosture): {
  nodes: TrafficNode[];
  links: TrafficLink[];
} {
  const nodes = new Map<string, TrafficNode>();
  for (const w of posture.workloads) {
    nodes.set(ownId(w.workload), {
      id: ownId(w.workload),
      name: w.workload.name,
      detail: w.workload.cluster,
      own: true,
    });
  }
  const own = (w: { namespace?: string; workload?: string }) =>
    w.namespace && w.workload
      ? nodes.get(ownId({ namespace: w.namespace, name: w.workload }))
      : undefined;
  const peerNode = (
    peer: EdgeSecurity['peer'],
    ourCluster: string,
  ): TrafficNode => {
    const mine = own(peer);
    if (mine && (!peer.cluster || peer.cluster === ourCluster)) return mine;
    const elsewhere =
      peer.cluster && peer.cluster !== ourCluster ? peer.cluster : undefined;
    const id = `peer:${elsewhere ?? ''}|${
      peer.entityRef ??
      (peer.workload
        ? `${peer.namespace ?? ''}/${peer.workload}`
        : peer.identity ?? 'unidentified')
    }`;
    let node = nodes.get(id);
    if (!node) {
      const entityName = peer.entityRef?.split('/').pop();
      node = {
        id,
        name:
          entityName ?? peer.workload ?? peer.identity ?? 'unidentified client',
        detail:
          [
            entityName && peer.workload && peer.workload !== entityName
              ? peer.workload
              : undefined,
            elsewhere ? `cluster ${elsewhere}` : undefined,
          ]
            .filter(Boolean)
            .join(' · ') || undefined,
        ...(peer.entityRef ? { entityRef: peer.entityRef } : {}),
        own: false,
      };
      nodes.set(id, node);
    }
    return node;
  };

  const links: TrafficLink[] = [];
  for (const edge of posture.edges) {
    const self = nodes.get(ownId(edge.workload));
    if (!self) continue;
    const peer = peerNode(edge.peer, edge.workload.cluster);
    // An edge between two of the entity's own workloads is drawn once,
    // from the caller's side.
    if (peer.own && edge.direction === 'inbound') continue;
    const state = stateOf(edge);
    links.push({
      from: edge.direction === 'inbound' ? peer.id : self.id,
      to: edge.direction === 'inbound' ? self.id : peer.id,
      state,
      text: textOf(edge, state),
    });
  }
  for (const denied of posture.deniedCallers) {
    const self = nodes.get(ownId(denied.workload));
    if (!self) continue;
    const peer = peerNode(
      { identity: denied.identity ?? 'unidentified client' },
      denied.workload.cluster,
    );
    links.push({
      from: peer.id,
      to: self.id,
      state: 'denied',
      text: `refused ${denied.count.toLocaleString('en-US')}× in ${
        posture.callerWindow
      }`,
    });
  }
  return { nodes: [...nodes.values()], links: merged(links) };
}

/** The worst first: what a merged edge is drawn as. */
const SEVERITY: Record<TrafficLinkState, number> = {
  plaintext: 4,
  partial: 3,
  denied: 2,
  unverified: 1,
  mtls: 0,
};

/**
 * One edge per pair of nodes: the graph draws one between two nodes (a
 * second would replace the first), so a peer's HTTP and TCP, or the calls
 * of a peer entity's canary and primary, are one edge drawn as the worst
 * of them, labelled with each.
 */
function merged(links: TrafficLink[]): TrafficLink[] {
  const byPair = new Map<string, TrafficLink[]>();
  for (const link of links) {
    const pair = `${link.from}\u0000${link.to}`;
    byPair.set(pair, [...(byPair.get(pair) ?? []), link]);
  }
  return [...byPair.values()].map(group => {
    const worst = [...group].sort(
      (a, b) => SEVERITY[b.state] - SEVERITY[a.state],
    );
    return {
      ...worst[0],
      text: worst.map(l => l.text).join('; '),
    };
  });
}
