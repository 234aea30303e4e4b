import type {
  AdmittedIdentity,
  CertificateStatus,
  DeniedCaller,
  MeshGap,
  PortAuthorization,
  CheckStatus,
  EdgeSecurity,
  MeshPosture,
  PostureCheck,
  PostureVerdict,
  SourceReport,
  TrafficObservation,
  TrafficSecurity,
  WorkloadPosture,
} from '../types';

/**
 * Certificates closer than this to expiry warn, as `linkerd check` does.
 * @public
 */
export const CERTIFICATE_WARNING_DAYS = 60;

/**
 * What the sources said about one entity, before assessment.
 * @public
 */
export interface PostureFacts {
  entityRef: string;
  window: string;
  generatedAt: Date;
  workloads: WorkloadPosture[];
  traffic: TrafficObservation[];
  certificates: CertificateStatus[];
  authorization: PortAuthorization[];
  admittedIdentities: AdmittedIdentity[];
  deniedCallers: DeniedCaller[];
  callerWindow: string;
  gaps: MeshGap[];
  sources: SourceReport[];
}

/**
 * The assessed posture: everything of {@link MeshPosture} that follows from
 * the facts alone (freshness and history are added by whoever serves it).
 * @public
 */
export type AssessedPosture = Omit<MeshPosture, 'freshness' | 'lastComplete'>;

function workloadKey(w: EdgeSecurity['workload']): string {
  return `${w.cluster}/${w.namespace}/${w.kind}/${w.name}`;
}

/**
 * Folds telemetry lines into one edge per (direction, own workload, peer).
 * @public
 */
export function buildEdges(traffic: TrafficObservation[]): EdgeSecurity[] {
  const edges = new Map<
    string,
    EdgeSecurity & { mtlsRequestsPerSecond: number }
  >();
  for (const t of traffic) {
    if (!Number.isFinite(t.requestsPerSecond) || t.requestsPerSecond <= 0) {
      continue;
    }
    const peerKey = [
      t.peer.namespace ?? '',
      t.peer.workload ?? '',
      t.peer.identity ?? '',
    ].join('|');
    const key = `${t.direction}|${workloadKey(t.workload)}|${peerKey}`;
    let edge = edges.get(key);
    if (!edge) {
      edge = {
        direction: t.direction,
        workload: t.workload,
        peer: {
          cluster: t.workload.cluster,
          ...(t.peer.namespace ? { namespace: t.peer.namespace } : {}),
          ...(t.peer.workload ? { workload: t.peer.workload } : {}),
          ...(t.peer.identity ? { identity: t.peer.identity } : {}),
        },
        requestsPerSecond: 0,
        mtlsShare: 0,
        plaintextReasons: [],
        mtlsRequestsPerSecond: 0,
      };
      edges.set(key, edge);
    }
    edge.requestsPerSecond += t.requestsPerSecond;
    if (t.mtls) {
      edge.mtlsRequestsPerSecond += t.requestsPerSecond;
    } else {
      const reason = t.noTlsReason || 'unknown';
      if (!edge.plaintextReasons.includes(reason)) {
        edge.plaintextReasons.push(reason);
      }
    }
  }
  return [...edges.values()]
    .map(({ mtlsRequestsPerSecond, ...edge }) => ({
      ...edge,
      mtlsShare: mtlsRequestsPerSecond / edge.requestsPerSecond,
      plaintextReasons: edge.plaintextReasons.sort(),
    }))
    .sort(
      (a, b) =>
        a.mtlsShare - b.mtlsShare || b.requestsPerSecond - a.requestsPerSecond,
    );
}

/**
 * Totals for one direction; `mtlsShare` is null without requests, so "no
 * traffic" never reads as 0% or 100%.
 * @public
 */
export function summarizeDirection(
  edges: EdgeSecurity[],
  direction: 'inbound' | 'outbound',
): TrafficSecurity {
  let total = 0;
  let mtls = 0;
  for (const e of edges) {
    if (e.direction === direction) {
      total += e.requestsPerSecond;
      mtls += e.requestsPerSecond * e.mtlsShare;
    }
  }
  return {
    requestsPerSecond: total,
    mtlsShare: total > 0 ? mtls / total : null,
    plaintextRequestsPerSecond: Math.max(0, total - mtls),
  };
}

/**
 * A share as a percentage for people: 100% only when exact, never rounded up
 * to it (99.96% shows as 99.9%).
 * @public
 */
export function formatShare(share: number): string {
  if (share >= 1) return '100%';
  if (share <= 0) return '0%';
  const tenths = Math.floor(share * 1000);
  if (tenths === 0) return '<0.1%';
  return tenths % 10 === 0 ? `${tenths / 10}%` : `${(tenths / 10).toFixed(1)}%`;
}

/** Requests per second for people. @public */
export function formatRate(rps: number): string {
  // A few failures an hour are real; "0.00 req/s" would hide them.
  if (rps > 0 && rps < 0.01) {
    const perMinute = rps * 60;
    return perMinute < 0.01
      ? '< 0.01 req/min'
      : `${perMinute.toFixed(2)} req/min`;
  }
  if (rps >= 100) return `${Math.round(rps)} req/s`;
  if (rps >= 1) return `${rps.toFixed(1)} req/s`;
  return `${rps.toFixed(2)} req/s`;
}

function peerName(edge: EdgeSecurity): string {
  const p = edge.peer;
  if (p.workload)
    return p.namespace ? `${p.namespace}/${p.workload}` : p.workload;
  if (p.identity) return p.identity;
  return 'an unidentified client';
}

function checkPods(workloads: WorkloadPosture[], kubernetesFailed: boolean) {
  const total = workloads.reduce((n, w) => n + w.totalPods, 0);
  const meshed = workloads.reduce((n, w) => n + w.meshedPods, 0);
  let status: CheckStatus;
  let detail: string;
  if (total === 0) {
    status = 'unknown';
    detail = kubernetesFailed
      ? 'pods could not be read'
      : 'no running pods matched the entity';
  } else if (meshed === total) {
    status = 'pass';
    detail = `${meshed}/${total} pods meshed`;
  } else if (meshed === 0) {
    status = 'fail';
    detail = `none of ${total} pods is meshed`;
  } else {
    status = 'warn';
    detail = `${meshed}/${total} pods meshed`;
  }
  const check: PostureCheck = {
    id: 'meshed-pods',
    title: 'Every pod runs in the mesh',
    status,
    detail,
  };
  return {
    check,
    short: total > 0 ? `${meshed}/${total} pods meshed` : undefined,
  };
}

function checkMtls(
  direction: 'inbound' | 'outbound',
  edges: EdgeSecurity[],
  totals: TrafficSecurity,
  window: string,
  telemetryFailed: boolean,
  unmeshed: boolean,
) {
  const title =
    direction === 'inbound'
      ? 'Every inbound request is mutually authenticated'
      : 'Every outbound request is mutually authenticated';
  let status: CheckStatus;
  let detail: string;
  let short: string | undefined;
  if (totals.mtlsShare === null && unmeshed) {
    // Without a proxy nothing is authenticated, and nothing is observed either.
    status = 'fail';
    detail = `no pod is meshed: ${direction} requests are neither authenticated nor observed`;
  } else if (totals.mtlsShare === null) {
    status = 'unknown';
    detail = telemetryFailed
      ? 'traffic could not be read'
      : `no ${direction} requests in the last ${window}`;
  } else {
    const share = formatShare(totals.mtlsShare);
    short = `mTLS ${share} ${direction}`;
    if (totals.mtlsShare >= 1) {
      status = 'pass';
      detail = `${share} of ${formatRate(
        totals.requestsPerSecond,
      )} ${direction} over mTLS`;
    } else {
      status = 'fail';
      const offenders = edges
        .filter(e => e.direction === direction && e.mtlsShare < 1)
        .map(e => `${peerName(e)} (${e.plaintextReasons.join(', ')})`);
      detail = `${share} of ${formatRate(
        totals.requestsPerSecond,
      )} ${direction} over mTLS; plaintext ${
        direction === 'inbound' ? 'from' : 'to'
      } ${offenders.join('; ')}`;
    }
  }
  const check: PostureCheck = {
    id: `${direction}-mtls`,
    title,
    status,
    detail,
  };
  return { check, short };
}

/**
 * The status of one certificate: failing once expired, warning within
 * {@link CERTIFICATE_WARNING_DAYS} of expiry.
 * @public
 */
export function certificateStatus(
  daysToExpiry: number,
  role?: CertificateStatus['role'],
): CheckStatus {
  if (daysToExpiry < 0) return 'fail';
  // Workload certificates rotate daily by themselves; only a lapse matters.
  if (role === 'workload') return 'pass';
  if (daysToExpiry < CERTIFICATE_WARNING_DAYS) return 'warn';
  return 'pass';
}

const SEVERITY: Record<CheckStatus, number> = {
  pass: 0,
  unknown: 1,
  warn: 2,
  fail: 3,
};

/**
 * "expires in 12 days", "expires today", "expired 3 days ago". `daysToExpiry`
 * is rounded down, so it is negative from the moment of expiry.
 * @public
 */
export function formatExpiry(daysToExpiry: number): string {
  if (daysToExpiry >= 0) {
    return daysToExpiry === 0
      ? 'expires today'
      : `expires in ${daysToExpiry} days`;
  }
  const ago = -daysToExpiry - 1;
  if (ago === 0) return 'expired today';
  return ago === 1 ? 'expired 1 day ago' : `expired ${ago} days ago`;
}

const ROLE_NAMES: Record<CertificateStatus['role'], string> = {
  'trust-anchor': 'trust anchor',
  issuer: 'issuer',
  root: 'root certificate',
  workload: 'workload certificate',
};

function checkCertificates(certificates: CertificateStatus[]) {
  if (certificates.length === 0) {
    return undefined;
  }
  // The certificate that decides: the worst status, then the soonest expiry.
  const soonest = [...certificates].sort(
    (a, b) =>
      SEVERITY[certificateStatus(b.daysToExpiry, b.role)] -
        SEVERITY[certificateStatus(a.daysToExpiry, a.role)] ||
      (a.role === 'workload' ? 1 : 0) - (b.role === 'workload' ? 1 : 0) ||
      a.daysToExpiry - b.daysToExpiry,
  )[0];
  const name = ROLE_NAMES[soonest.role];
  const status = certificateStatus(soonest.daysToExpiry, soonest.role);
  let detail: string;
  let short: string | undefined;
  const where = `${name} "${soonest.subject}" on ${soonest.cluster}`;
  if (status === 'fail') {
    detail = `${where} ${formatExpiry(soonest.daysToExpiry)}`;
    short = `${name} expired`;
  } else if (status === 'warn') {
    detail = `${where} ${formatExpiry(soonest.daysToExpiry)}`;
    short = `${name} ${formatExpiry(soonest.daysToExpiry)}`;
  } else {
    const longLived = certificates.filter(c => c.role !== 'workload');
    const days = Math.min(...longLived.map(c => c.daysToExpiry));
    detail = longLived.length
      ? `all ${
          longLived.length
        } mesh certificates valid for at least ${days} days${
          longLived.length < certificates.length
            ? '; workload certificates current'
            : ''
        }`
      : 'workload certificates current';
    short = longLived.length ? `certificates valid ${days} days` : undefined;
  }
  const check: PostureCheck = {
    id: 'certificates',
    title: `Mesh certificates valid for more than ${CERTIFICATE_WARNING_DAYS} days`,
    status,
    detail,
  };
  return { check, short };
}

function portName(p: PortAuthorization): string {
  const where = `${p.workload.name}:${p.port === '*' ? 'other ports' : p.port}`;
  return where;
}

function checkDefaultDeny(
  authorization: PortAuthorization[],
  workloads: WorkloadPosture[],
  kubernetesFailed: boolean,
) {
  const title = 'Authorization is default-deny on every port';
  let status: CheckStatus;
  let detail: string;
  let short: string | undefined;
  const unmeshed =
    workloads.length > 0 && workloads.every(w => w.meshedPods === 0);
  if (unmeshed) {
    status = 'fail';
    detail = 'no pod is meshed, so no authorization policy is enforced';
    short = 'no authorization enforced';
  } else if (authorization.length === 0) {
    status = 'unknown';
    detail = kubernetesFailed
      ? 'authorization policies could not be read'
      : 'no meshed workload to judge';
  } else {
    const open = authorization.filter(
      p => p.access === 'open' || p.access === 'audit',
    );
    const broad = authorization.filter(
      p => p.access === 'authenticated' || p.access === 'cluster',
    );
    if (open.length > 0) {
      status = 'fail';
      detail = `open to unauthenticated clients: ${open
        .map(p => `${portName(p)} (${p.explanation})`)
        .join('; ')}`;
      short = `authorization open on ${open.length} port${
        open.length > 1 ? 's' : ''
      }`;
    } else if (broad.length > 0) {
      status = 'warn';
      detail = `any ${
        broad.some(p => p.access === 'cluster') ? 'in-cluster' : 'authenticated'
      } client may call: ${broad
        .map(p => `${portName(p)} (${p.explanation})`)
        .join('; ')}`;
      short = 'authorization not default-deny';
    } else {
      status = 'pass';
      detail = `default-deny on all ${authorization.length} port${
        authorization.length > 1 ? 's' : ''
      }`;
      short = 'default-deny';
    }
  }
  const check: PostureCheck = { id: 'default-deny', title, status, detail };
  return { check, short };
}

function checkOverGrants(
  admitted: AdmittedIdentity[],
  authorization: PortAuthorization[],
  callerWindow: string,
  telemetryFailed: boolean,
) {
  const title = 'Every admitted identity is used';
  let status: CheckStatus;
  let detail: string;
  let short: string | undefined;
  const unused = admitted.filter(a => a.seen === false);
  const unjudged = admitted.filter(a => a.seen === null);
  if (authorization.length === 0) {
    status = 'unknown';
    detail = 'authorization policies could not be read';
  } else if (admitted.length === 0) {
    status = 'pass';
    detail = 'no identity is admitted by name';
  } else if (unused.length > 0) {
    status = 'warn';
    detail = `${unused.length} admitted identit${
      unused.length > 1 ? 'ies' : 'y'
    } never seen calling in ${callerWindow}: ${unused
      .map(a => `${a.identity} (by ${a.grantedBy.join(', ')})`)
      .join('; ')}`;
    short = `${unused.length} over-granted identit${
      unused.length > 1 ? 'ies' : 'y'
    }`;
  } else if (telemetryFailed || unjudged.length === admitted.length) {
    status = 'unknown';
    detail = telemetryFailed
      ? 'callers could not be read'
      : `too little history in the ${callerWindow} caller window to judge`;
  } else {
    status = 'pass';
    detail = `all ${
      admitted.length - unjudged.length
    } admitted identities called in ${callerWindow}`;
    short = 'no over-grants';
  }
  const check: PostureCheck = { id: 'no-over-grants', title, status, detail };
  return { check, short };
}

function checkDeniedCallers(
  denied: DeniedCaller[],
  callerWindow: string,
  telemetryFailed: boolean,
  cannotTell: boolean,
) {
  const title = 'No caller is refused by policy';
  let status: CheckStatus;
  let detail: string;
  let short: string | undefined;
  const total = denied.reduce((n, d) => n + d.count, 0);
  if (telemetryFailed) {
    status = 'unknown';
    detail = 'denials could not be read';
  } else if (total > 0) {
    status = 'warn';
    detail = `${Math.round(total)} refused in ${callerWindow}: ${denied
      .filter(d => d.count > 0)
      .map(
        d =>
          `${d.identity ?? 'an unidentified client'} to ${d.workload.name}${
            d.policy ? ` (${d.policy})` : ''
          }: ${Math.round(d.count)}`,
      )
      .join('; ')}`;
    short = `${Math.round(total)} denied`;
  } else if (cannotTell) {
    status = 'unknown';
    detail = 'this mesh does not report denials in its standard metrics';
  } else {
    status = 'pass';
    detail = `none in ${callerWindow}`;
  }
  const check: PostureCheck = { id: 'denied-callers', title, status, detail };
  return { check, short };
}

/**
 * The verdict: the worst check decides; with no failure or warning it passes
 * only when something passed and every source answered.
 * @public
 */
export function deriveVerdict(
  checks: PostureCheck[],
  shorts: string[],
  sources: SourceReport[],
): PostureVerdict {
  const failedSources = sources.filter(s => s.status !== 'ok');
  let status: CheckStatus = checks.reduce<CheckStatus>(
    (worst, c) =>
      SEVERITY[c.status] > SEVERITY[worst] && c.status !== 'unknown'
        ? c.status
        : worst,
    'pass',
  );
  if (status === 'pass') {
    const anyPass = checks.some(c => c.status === 'pass');
    if (!anyPass || failedSources.length > 0) {
      status = 'unknown';
    }
  }
  const parts = [...shorts];
  if (failedSources.length > 0) {
    parts.push(
      `missing: ${failedSources
        .map(s => `${s.role} on ${s.cluster} (${s.status})`)
        .join(', ')}`,
    );
  }
  return {
    status,
    summary: parts.length > 0 ? parts.join(' · ') : 'no mesh data',
    checks,
  };
}

/**
 * Turns what the sources said into the posture document. Pure: the same
 * facts always give the same document.
 * @public
 */
export function assessPosture(facts: PostureFacts): AssessedPosture {
  const edges = buildEdges(facts.traffic);
  const inbound = summarizeDirection(edges, 'inbound');
  const outbound = summarizeDirection(edges, 'outbound');
  const failed = (role: SourceReport['role']) =>
    facts.sources.some(s => s.role === role && s.status !== 'ok');

  const unmeshed =
    facts.workloads.length > 0 &&
    facts.workloads.every(w => w.meshedPods === 0);
  const results = [
    checkMtls(
      'inbound',
      edges,
      inbound,
      facts.window,
      failed('prometheus'),
      unmeshed,
    ),
    checkMtls(
      'outbound',
      edges,
      outbound,
      facts.window,
      failed('prometheus'),
      unmeshed,
    ),
    checkPods(facts.workloads, failed('kubernetes')),
    checkDefaultDeny(
      facts.authorization,
      facts.workloads,
      failed('kubernetes'),
    ),
    checkOverGrants(
      facts.admittedIdentities,
      facts.authorization,
      facts.callerWindow,
      failed('prometheus'),
    ),
    checkDeniedCallers(
      facts.deniedCallers,
      facts.callerWindow,
      failed('prometheus'),
      facts.gaps.some(g => g.topic === 'denials'),
    ),
    checkCertificates(facts.certificates),
  ].filter(<T>(r: T | undefined): r is T => r !== undefined);

  const verdict = deriveVerdict(
    results.map(r => r.check),
    results.map(r => r.short).filter((s): s is string => Boolean(s)),
    facts.sources,
  );

  return {
    entityRef: facts.entityRef,
    generatedAt: facts.generatedAt.toISOString(),
    window: facts.window,
    demo: facts.sources.some(s => s.demo),
    workloads: facts.workloads,
    totalPods: facts.workloads.reduce((n, w) => n + w.totalPods, 0),
    meshedPods: facts.workloads.reduce((n, w) => n + w.meshedPods, 0),
    inbound,
    outbound,
    edges,
    certificates: facts.certificates,
    authorization: facts.authorization,
    admittedIdentities: facts.admittedIdentities,
    deniedCallers: facts.deniedCallers,
    callerWindow: facts.callerWindow,
    gaps: facts.gaps,
    verdict,
    sources: facts.sources,
  };
}
