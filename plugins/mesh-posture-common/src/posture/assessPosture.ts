import { MESH_POSTURE_CHECKS } from '../checks';
import type {
  AdmittedIdentity,
  CertificateStatus,
  DeniedCaller,
  EgressCall,
  EgressPosture,
  RefusedCall,
  MeshGap,
  NetworkIsolation,
  PortAuthorization,
  CheckStatus,
  EdgeSecurity,
  MeshPosture,
  PostureCheck,
  PostureVerdict,
  SourceReport,
  EdgeProtocol,
  TrafficObservation,
  TrafficSecurity,
  WorkloadPosture,
} from '../types';
import { CheckFindings, decide, plural } from './evidence';
import { describeBypasses } from './meshBypass';

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
  refusedCalls?: RefusedCall[];
  /** Per workload; undefined where network policy was not read. */
  networkIsolation?: NetworkIsolation[];
  /** Undefined where the egress policy or the calls out were not read. */
  egress?: EgressPosture;
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

const sameWorkload = (
  a: EdgeSecurity['workload'],
  b: EdgeSecurity['workload'],
) => workloadKey(a) === workloadKey(b);

/** What a line weighs: its requests, or its bytes when it is TCP. */
function weightOf(t: TrafficObservation): number {
  return t.protocol === 'tcp'
    ? t.tcp?.bytesPerSecond ?? 0
    : t.requestsPerSecond;
}

const usable = (t: TrafficObservation) => {
  const w = weightOf(t);
  return Number.isFinite(w) && w > 0;
};

const isTcp = (e: { protocol?: EdgeProtocol }) => e.protocol === 'tcp';

/**
 * Least encrypted first: plaintext by its share, then traffic whose
 * security was not observed (null), then fully mTLS.
 * @public
 */
export function compareMtlsShare(a: number | null, b: number | null): number {
  const rank = (share: number | null) =>
    share === null ? 1 - Number.EPSILON : share;
  return rank(a) - rank(b);
}

/** An edge's traffic in its own unit: requests, or bytes on TCP. */
function edgeWeight(e: EdgeSecurity): number {
  return isTcp(e) ? e.tcp?.bytesPerSecond ?? 0 : e.requestsPerSecond;
}

/**
 * Folds telemetry lines into one edge per (direction, own workload, peer,
 * protocol, reporter). Kubelet probes are left out: they are counted apart.
 * Traffic whose security no proxy reported is kept apart from mTLS and
 * plaintext. TCP edges are weighed in bytes, the others in requests.
 * @public
 */
export function buildEdges(traffic: TrafficObservation[]): EdgeSecurity[] {
  const edges = new Map<
    string,
    EdgeSecurity & { mtlsRps: number; verifiedRps: number; unverified: number }
  >();
  for (const t of traffic) {
    if (!usable(t) || t.probe) continue;
    const protocol = t.protocol ?? 'http';
    const peerKey = [
      t.peer.cluster ?? '',
      t.peer.namespace ?? '',
      t.peer.workload ?? '',
      t.peer.identity ?? '',
    ].join('|');
    const key = `${t.direction}|${workloadKey(
      t.workload,
    )}|${peerKey}|${protocol}|${t.reportedBy ?? ''}`;
    let edge = edges.get(key);
    if (!edge) {
      edge = {
        direction: t.direction,
        workload: t.workload,
        peer: {
          cluster: t.peer.cluster ?? t.workload.cluster,
          ...(t.peer.namespace ? { namespace: t.peer.namespace } : {}),
          ...(t.peer.workload ? { workload: t.peer.workload } : {}),
          ...(t.peer.identity ? { identity: t.peer.identity } : {}),
        },
        protocol,
        requestsPerSecond: 0,
        ...(protocol === 'tcp'
          ? { tcp: { bytesPerSecond: 0, openConnections: 0 } }
          : {}),
        mtlsShare: null,
        plaintextReasons: [],
        ...(t.reportedBy ? { reportedBy: t.reportedBy } : {}),
        mtlsRps: 0,
        verifiedRps: 0,
        unverified: 0,
      };
      edges.set(key, edge);
    }
    const weight = weightOf(t);
    if (edge.tcp) {
      edge.tcp.bytesPerSecond += weight;
      edge.tcp.openConnections += t.tcp?.openConnections ?? 0;
    } else {
      edge.requestsPerSecond += weight;
    }
    if (t.unverified) {
      edge.unverified += weight;
      const reason = t.noTlsReason || 'not reported by either proxy';
      edge.unverifiedReasons = [
        ...new Set([...(edge.unverifiedReasons ?? []), reason]),
      ];
    } else {
      edge.verifiedRps += weight;
      if (t.mtls) {
        edge.mtlsRps += weight;
      } else {
        const reason = t.noTlsReason || 'unknown';
        if (!edge.plaintextReasons.includes(reason)) {
          edge.plaintextReasons.push(reason);
        }
      }
    }
  }
  return [...edges.values()]
    .map(({ mtlsRps, verifiedRps, unverified, ...edge }) => ({
      ...edge,
      mtlsShare: verifiedRps > 0 ? mtlsRps / verifiedRps : null,
      plaintextReasons: edge.plaintextReasons.sort(),
      ...(unverified > 0
        ? {
            unverifiedRequestsPerSecond: unverified,
            unverifiedReasons: [...(edge.unverifiedReasons ?? [])].sort(),
          }
        : {}),
    }))
    .sort(
      (a, b) =>
        compareMtlsShare(a.mtlsShare, b.mtlsShare) ||
        (b.unverifiedRequestsPerSecond ?? 0) -
          (a.unverifiedRequestsPerSecond ?? 0) ||
        Number(isTcp(a)) - Number(isTcp(b)) ||
        edgeWeight(b) - edgeWeight(a),
    );
}

/** Observed, mTLS and unobserved traffic of some edges, in their unit. */
function shareOf(edges: EdgeSecurity[]) {
  let total = 0;
  let verified = 0;
  let mtls = 0;
  let unverified = 0;
  for (const e of edges) {
    const weight = edgeWeight(e);
    const unseen = e.unverifiedRequestsPerSecond ?? 0;
    total += weight;
    unverified += unseen;
    verified += weight - unseen;
    mtls += (weight - unseen) * (e.mtlsShare ?? 0);
  }
  return {
    total,
    mtlsShare: verified > 0 ? Math.min(1, mtls / verified) : null,
    plaintext: Math.max(0, verified - mtls),
    unverified,
  };
}

/**
 * Totals for one direction; `mtlsShare` is over the requests whose
 * security was observed, and null without any, so "no traffic" never reads
 * as 0% or 100%. TCP edges are totalled apart, in bytes. Probes (inbound)
 * are counted apart from the lines given.
 * @public
 */
export function summarizeDirection(
  edges: EdgeSecurity[],
  direction: 'inbound' | 'outbound',
  traffic: TrafficObservation[] = [],
): TrafficSecurity {
  const mine = edges.filter(e => e.direction === direction);
  const http = shareOf(mine.filter(e => !isTcp(e)));
  const tcpEdges = mine.filter(isTcp);
  const totals: TrafficSecurity = {
    requestsPerSecond: http.total,
    mtlsShare: http.mtlsShare,
    plaintextRequestsPerSecond: http.plaintext,
    unverifiedRequestsPerSecond: http.unverified,
  };
  if (direction === 'inbound') {
    totals.probeRequestsPerSecond = traffic
      .filter(t => t.probe && t.direction === 'inbound' && usable(t))
      .reduce((n, t) => n + t.requestsPerSecond, 0);
  }
  if (tcpEdges.length > 0) {
    const tcp = shareOf(tcpEdges);
    totals.tcp = {
      bytesPerSecond: tcp.total,
      mtlsShare: tcp.mtlsShare,
      plaintextBytesPerSecond: tcp.plaintext,
      unverifiedBytesPerSecond: tcp.unverified,
      openConnections: tcpEdges.reduce(
        (n, e) => n + (e.tcp?.openConnections ?? 0),
        0,
      ),
    };
  }
  return totals;
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
  // A peer on another cluster says so: "payments/ledger on eu-2".
  const where =
    p.cluster && p.cluster !== edge.workload.cluster ? ` on ${p.cluster}` : '';
  if (p.workload) {
    return `${
      p.namespace ? `${p.namespace}/${p.workload}` : p.workload
    }${where}`;
  }
  if (p.identity) return `${p.identity}${where}`;
  return `an unidentified client${where}`;
}

/** What every check may need to know about the entity as a whole. */
interface CheckContext {
  window: string;
  callerWindow: string;
  kubernetesFailed: boolean;
  telemetryFailed: boolean;
  /** Pods were found and none runs a proxy. */
  unmeshed: boolean;
  /**
   * Pods that run without a proxy, beside meshed ones: those of partly
   * meshed workloads and those of workloads with no proxy at all.
   */
  unmeshedPods: number;
  /**
   * Every meshed workload's proxies reported telemetry, and still do (a
   * series within the last two hours): only then is silence evidence.
   */
  reporting: boolean;
  /** Why the silence is no evidence, when it is not. */
  notReporting?: string;
  /** Hours of telemetry the shortest-lived meshed workload has. */
  coverageHours?: number;
  callerWindowHours?: number;
  /** Some meshed workload runs in Istio's ambient mode. */
  ambient: boolean;
  /** What skips the meshed pods' proxies, in words, by direction. */
  bypass: { inbound?: string; outbound?: string };
}

/** Hours in a duration such as `7d`, `6h`, `30m`. */
function hoursOf(duration: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[
    m[2] as 's' | 'm' | 'h' | 'd'
  ];
  return (Number(m[1]) * unit) / 3600;
}

/** A current proxy has a series in the last two hours (the probe's steps are hourly). */
const CURRENT_MS = 2 * 3600_000;

function contextOf(facts: PostureFacts): CheckContext {
  const failed = (role: SourceReport['role']) =>
    facts.sources.some(s => s.role === role && s.status !== 'ok');
  const meshed = facts.workloads.filter(w => w.meshedPods > 0);
  const now = facts.generatedAt.getTime();
  const silent = meshed.filter(w => !w.telemetryFrom);
  const stale = meshed.filter(
    w =>
      w.telemetryFrom &&
      !(w.telemetryUntil && now - Date.parse(w.telemetryUntil) <= CURRENT_MS),
  );
  const name = (w: WorkloadPosture) =>
    `${w.workload.namespace}/${w.workload.name}`;
  let notReporting: string | undefined;
  if (meshed.length === 0) {
    notReporting = 'no meshed workload reports telemetry';
  } else if (silent.length > 0) {
    notReporting = `the proxies of ${silent
      .map(name)
      .join(', ')} reported no metrics at all: is Prometheus scraping them?`;
  } else if (stale.length > 0) {
    notReporting = `the proxies of ${stale
      .map(w => `${name(w)} last reported ${w.telemetryUntil ?? 'long ago'}`)
      .join(', ')}: is Prometheus still scraping them?`;
  }
  const froms = meshed
    .map(w => (w.telemetryFrom ? Date.parse(w.telemetryFrom) : NaN))
    .filter(Number.isFinite);
  const callerWindowHours = hoursOf(facts.callerWindow);
  return {
    window: facts.window,
    callerWindow: facts.callerWindow,
    kubernetesFailed: failed('kubernetes'),
    telemetryFailed: failed('prometheus'),
    unmeshed:
      facts.workloads.length > 0 &&
      facts.workloads.every(w => w.meshedPods === 0) &&
      facts.workloads.some(w => w.totalPods > 0),
    // A workload with no proxy beside a meshed one counts too: nothing
    // vouches for its traffic or enforces a policy on it.
    unmeshedPods: facts.workloads.reduce(
      (n, w) => n + w.totalPods - w.meshedPods,
      0,
    ),
    reporting: meshed.length > 0 && !notReporting,
    ...(notReporting ? { notReporting } : {}),
    ...(froms.length > 0
      ? { coverageHours: Math.floor((now - Math.max(...froms)) / 3600_000) }
      : {}),
    ...(callerWindowHours !== undefined ? { callerWindowHours } : {}),
    ambient: meshed.some(w => w.dataPlane === 'ambient'),
    bypass: {
      inbound: describeBypasses(facts.workloads, 'inbound'),
      outbound: describeBypasses(facts.workloads, 'outbound'),
    },
  };
}

function checkPods(workloads: WorkloadPosture[], ctx: CheckContext) {
  const total = workloads.reduce((n, w) => n + w.totalPods, 0);
  const meshed = workloads.reduce((n, w) => n + w.meshedPods, 0);
  const hostNetwork = workloads.reduce(
    (n, w) => n + (w.hostNetworkPods ?? 0),
    0,
  );
  // Neither mesh injects a pod on its node's network (linkerd/linkerd2
  // pkg/inject/report.go `host_network_enabled`; istio/istio
  // pkg/kube/inject/inject.go injectRequired).
  const onHost =
    hostNetwork > 0
      ? ` (${hostNetwork} ${
          hostNetwork === 1 ? 'runs' : 'run'
        } on the host network, where no sidecar can capture traffic)`
      : '';
  const findings: CheckFindings = {};
  if (total === 0) {
    findings.unknown = ctx.kubernetesFailed
      ? 'pods could not be read'
      : 'no running pods matched the entity';
  } else if (meshed === 0) {
    findings.fail = `none of ${plural(total, 'pod')} is meshed${onHost}`;
  } else if (meshed < total) {
    findings.warn = `${meshed}/${total} pods meshed${onHost}`;
  } else {
    findings.pass = `${meshed}/${total} pods meshed`;
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = {
    id: 'meshed-pods',
    title: MESH_POSTURE_CHECKS['meshed-pods'].title,
    status,
    detail,
  };
  return {
    check,
    short: total > 0 ? `${meshed}/${total} pods meshed` : undefined,
  };
}

/** Bytes per second for people. @public */
export function formatByteRate(bytesPerSecond: number): string {
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (value > 0 && value < 0.01) return `< 0.01 ${units[unit]}`;
  return `${
    value >= 100 ? Math.round(value) : value.toFixed(value >= 1 ? 1 : 2)
  } ${units[unit]}`;
}

function checkMtls(
  direction: 'inbound' | 'outbound',
  edges: EdgeSecurity[],
  totals: TrafficSecurity,
  ctx: CheckContext,
) {
  const title = MESH_POSTURE_CHECKS[`${direction}-mtls`].title;
  const mine = edges.filter(e => e.direction === direction);
  const tcp = totals.tcp;
  const share = totals.mtlsShare === null ? '' : formatShare(totals.mtlsShare);
  // What was observed, in each protocol's unit: "99% of 12 req/s and 100% of 3.1 KB/s TCP".
  const observed = [
    totals.mtlsShare !== null
      ? `${share} of ${formatRate(totals.requestsPerSecond)}`
      : undefined,
    tcp && tcp.mtlsShare !== null
      ? `${formatShare(tcp.mtlsShare)} of ${formatByteRate(
          tcp.bytesPerSecond,
        )} TCP`
      : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  const plaintext =
    totals.plaintextRequestsPerSecond > 0 ||
    (tcp?.plaintextBytesPerSecond ?? 0) > 0;
  const unverified =
    totals.unverifiedRequestsPerSecond > 0 ||
    (tcp?.unverifiedBytesPerSecond ?? 0) > 0;
  const shares = [totals.mtlsShare, tcp?.mtlsShare ?? null].filter(
    (x): x is number => x !== null,
  );
  const everyMtls = shares.length > 0 && shares.every(x => x >= 1);
  const fromOrTo = direction === 'inbound' ? 'from' : 'to';
  const over = (e: EdgeSecurity) => (isTcp(e) ? ' over TCP' : '');
  const findings: CheckFindings = {};
  if (plaintext) {
    const offenders = mine
      .filter(e => e.mtlsShare !== null && e.mtlsShare < 1)
      .map(e => `${peerName(e)}${over(e)} (${e.plaintextReasons.join(', ')})`);
    findings.fail = `${
      ctx.unmeshed ? 'no pod is meshed: ' : ''
    }${observed} ${direction} over mTLS; plaintext ${fromOrTo} ${offenders.join(
      '; ',
    )}${
      mine.some(e => e.reportedBy === 'peer')
        ? ` (seen by the ${
            direction === 'inbound' ? 'callers' : 'callees'
          }' proxies)`
        : ''
    }`;
  } else if (ctx.unmeshed) {
    // Without a proxy nothing can be authenticated, observed or not.
    findings.fail = `no pod is meshed: ${direction} requests can be neither authenticated nor observed`;
  } else if (unverified) {
    const unseen = mine
      .filter(e => (e.unverifiedRequestsPerSecond ?? 0) > 0)
      .map(
        e =>
          `${peerName(e)}${over(e)} (${(e.unverifiedReasons ?? []).join(
            '; ',
          )})`,
      );
    // The observed rest by share alone: the totals include what was not observed.
    const rest = [
      totals.mtlsShare !== null ? share : undefined,
      tcp && tcp.mtlsShare !== null
        ? `${formatShare(tcp.mtlsShare)} of TCP`
        : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    const amount = [
      totals.unverifiedRequestsPerSecond > 0
        ? formatRate(totals.unverifiedRequestsPerSecond)
        : undefined,
      tcp && tcp.unverifiedBytesPerSecond > 0
        ? `${formatByteRate(tcp.unverifiedBytesPerSecond)} TCP`
        : undefined,
    ]
      .filter(Boolean)
      .join(' and ');
    findings.unknown = `${amount} ${direction} not observed at the ${
      direction === 'inbound' ? 'source' : 'destination'
    }: ${unseen.join('; ')}${rest ? `; the rest (${rest}) over mTLS` : ''}`;
  } else if (everyMtls) {
    if (ctx.unmeshedPods > 0) {
      findings.warn = `${observed} ${direction} over mTLS as the meshed pods see it; ${plural(
        ctx.unmeshedPods,
        'pod runs',
        'pods run',
      )} without a proxy, unobserved and unauthenticated`;
    } else {
      findings.pass = `${observed} ${direction} over mTLS`;
    }
  } else if (ctx.telemetryFailed) {
    findings.unknown = 'traffic could not be read';
  } else if (!ctx.reporting) {
    findings.unknown = ctx.notReporting;
  } else if (ctx.unmeshedPods > 0) {
    // The meshed pods' silence says nothing of the pods without a proxy.
    findings.unknown = `no ${direction} requests or TCP connections seen by the meshed pods in the last ${
      ctx.window
    }; ${plural(
      ctx.unmeshedPods,
      'pod runs',
      'pods run',
    )} without a proxy, whose traffic is not observed`;
  } else {
    findings.notApplicable = `no ${direction} requests or TCP connections in the last ${ctx.window}`;
  }
  const bypass = ctx.unmeshed ? undefined : ctx.bypass[direction];
  if (bypass) {
    // Configured around the proxy: nothing the proxies saw vouches for it.
    let seen = '';
    if (findings.fail) seen = `; ${findings.fail}`;
    else if (observed) {
      seen = `; what the proxies saw: ${observed} ${direction} over mTLS`;
    }
    findings.fail = `${bypass}: neither authenticated, encrypted nor observed by the mesh${seen}`;
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = {
    id: `${direction}-mtls`,
    title,
    status,
    detail,
  };
  let short: string | undefined;
  if (bypass) short = `${direction} traffic outside the mesh`;
  else if (shares.length > 0) {
    short = `mTLS ${formatShare(Math.min(...shares))} ${direction}`;
  }
  return { check, short };
}

/**
 * The status of one certificate: failing once expired or with a problem
 * (see {@link CertificateStatus.problem}), warning within
 * {@link CERTIFICATE_WARNING_DAYS} of expiry.
 * @public
 */
export function certificateStatus(
  daysToExpiry: number,
  role?: CertificateStatus['role'],
  problem?: string,
): CheckStatus {
  if (problem || daysToExpiry < 0) return 'fail';
  // Workload certificates rotate daily by themselves, and webhook ones as
  // cert-manager issues them (read only then; its Ready condition says when
  // it cannot): only a lapse matters.
  if (role === 'workload' || role === 'webhook') return 'pass';
  if (daysToExpiry < CERTIFICATE_WARNING_DAYS) return 'warn';
  return 'pass';
}

const SEVERITY: Record<CheckStatus, number> = {
  'not-applicable': -1,
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
      : `expires in ${plural(daysToExpiry, 'day')}`;
  }
  const ago = -daysToExpiry - 1;
  if (ago === 0) return 'expired today';
  return ago === 1 ? 'expired 1 day ago' : `expired ${ago} days ago`;
}

/**
 * ztunnel holds the certificates of an ambient node's workloads and exports
 * no expiry for them (none of its registries does: istio/ztunnel
 * src/proxy/metrics.rs, src/inpod/metrics.rs, src/dns/metrics.rs); they
 * rotate by themselves, so their absence does not hold a pass back.
 */
const AMBIENT_CERTIFICATES =
  "; ambient workloads' certificates are not observed (ztunnel exports no expiry)";

/** "; workload and webhook certificates current": the short-lived ones. */
function renewing(certificates: CertificateStatus[]): string {
  const kinds = (['workload', 'webhook'] as const).filter(role =>
    certificates.some(c => c.role === role),
  );
  return kinds.length > 0
    ? `; ${kinds.join(' and ')} certificates current`
    : '';
}

const ROLE_NAMES: Record<CertificateStatus['role'], string> = {
  'trust-anchor': 'trust anchor',
  issuer: 'issuer',
  root: 'root certificate',
  workload: 'workload certificate',
  webhook: 'webhook certificate',
};

/**
 * The certificate the certificates check is decided by: the worst status,
 * then a long-lived one before a workload's, then the soonest expiry.
 * @public
 */
export function decidingCertificate(
  certificates: CertificateStatus[],
): CertificateStatus | undefined {
  return [...certificates].sort(
    (a, b) =>
      SEVERITY[certificateStatus(b.daysToExpiry, b.role, b.problem)] -
        SEVERITY[certificateStatus(a.daysToExpiry, a.role, a.problem)] ||
      (a.role === 'workload' ? 1 : 0) - (b.role === 'workload' ? 1 : 0) ||
      a.daysToExpiry - b.daysToExpiry,
  )[0];
}

/**
 * A certificate's role in words: "trust anchor", "issuer".
 * @public
 */
export function certificateRoleName(role: CertificateStatus['role']): string {
  return ROLE_NAMES[role];
}

function checkCertificates(
  certificates: CertificateStatus[],
  gaps: MeshGap[],
  ctx: CheckContext,
) {
  const title = MESH_POSTURE_CHECKS.certificates.title;
  const findings: CheckFindings = {};
  let short: string | undefined;
  const soonest = decidingCertificate(certificates);
  const anchors = certificates.filter(
    c => c.role === 'trust-anchor' || c.role === 'root',
  );
  if (ctx.unmeshed) {
    findings.notApplicable =
      'no pod runs a proxy, so none holds a mesh certificate';
  } else if (!soonest) {
    findings.unknown =
      ctx.kubernetesFailed || ctx.telemetryFailed
        ? 'certificates could not be read'
        : 'no mesh certificate could be read';
  } else {
    const name = ROLE_NAMES[soonest.role];
    const status = certificateStatus(
      soonest.daysToExpiry,
      soonest.role,
      soonest.problem,
    );
    const where = `${name} "${soonest.subject}" on ${soonest.cluster}`;
    if (soonest.problem) {
      findings.fail = `${where}: ${soonest.problem}`;
      short = `${name} not valid`;
    } else if (status === 'fail') {
      findings.fail = `${where} ${formatExpiry(soonest.daysToExpiry)}`;
      short = `${name} expired`;
    } else if (status === 'warn') {
      findings.warn = `${where} ${formatExpiry(soonest.daysToExpiry)}`;
      short = `${name} ${formatExpiry(soonest.daysToExpiry)}`;
    } else if (gaps.some(g => g.topic === 'certificates')) {
      // An unread issuer may expire first: no pass on part of the chain.
      findings.unknown = `${gaps
        .filter(g => g.topic === 'certificates')
        .map(g => g.message)
        .join('; ')}; the rest are current`;
    } else if (anchors.length === 0) {
      // Without the root of the chain nothing says the chain stays valid.
      findings.unknown = `the trust anchor could not be read; ${plural(
        certificates.length,
        'other certificate',
      )} current`;
    } else {
      const longLived = certificates.filter(
        c => c.role !== 'workload' && c.role !== 'webhook',
      );
      const days = Math.min(...longLived.map(c => c.daysToExpiry));
      findings.pass = `all ${plural(
        longLived.length,
        'mesh certificate',
      )} valid for at least ${plural(days, 'day')}${renewing(certificates)}${
        ctx.ambient ? AMBIENT_CERTIFICATES : ''
      }`;
      short = `certificates valid ${plural(days, 'day')}`;
    }
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = { id: 'certificates', title, status, detail };
  return { check, short };
}

function portName(p: PortAuthorization): string {
  const where = `${p.workload.name}:${p.port === '*' ? 'other ports' : p.port}`;
  return where;
}

function checkDefaultDeny(
  authorization: PortAuthorization[],
  ctx: CheckContext,
) {
  const title = MESH_POSTURE_CHECKS['default-deny'].title;
  const findings: CheckFindings = {};
  let short: string | undefined;
  const open = authorization.filter(
    p => p.access === 'open' || p.access === 'audit',
  );
  const broad = authorization.filter(
    p => p.access === 'authenticated' || p.access === 'cluster',
  );
  if (ctx.unmeshed) {
    findings.fail = 'no pod is meshed, so no authorization policy is enforced';
    short = 'no authorization enforced';
  } else if (ctx.bypass.inbound) {
    findings.fail = `${
      ctx.bypass.inbound
    }: no authorization policy applies there${
      open.length > 0
        ? `; open to unauthenticated clients: ${open
            .map(p => `${portName(p)} (${p.explanation})`)
            .join('; ')}`
        : ''
    }`;
    short = 'ports outside the mesh';
  } else if (open.length > 0) {
    findings.fail = `open to unauthenticated clients: ${open
      .map(p => `${portName(p)} (${p.explanation})`)
      .join('; ')}`;
    short = `authorization open on ${plural(open.length, 'port')}`;
  } else if (ctx.unmeshedPods > 0) {
    findings.fail = `${plural(
      ctx.unmeshedPods,
      'pod runs',
      'pods run',
    )} without a proxy: no authorization is enforced on them`;
    short = 'authorization not enforced on every pod';
  } else if (broad.length > 0) {
    findings.warn = `any ${
      broad.some(p => p.access === 'cluster') ? 'in-cluster' : 'authenticated'
    } client may call: ${broad
      .map(p => `${portName(p)} (${p.explanation})`)
      .join('; ')}`;
    short = 'authorization not default-deny';
  } else if (authorization.length === 0) {
    findings.unknown = ctx.kubernetesFailed
      ? 'authorization policies could not be read'
      : 'no meshed workload to judge';
  } else {
    findings.pass =
      authorization.length === 1
        ? 'default-deny on its only port'
        : `default-deny on all ${authorization.length} ports`;
    short = 'default-deny';
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = { id: 'default-deny', title, status, detail };
  return { check, short };
}

function checkOverGrants(
  admitted: AdmittedIdentity[],
  authorization: PortAuthorization[],
  gaps: MeshGap[],
  ctx: CheckContext,
) {
  const title = MESH_POSTURE_CHECKS['no-over-grants'].title;
  const findings: CheckFindings = {};
  let short: string | undefined;
  const unused = admitted.filter(a => a.seen === false);
  const unjudged = admitted.filter(a => a.seen === null);
  const why = gaps.find(g => g.topic === 'callers')?.message;
  const identities = (n: number) =>
    plural(n, 'admitted identity', 'admitted identities');
  // One identity admitted to a canary and its primary is one identity.
  const distinct = (list: AdmittedIdentity[]) =>
    new Set(list.map(a => a.identity)).size;
  if (ctx.unmeshed) {
    findings.notApplicable = 'no pod is meshed, so no policy admits anyone';
  } else if (authorization.length === 0) {
    findings.unknown = ctx.kubernetesFailed
      ? 'authorization policies could not be read'
      : 'no meshed workload to judge';
  } else if (admitted.length === 0) {
    const broad = authorization.filter(p => p.access !== 'deny');
    findings.notApplicable =
      broad.length > 0
        ? `no identity is admitted by name: ${plural(
            broad.length,
            'port admits',
            'ports admit',
          )} callers by network or mesh-wide (see default-deny)`
        : 'no identity is admitted at all';
  } else if (unused.length > 0) {
    findings.warn = `${identities(distinct(unused))} never seen calling in ${
      ctx.callerWindow
    }: ${unused
      .map(a => `${a.identity} (by ${a.grantedBy.join(', ')})`)
      .join('; ')}${
      unjudged.length > 0
        ? `; ${plural(distinct(unjudged), 'other')} could not be judged`
        : ''
    }`;
    short = `${plural(
      unused.length,
      'over-granted identity',
      'over-granted identities',
    )}`;
  } else if (ctx.telemetryFailed) {
    findings.unknown = 'callers could not be read';
  } else if (unjudged.length > 0) {
    findings.unknown = `${distinct(unjudged)} of ${identities(
      distinct(admitted),
    )} could not be judged: ${
      why ?? `too little history in the ${ctx.callerWindow} caller window`
    }`;
  } else {
    findings.pass =
      distinct(admitted) === 1
        ? `the only admitted identity called in ${ctx.callerWindow}`
        : `all ${identities(distinct(admitted))} called in ${ctx.callerWindow}`;
    short = 'no over-grants';
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = { id: 'no-over-grants', title, status, detail };
  return { check, short };
}

function checkDeniedCallers(
  denied: DeniedCaller[],
  gaps: MeshGap[],
  ctx: CheckContext,
) {
  const title = MESH_POSTURE_CHECKS['denied-callers'].title;
  const findings: CheckFindings = {};
  let short: string | undefined;
  const total = denied.reduce((n, d) => n + d.count, 0);
  if (ctx.unmeshed) {
    findings.notApplicable =
      'no pod is meshed, so no proxy refuses or reports callers';
  } else if (total > 0) {
    findings.warn = `${Math.round(total).toLocaleString('en-US')} refused in ${
      ctx.callerWindow
    }: ${denied
      .filter(d => d.count > 0)
      .map(
        d =>
          `${d.identity ?? 'an unidentified client'} to ${d.workload.name}${
            d.policy ? ` (${d.policy})` : ''
          }: ${Math.round(d.count).toLocaleString('en-US')}`,
      )
      .join('; ')}`;
    short = `${Math.round(total).toLocaleString('en-US')} denied in ${
      ctx.callerWindow
    }`;
  } else if (ctx.telemetryFailed) {
    findings.unknown = 'denials could not be read';
  } else if (gaps.some(g => g.topic === 'denials')) {
    findings.unknown =
      'this mesh does not report denials in its standard metrics';
  } else if (!ctx.reporting) {
    // No series at all is silence, not the absence of refusals.
    findings.unknown = `no refusal could have been seen: ${ctx.notReporting}`;
  } else if (
    ctx.coverageHours !== undefined &&
    ctx.callerWindowHours !== undefined &&
    ctx.coverageHours + 1 < ctx.callerWindowHours
  ) {
    findings.pass = `none in the ${plural(
      ctx.coverageHours,
      'hour',
    )} its proxies have reported (of ${ctx.callerWindow})`;
  } else {
    findings.pass = `none in ${ctx.callerWindow}`;
  }
  if (findings.pass && ctx.unmeshedPods > 0) {
    // True of the meshed pods only: a pod without a proxy refuses no one.
    findings.pass = `${findings.pass} by the meshed pods; ${plural(
      ctx.unmeshedPods,
      'pod runs',
      'pods run',
    )} without a proxy, which refuses no one (see default-deny)`;
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = { id: 'denied-callers', title, status, detail };
  return { check, short };
}

/** Checks a passing verdict needs judged: encryption on both sides, and the pods. */
const VERDICT_ESSENTIAL = ['inbound-mtls', 'outbound-mtls', 'meshed-pods'];

/**
 * True when one direction of a workload's traffic is open: a pod no policy
 * of that direction isolates, or a rule that undoes the isolation.
 * @public
 */
export function isNetworkDirectionOpen(
  isolation: NetworkIsolation,
  direction: 'ingress' | 'egress',
): boolean {
  const d = isolation[direction];
  return d.unisolatedPods > 0 || d.rules.some(r => r.allowsAll);
}

/** What lets traffic through one direction without a rule naming it. */
function openings(
  isolation: NetworkIsolation[],
  direction: 'ingress' | 'egress',
): string[] {
  const out: string[] = [];
  for (const i of isolation) {
    const name = `${i.workload.namespace}/${i.workload.name}`;
    const d = i[direction];
    if (d.unisolatedPods > 0) {
      out.push(
        d.unisolatedPods === i.pods
          ? `no NetworkPolicy selects ${name}`
          : `no NetworkPolicy selects ${d.unisolatedPods} of ${i.pods} pods of ${name}`,
      );
    }
    const all = [
      ...new Set(d.rules.filter(r => r.allowsAll).map(r => r.policy)),
    ];
    if (all.length > 0) {
      out.push(`${all.join(', ')} allows every peer on every port of ${name}`);
    }
  }
  return out;
}

function checkNetworkDefaultDeny(
  isolation: NetworkIsolation[] | undefined,
  workloads: WorkloadPosture[],
  gaps: MeshGap[],
  sources: SourceReport[],
) {
  const title = MESH_POSTURE_CHECKS['network-default-deny'].title;
  const findings: CheckFindings = {};
  let short: string | undefined;
  const judged = (isolation ?? []).filter(i => i.pods > 0);
  const ingress = openings(judged, 'ingress');
  const egress = openings(judged, 'egress');
  const blocked = judged.flatMap(i =>
    i.meshPorts
      .filter(p => !p.allowed)
      .map(
        p =>
          `${p.port} (${p.name}) of ${i.workload.namespace}/${i.workload.name}`,
      ),
  );
  // A cluster whose objects could not be read may hold workloads no
  // isolation was judged for: the others cannot vouch for it.
  const unread = [
    ...gaps.filter(g => g.topic === 'network'),
    ...sources
      .filter(s => s.role === 'kubernetes' && s.status !== 'ok')
      .map(s => ({
        cluster: s.cluster,
        message: 'its Kubernetes objects could not be read',
      })),
  ];
  const warnings = [
    ...(ingress.length > 0 ? [`ingress: ${ingress.join('; ')}`] : []),
    ...(egress.length > 0 ? [`egress: ${egress.join('; ')}`] : []),
    ...(blocked.length > 0
      ? [`the ingress rules leave closed the mesh's port ${blocked.join(', ')}`]
      : []),
  ];
  if (warnings.length > 0) {
    findings.warn = warnings.join(' · ');
    short =
      ingress.length > 0 || egress.length > 0
        ? 'network not default-deny'
        : "network policy blocks the mesh's ports";
  } else if (!workloads.some(w => w.totalPods > 0)) {
    findings.notApplicable = 'no running pod to isolate';
  } else if (isolation === undefined || unread.length > 0) {
    findings.unknown =
      unread.map(g => `${g.cluster}: ${g.message}`).join('; ') ||
      'network policies were not read';
  } else if (judged.length === 0) {
    findings.unknown = 'no workload with running pods was judged';
  } else {
    const policies = new Set(
      judged.flatMap(i => [...i.ingress.policies, ...i.egress.policies]),
    );
    // Cilium's own kinds are named as such ("CiliumNetworkPolicy ns/name").
    const onlyKubernetes = [...policies].every(p => !p.startsWith('Cilium'));
    findings.pass = `every pod isolated for ingress and egress by ${plural(
      policies.size,
      onlyKubernetes ? 'NetworkPolicy' : 'network policy',
      onlyKubernetes ? 'NetworkPolicies' : 'network policies',
    )}, the mesh's ports open`;
    short = 'network default-deny';
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = {
    id: 'network-default-deny',
    title,
    status,
    detail,
  };
  return { check, short };
}

/** `host:port (protocol, via)`, as a finding names a destination. */
function describeEgressCall(c: EgressCall): string {
  const where = c.host
    ? `${c.host}${c.port ? `:${c.port}` : ''}`
    : `an unnamed ${c.protocol.toUpperCase()} destination${
        c.port ? ` on port ${c.port}` : ''
      }`;
  return `${where} from ${c.workload.namespace}/${c.workload.name} (${c.via})`;
}

/**
 * "Egress is declared": passes only where the mesh refuses what nothing
 * declares for every meshed workload, and no call went through undeclared.
 * An open policy with no undeclared call seen is a warning (nothing stops
 * the next one); a workload without a proxy, or a policy or telemetry not
 * read, is unknown.
 */
function checkEgressDeclared(
  egress: EgressPosture | undefined,
  workloads: WorkloadPosture[],
  window: string,
  gaps: MeshGap[],
  sources: SourceReport[],
  ctx: CheckContext,
) {
  const title = MESH_POSTURE_CHECKS['egress-declared'].title;
  const findings: CheckFindings = {};
  let short: string | undefined;
  const meshed = workloads.filter(w => w.meshedPods > 0);
  const unread = [
    ...gaps.filter(g => g.topic === 'egress'),
    ...sources
      .filter(s => s.status !== 'ok')
      .map(s => ({
        cluster: s.cluster,
        message: `its ${
          s.role === 'kubernetes' ? 'objects' : 'telemetry'
        } could not be read`,
      })),
  ];
  const policyOf = (w: WorkloadPosture) =>
    egress?.policies.find(p => sameWorkload(p.workload, w.workload));
  const through = (egress?.calls ?? []).filter(
    c => c.route === 'passthrough' && c.count > 0,
  );
  const refused = (egress?.calls ?? []).filter(
    c => c.route === 'blocked' && c.count > 0,
  );
  // The egress gateway forwards where its own config says: not judged.
  const viaGateway = (egress?.calls ?? []).filter(
    c => c.route === 'gateway' && c.count > 0,
  );
  const open = meshed
    .map(w => ({ w, p: policyOf(w) }))
    .filter(({ p }) => p?.mode === 'open');
  const bypassed = meshed.flatMap(w =>
    (w.bypass ?? [])
      .filter(b => b.direction === 'outbound')
      .map(b => `${w.workload.namespace}/${w.workload.name} (${b.setting})`),
  );
  const unmeshed = workloads.filter(w => w.totalPods > w.meshedPods);
  if (through.length > 0) {
    const hosts = new Set(
      through.map(c => c.host ?? `${c.protocol}:${c.port}`),
    );
    findings.fail = `${plural(
      hosts.size,
      'undeclared destination',
    )} reached in ${window}: ${through
      .slice(0, 5)
      .map(describeEgressCall)
      .join('; ')}${
      through.length > 5 ? ` and ${through.length - 5} more` : ''
    }`;
    short = 'undeclared egress';
  } else if (open.length > 0 || refused.length > 0 || bypassed.length > 0) {
    findings.warn = [
      ...(open.length > 0
        ? [
            `open to undeclared destinations: ${open
              .map(
                ({ w, p }) =>
                  `${w.workload.namespace}/${w.workload.name} (${
                    p!.decidedBy
                  })`,
              )
              .join('; ')}${
              egress && egress.calls.length === 0
                ? `; no call out of the mesh in ${window}`
                : `; none went through undeclared in ${window}`
            }`,
          ]
        : []),
      ...(refused.length > 0
        ? [
            `${plural(
              refused.reduce((n, c) => n + c.count, 0),
              'call',
            )} to undeclared destinations refused: ${refused
              .slice(0, 3)
              .map(describeEgressCall)
              .join('; ')}`,
          ]
        : []),
      ...(bypassed.length > 0
        ? [
            `outbound traffic bypasses the proxy, unseen and unchecked: ${bypassed.join(
              ', ',
            )}`,
          ]
        : []),
    ].join(' · ');
    short = open.length > 0 ? 'egress open' : 'egress refused';
  } else if (meshed.length === 0) {
    findings.unknown =
      'no meshed pod: without a proxy, nothing sees or controls its egress';
  } else if (egress === undefined || unread.length > 0) {
    findings.unknown =
      unread.map(g => `${g.cluster}: ${g.message}`).join('; ') ||
      'egress was not read';
  } else if (!ctx.reporting) {
    // Silence of proxies nobody scrapes is no evidence of no calls out.
    findings.unknown =
      ctx.notReporting ?? 'the proxies report no telemetry to judge egress on';
  } else if (viaGateway.length > 0) {
    findings.unknown = `${plural(
      viaGateway.reduce((n, c) => n + c.count, 0),
      'call',
    )} through the egress gateway (${[
      ...new Set(viaGateway.map(c => c.via)),
    ].join('; ')}): where it sends them is not judged`;
  } else if (meshed.some(w => !policyOf(w))) {
    findings.unknown = `no egress policy could be judged for ${meshed
      .filter(w => !policyOf(w))
      .map(w => `${w.workload.namespace}/${w.workload.name}`)
      .join(', ')}`;
  } else if (unmeshed.length > 0) {
    // Pods without a proxy reach anything the network lets them.
    findings.unknown = `${plural(
      unmeshed.reduce((n, w) => n + w.totalPods - w.meshedPods, 0),
      'pod',
    )} without a proxy: their egress is neither seen nor controlled`;
  } else {
    const declared = new Set(
      egress.calls.filter(c => c.route === 'declared').map(c => c.host),
    );
    const by = [...new Set(egress.policies.map(p => p.decidedBy))];
    findings.pass = `undeclared destinations refused (${by.join('; ')})${
      declared.size > 0
        ? `; calls in ${window} went only to ${plural(
            declared.size,
            'declared destination',
          )}`
        : `; no call out of the mesh in ${window}`
    }`;
    short = 'egress declared';
  }
  const { status, detail } = decide(findings);
  const check: PostureCheck = { id: 'egress-declared', title, status, detail };
  return { check, short };
}

/**
 * The verdict. A failure or warning decides (it rests on evidence); with
 * none, the verdict passes only when every source answered and the checks
 * that passed outnumber those that could not be judged. A verdict over
 * mostly unknown checks is unknown; checks that do not apply are left out.
 * @public
 */
export function deriveVerdict(
  checks: PostureCheck[],
  shorts: string[],
  sources: SourceReport[],
): PostureVerdict {
  const failedSources = sources.filter(s => s.status !== 'ok');
  const worst = checks.reduce<CheckStatus>(
    (w, c) =>
      (c.status === 'fail' || c.status === 'warn') &&
      SEVERITY[c.status] > SEVERITY[w]
        ? c.status
        : w,
    'pass',
  );
  const passed = checks.filter(c => c.status === 'pass').length;
  const unjudged = checks.filter(c => c.status === 'unknown').length;
  // The checks the verdict is about: no pass while one is unjudged.
  const essential = checks.some(
    c => VERDICT_ESSENTIAL.includes(c.id) && c.status === 'unknown',
  );
  let status: CheckStatus = worst;
  if (
    status === 'pass' &&
    (failedSources.length > 0 ||
      passed === 0 ||
      unjudged >= passed ||
      essential)
  ) {
    status = 'unknown';
  }
  const parts = [...shorts];
  if (unjudged > 0) {
    parts.push(
      `${unjudged} of ${plural(
        checks.filter(c => c.status !== 'not-applicable').length,
        'check',
      )} not judged`,
    );
  }
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
  const inbound = summarizeDirection(edges, 'inbound', facts.traffic);
  const outbound = summarizeDirection(edges, 'outbound');
  const ctx = contextOf(facts);

  const results = [
    checkMtls('inbound', edges, inbound, ctx),
    checkMtls('outbound', edges, outbound, ctx),
    checkPods(facts.workloads, ctx),
    checkDefaultDeny(facts.authorization, ctx),
    checkNetworkDefaultDeny(
      facts.networkIsolation,
      facts.workloads,
      facts.gaps,
      facts.sources,
    ),
    checkEgressDeclared(
      facts.egress,
      facts.workloads,
      facts.window,
      facts.gaps,
      facts.sources,
      ctx,
    ),
    checkOverGrants(
      facts.admittedIdentities,
      facts.authorization,
      facts.gaps,
      ctx,
    ),
    checkDeniedCallers(facts.deniedCallers, facts.gaps, ctx),
    checkCertificates(facts.certificates, facts.gaps, ctx),
  ];

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
    ...(facts.refusedCalls ? { refusedCalls: facts.refusedCalls } : {}),
    ...(facts.networkIsolation
      ? { networkIsolation: facts.networkIsolation }
      : {}),
    ...(facts.egress ? { egress: facts.egress } : {}),
    callerWindow: facts.callerWindow,
    gaps: facts.gaps,
    verdict,
    sources: facts.sources,
  };
}
