import { MESH_POSTURE_CHECKS, MeshPostureCheckId } from '../checks';
import type { MeshPosture, PostureCheck, TrafficSecurity } from '../types';
import {
  certificateRoleName,
  decidingCertificate,
  formatByteRate,
  formatExpiry,
  formatRate,
  isNetworkDirectionOpen,
} from './assessPosture';
import { plural } from './evidence';
import { bypassesOf } from './meshBypass';

/*
 * A check as what it found ("Default-deny: open on 2 ports"), not as its
 * goal beside a red icon. Built from the posture's own figures, the same
 * ones the check was decided on; the check's detail stays the evidence.
 */

/**
 * The parts of a posture a finding is read from.
 * @public
 */
export type FindingFacts = Pick<
  MeshPosture,
  | 'window'
  | 'callerWindow'
  | 'workloads'
  | 'edges'
  | 'inbound'
  | 'outbound'
  | 'authorization'
  | 'admittedIdentities'
  | 'deniedCallers'
  | 'certificates'
  | 'networkIsolation'
  | 'egress'
>;

/**
 * What a check found, said in a few words: its subject ("Default-deny") and
 * the finding ("open on 2 ports").
 * @public
 */
export interface CheckFinding {
  /** What the check is about: "Default-deny", "Certificates". */
  subject: string;
  /** What it found: "open on 2 ports"; "not judged" when it could not tell. */
  finding: string;
}

const NOT_JUDGED = 'not judged';
const DOES_NOT_APPLY = 'does not apply';

/** Traffic in each protocol's unit: "12.3 req/s and 3.1 KB/s TCP". */
function amount(totals: TrafficSecurity): string {
  return [
    totals.requestsPerSecond > 0
      ? formatRate(totals.requestsPerSecond)
      : undefined,
    totals.tcp && totals.tcp.bytesPerSecond > 0
      ? `${formatByteRate(totals.tcp.bytesPerSecond)} TCP`
      : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
}

/** Pods of meshed workloads that run without a proxy. */
function podsWithoutProxy(facts: FindingFacts): number {
  return facts.workloads
    .filter(w => w.meshedPods > 0)
    .reduce((n, w) => n + w.totalPods - w.meshedPods, 0);
}

function unmeshed(facts: FindingFacts): boolean {
  return (
    facts.workloads.length > 0 &&
    facts.workloads.every(w => w.meshedPods === 0) &&
    facts.workloads.some(w => w.totalPods > 0)
  );
}

function mtlsFinding(
  direction: 'inbound' | 'outbound',
  check: PostureCheck,
  facts: FindingFacts,
): string {
  const totals = facts[direction];
  const plaintext = facts.edges.filter(
    e => e.direction === direction && e.mtlsShare !== null && e.mtlsShare < 1,
  ).length;
  const bypass = !unmeshed(facts) && bypassesOf(facts.workloads, direction);
  switch (check.status) {
    case 'fail':
      if (bypass && bypass.length > 0) {
        return `${direction} traffic skips the proxy`;
      }
      if (plaintext > 0) {
        return direction === 'inbound'
          ? plural(plaintext, 'plaintext caller')
          : `plaintext to ${plural(plaintext, 'peer')}`;
      }
      return unmeshed(facts) ? 'no pod is meshed' : check.detail;
    case 'warn':
      return `${plural(podsWithoutProxy(facts), 'pod')} without a proxy`;
    case 'pass':
      return `all ${amount(totals)} over mTLS`;
    case 'unknown': {
      const unseen = totals.unverifiedRequestsPerSecond;
      const unseenTcp = totals.tcp?.unverifiedBytesPerSecond ?? 0;
      if (unseen > 0 || unseenTcp > 0) {
        const what = [
          unseen > 0 ? formatRate(unseen) : undefined,
          unseenTcp > 0 ? `${formatByteRate(unseenTcp)} TCP` : undefined,
        ]
          .filter(Boolean)
          .join(' and ');
        return `${NOT_JUDGED}: ${what} not observed`;
      }
      return NOT_JUDGED;
    }
    default:
      return `no ${direction} traffic in ${facts.window}`;
  }
}

function podsFinding(check: PostureCheck, facts: FindingFacts): string {
  const total = facts.workloads.reduce((n, w) => n + w.totalPods, 0);
  const meshed = facts.workloads.reduce((n, w) => n + w.meshedPods, 0);
  switch (check.status) {
    case 'fail':
      return total === 1 ? 'its only pod has no proxy' : 'no pod is meshed';
    case 'warn':
      return `${total - meshed} of ${plural(total, 'pod')} without a proxy`;
    case 'pass':
      return total === 1
        ? 'its only pod is meshed'
        : `all ${total} pods meshed`;
    case 'unknown':
      return NOT_JUDGED;
    default:
      return DOES_NOT_APPLY;
  }
}

function defaultDenyFinding(check: PostureCheck, facts: FindingFacts): string {
  const ports = facts.authorization;
  const open = ports.filter(p => p.access === 'open' || p.access === 'audit');
  const broad = ports.filter(
    p => p.access === 'authenticated' || p.access === 'cluster',
  );
  // In the order the check decides in (assessPosture's checkDefaultDeny).
  switch (check.status) {
    case 'fail':
      if (unmeshed(facts)) return 'not enforced: no pod is meshed';
      if (bypassesOf(facts.workloads, 'inbound').length > 0) {
        return 'ports skip the proxy';
      }
      if (open.length > 0) return `open on ${plural(open.length, 'port')}`;
      return `not enforced on ${plural(
        podsWithoutProxy(facts),
        'pod',
      )} without a proxy`;
    case 'warn':
      return `any ${
        broad.some(p => p.access === 'cluster') ? 'in-cluster' : 'mesh'
      } client may call ${plural(broad.length, 'port')}`;
    case 'pass':
      return ports.length === 1
        ? 'on its only port'
        : `on all ${ports.length} ports`;
    case 'unknown':
      return NOT_JUDGED;
    default:
      return DOES_NOT_APPLY;
  }
}

function grantsFinding(check: PostureCheck, facts: FindingFacts): string {
  const admitted = facts.admittedIdentities;
  // One identity admitted to a canary and its primary is one identity.
  const distinct = (list: typeof admitted) =>
    new Set(list.map(a => a.identity)).size;
  const all = distinct(admitted);
  const unused = distinct(admitted.filter(a => a.seen === false));
  const unjudged = distinct(admitted.filter(a => a.seen === null));
  switch (check.status) {
    case 'warn':
      return `${plural(
        unused,
        'identity',
        'identities',
      )} never seen calling in ${facts.callerWindow}`;
    case 'pass':
      return all === 1
        ? `the only admitted identity called in ${facts.callerWindow}`
        : `all ${all} called in ${facts.callerWindow}`;
    case 'unknown':
      return unjudged > 0 ? `${NOT_JUDGED}: ${unjudged} of ${all}` : NOT_JUDGED;
    case 'not-applicable':
      return admitted.length === 0 ? 'none admitted by name' : DOES_NOT_APPLY;
    default:
      return check.detail;
  }
}

function deniedFinding(check: PostureCheck, facts: FindingFacts): string {
  const total = Math.round(
    facts.deniedCallers.reduce((n, d) => n + d.count, 0),
  );
  switch (check.status) {
    case 'warn':
    case 'fail':
      return `${total.toLocaleString('en-US')} denied in ${facts.callerWindow}`;
    case 'pass':
      // The detail says over how much of the window the proxies reported.
      return check.detail;
    case 'unknown':
      return NOT_JUDGED;
    default:
      return DOES_NOT_APPLY;
  }
}

function certificatesFinding(check: PostureCheck, facts: FindingFacts): string {
  const deciding = decidingCertificate(facts.certificates);
  switch (check.status) {
    case 'fail':
    case 'warn': {
      if (!deciding) return check.detail;
      const name = certificateRoleName(deciding.role);
      return deciding.problem
        ? `${name} not valid`
        : `${name} ${formatExpiry(deciding.daysToExpiry)}`;
    }
    case 'pass': {
      const longLived = facts.certificates.filter(
        c => c.role !== 'workload' && c.role !== 'webhook',
      );
      if (longLived.length === 0) return check.detail;
      const days = Math.min(...longLived.map(c => c.daysToExpiry));
      return `valid for at least ${plural(days, 'day')}`;
    }
    case 'unknown':
      return NOT_JUDGED;
    default:
      return DOES_NOT_APPLY;
  }
}

function networkFinding(check: PostureCheck, facts: FindingFacts): string {
  const judged = (facts.networkIsolation ?? []).filter(i => i.pods > 0);
  const open = (direction: 'ingress' | 'egress') =>
    judged.filter(i => isNetworkDirectionOpen(i, direction)).length;
  switch (check.status) {
    case 'warn': {
      const parts = [];
      const inOpen = open('ingress');
      const outOpen = open('egress');
      const one = judged.length === 1;
      if (inOpen > 0) {
        parts.push(
          one
            ? 'ingress open'
            : `ingress open on ${plural(inOpen, 'workload')}`,
        );
      }
      if (outOpen > 0) {
        parts.push(
          one ? 'egress open' : `egress open on ${plural(outOpen, 'workload')}`,
        );
      }
      const blocked = new Set(
        judged.flatMap(i =>
          i.meshPorts.filter(p => !p.allowed).map(p => p.port),
        ),
      );
      if (blocked.size > 0) {
        parts.push(
          `mesh ${blocked.size === 1 ? 'port' : 'ports'} ${[...blocked].join(
            ', ',
          )} closed`,
        );
      }
      return parts.join(', ') || check.detail;
    }
    case 'pass':
      return 'deny by default, both ways';
    case 'unknown':
      return NOT_JUDGED;
    default:
      return DOES_NOT_APPLY;
  }
}

function egressFinding(check: PostureCheck, facts: FindingFacts): string {
  const calls = facts.egress?.calls ?? [];
  const hosts = (route: string) =>
    new Set(
      calls
        .filter(c => c.route === route && c.count > 0)
        .map(c => c.host ?? `${c.protocol}:${c.port ?? '?'}`),
    ).size;
  switch (check.status) {
    case 'fail':
      return `${plural(
        hosts('passthrough'),
        'undeclared destination',
      )} reached`;
    case 'warn': {
      const open = (facts.egress?.policies ?? []).filter(
        p => p.mode === 'open',
      ).length;
      const parts = [];
      if (open > 0) {
        parts.push(
          (facts.egress?.policies.length ?? 0) === 1
            ? 'open to undeclared destinations'
            : `open on ${plural(open, 'workload')}`,
        );
      }
      if (hosts('blocked') > 0) {
        parts.push(
          `${plural(hosts('blocked'), 'undeclared destination')} refused`,
        );
      }
      return parts.join(', ') || check.detail;
    }
    case 'pass':
      return hosts('declared') > 0
        ? `only ${plural(hosts('declared'), 'declared destination')}`
        : 'undeclared destinations refused';
    case 'unknown':
      return NOT_JUDGED;
    default:
      return DOES_NOT_APPLY;
  }
}

/**
 * What a posture check found, in a few words, from the posture it was
 * decided on: "Default-deny: open on 2 ports", "Inbound mTLS: 2 plaintext
 * callers", "Certificates: issuer expires in 12 days". A check that could
 * not be judged says "not judged" (its detail says why), never a pass; one
 * that does not apply says so. A check this does not know keeps its detail.
 * @public
 */
export function describeCheckFinding(
  check: PostureCheck,
  facts: FindingFacts,
): CheckFinding {
  // Own keys only: a module's check named "constructor" keeps its title.
  const subject = Object.prototype.hasOwnProperty.call(
    MESH_POSTURE_CHECKS,
    check.id,
  )
    ? MESH_POSTURE_CHECKS[check.id as MeshPostureCheckId].subject
    : check.title;
  let finding: string;
  switch (check.id) {
    case 'inbound-mtls':
      finding = mtlsFinding('inbound', check, facts);
      break;
    case 'outbound-mtls':
      finding = mtlsFinding('outbound', check, facts);
      break;
    case 'meshed-pods':
      finding = podsFinding(check, facts);
      break;
    case 'default-deny':
      finding = defaultDenyFinding(check, facts);
      break;
    case 'network-default-deny':
      finding = networkFinding(check, facts);
      break;
    case 'egress-declared':
      finding = egressFinding(check, facts);
      break;
    case 'no-over-grants':
      finding = grantsFinding(check, facts);
      break;
    case 'denied-callers':
      finding = deniedFinding(check, facts);
      break;
    case 'certificates':
      finding = certificatesFinding(check, facts);
      break;
    default:
      finding = check.detail;
  }
  return { subject, finding };
}
