import type {
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';

const sameWorkload = (a: WorkloadRef, b: WorkloadRef) =>
  a.namespace === b.namespace && a.name === b.name && a.kind === b.kind;

/**
 * The inbound traffic of a workload that has no proxy: what its callers'
 * proxies report sending it. Nothing at the destination can terminate
 * mTLS, so every such request arrived in plaintext, whatever the caller's
 * sidecar could tell of it.
 */
export function inboundOfUnmeshed(
  workload: WorkloadRef,
  clientReported: TrafficObservation[],
): TrafficObservation[] {
  return clientReported
    .filter(c => sameWorkload(c.workload, workload))
    .map(c => ({
      workload,
      direction: 'inbound' as const,
      peer: c.peer,
      mtls: false,
      noTlsReason:
        !c.mtls && !c.unverified && c.noTlsReason
          ? c.noTlsReason
          : 'no proxy at the destination to terminate mTLS',
      reportedBy: 'peer' as const,
      requestsPerSecond: c.requestsPerSecond,
      ...(c.protocol ? { protocol: c.protocol } : {}),
      ...(c.tcp ? { tcp: c.tcp } : {}),
    }));
}

/**
 * Names the plaintext callers a workload's own proxy could not name: the
 * callers whose own proxies report sending it plaintext. The destination's
 * figure stands; it is shared among those callers by their reported rates,
 * and what they do not account for stays unidentified (callers without a
 * proxy report nothing).
 */
export function nameUnidentifiedCallers(
  traffic: TrafficObservation[],
  clientReported: TrafficObservation[],
): TrafficObservation[] {
  // HTTP lines only: requests are shared by rates, bytes are not.
  const unnamed = (t: TrafficObservation) =>
    t.protocol !== 'tcp' &&
    t.direction === 'inbound' &&
    !t.mtls &&
    !t.probe &&
    !t.unverified &&
    !t.peer.workload &&
    !t.peer.identity;
  const out: TrafficObservation[] = [];
  const byWorkload = new Map<string, TrafficObservation[]>();
  for (const c of clientReported) {
    if (c.mtls || c.unverified || c.protocol === 'tcp') continue;
    if (!(c.requestsPerSecond > 0)) continue;
    const key = `${c.workload.namespace}/${c.workload.kind}/${c.workload.name}`;
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), c]);
  }
  const unnamedTotal = new Map<string, number>();
  for (const t of traffic) {
    if (!unnamed(t)) continue;
    const key = `${t.workload.namespace}/${t.workload.kind}/${t.workload.name}`;
    unnamedTotal.set(key, (unnamedTotal.get(key) ?? 0) + t.requestsPerSecond);
  }
  for (const t of traffic) {
    const key = `${t.workload.namespace}/${t.workload.kind}/${t.workload.name}`;
    const clients = byWorkload.get(key);
    if (!unnamed(t) || !clients) {
      out.push(t);
      continue;
    }
    const clientTotal = clients.reduce((n, c) => n + c.requestsPerSecond, 0);
    const scale = Math.max(clientTotal, unnamedTotal.get(key) ?? 0);
    let named = 0;
    for (const c of clients) {
      const rps = (t.requestsPerSecond * c.requestsPerSecond) / scale;
      named += rps;
      out.push({ ...t, peer: c.peer, requestsPerSecond: rps });
    }
    const rest = t.requestsPerSecond - named;
    if (rest > t.requestsPerSecond * 1e-9) {
      out.push({ ...t, requestsPerSecond: rest });
    }
  }
  return out;
}
