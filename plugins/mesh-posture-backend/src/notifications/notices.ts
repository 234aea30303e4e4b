import { parseEntityRef } from '@backstage/catalog-model';
import {
  AttestationState,
  EntityScorecard,
  SCORE_CHECK_TITLES,
  ScoreCheckId,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { NotificationSettings } from '../config';
import type { StoredCertificate } from '../database/ScorecardStore';

/** A checklist's attestation and exemptions, as a snapshot run saw them. */
export interface ChecklistDeadlines {
  entityRef: string;
  template: { id: string; title: string };
  attestation?: {
    state: AttestationState;
    validUntil: string;
    /** Why it went stale, in words. */
    reasons: string[];
  };
  exemptions: Array<{ itemId: string; expiresAt: string }>;
}

/**
 * A canary whose Flagger status says it was rolled back: phase `Failed`
 * (fluxcd/flagger pkg/apis/flagger/v1beta1/status.go CanaryPhaseFailed,
 * set by pkg/controller/scheduler.go rollback), until the next revision.
 */
export interface CanaryRollback {
  entityRef: string;
  cluster: string;
  namespace: string;
  name: string;
  /** status.lastTransitionTime: one rollback, told once. */
  at: string;
  message?: string;
}

/** What a run saw beyond its scorecards, for notifications. */
export interface RunFindings {
  checklists: ChecklistDeadlines[];
  canaryRollbacks: CanaryRollback[];
}

/** The notification topics. */
export type NoticeTopic =
  | 'certificates'
  | 'regressions'
  | 'attestations'
  | 'exemptions'
  | 'canary-rollbacks';

/** One notification to send or update, and what it is about. */
export interface PostureNotice {
  /**
   * One per entity (or cluster) and topic: the notifications backend
   * updates the notification with the same scope instead of adding one.
   */
  scope: string;
  topic: NoticeTopic;
  /**
   * The conditions it tells, one key each (a check and its status, a
   * certificate and its band): sent again only when a key is new.
   */
  conditions: string[];
  /** Entity refs: a component's own owners, or the owners of a cluster's services. */
  recipients: string[];
  title: string;
  description: string;
  /** Path in the portal. */
  link: string;
  severity: 'critical' | 'high' | 'normal' | 'low';
}

const DAY = 24 * 3600_000;

/** The tab of an entity's page, as the catalog routes it. */
function entityPath(entityRef: string, tab?: string) {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;
}

/** An instant as people read it in a message: `2026-12-07 18:20 UTC`. */
function utc(iso: string) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n} ${n === 1 ? one : many}`;

function inDays(days: number) {
  if (days < 0) return `expired ${plural(-days, 'day')} ago`;
  if (days === 0) return 'expires today';
  return `expires in ${plural(days, 'day')}`;
}

/** Items by a key, keys in order: one notice per entity or cluster. */
function groupedBy<T>(
  items: T[],
  keyOf: (item: T) => string,
): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

const ROLE_NAMES: Record<string, string> = {
  'trust-anchor': 'Trust anchor',
  issuer: 'Issuer',
  root: 'Root',
  workload: 'Workload certificate',
  webhook: 'Webhook certificate',
};

/** Bands a certificate moves through: a new band is told again. */
function certificateBand(daysLeft: number) {
  if (daysLeft < 0) return 'expired';
  if (daysLeft <= 7) return 'week';
  return 'due';
}

export interface NoticeInput {
  now: Date;
  settings: NotificationSettings;
  /** The run's scorecards. */
  scorecards: EntityScorecard[];
  /** Per entity, the checks that passed in a run within the regression lookback. */
  passedBefore: Map<string, Set<string>>;
  certificates: StoredCertificate[];
  findings: RunFindings;
}

/**
 * What owners should be told after a run: pure, so the rules are tested
 * without a database or a notifications backend.
 */
export function postureNotices(input: NoticeInput): PostureNotice[] {
  const { settings } = input;
  return [
    ...(settings.certificates.enabled ? certificateNotices(input) : []),
    ...(settings.regressions.enabled ? regressionNotices(input) : []),
    ...(settings.attestations.enabled ? attestationNotices(input) : []),
    ...(settings.exemptions.enabled ? exemptionNotices(input) : []),
    ...(settings.canaryRollbacks.enabled ? rollbackNotices(input) : []),
  ];
}

function nameOf(card: EntityScorecard | undefined, entityRef: string) {
  return card?.title || parseEntityRef(entityRef).name;
}

function certificateNotices(input: NoticeInput): PostureNotice[] {
  const { now, settings, scorecards, certificates } = input;
  const within = settings.certificates.withinDays;
  const daysLeft = (c: StoredCertificate) =>
    Math.floor((Date.parse(c.certificate.notAfter) - now.getTime()) / DAY);
  // Workload certificates live a day and webhook ones are reissued by
  // cert-manager: only an expired one (rotation stopped) is news, as in the
  // certificates check (certificateStatus in -common). Long-lived ones are
  // told ahead.
  const selfRotating = (c: StoredCertificate) =>
    c.certificate.role === 'workload' || c.certificate.role === 'webhook';
  const due = certificates.filter(c =>
    selfRotating(c) ? daysLeft(c) < 0 : daysLeft(c) <= within,
  );
  const notices: PostureNotice[] = [];
  const describe = (c: StoredCertificate) =>
    `${ROLE_NAMES[c.certificate.role] ?? c.certificate.role} ${
      c.certificate.subject
    } on ${c.certificate.cluster} ${inDays(daysLeft(c))} (${utc(
      c.certificate.notAfter,
    )}, ${c.certificate.location})`;
  const conditionOf = (c: StoredCertificate) =>
    JSON.stringify([
      c.certificate.cluster,
      c.certificate.role,
      c.certificate.subject,
      c.certificate.notAfter,
      certificateBand(daysLeft(c)),
    ]);
  const severityOf = (list: StoredCertificate[]) => {
    const soonest = Math.min(...list.map(daysLeft));
    if (soonest < 0) return 'critical' as const;
    if (soonest <= 30) return 'high' as const;
    return 'normal' as const;
  };

  // A cluster's own certificates: to the owners of its services, once.
  const ownersByCluster = new Map<string, Set<string>>();
  for (const card of scorecards) {
    if (!card.owner) continue;
    for (const cluster of card.clusters) {
      const owners = ownersByCluster.get(cluster) ?? new Set<string>();
      owners.add(card.owner);
      ownersByCluster.set(cluster, owners);
    }
  }
  for (const [cluster, list] of groupedBy(
    due.filter(d => !d.entityRef),
    c => c.certificate.cluster,
  )) {
    const recipients = [...(ownersByCluster.get(cluster) ?? [])].sort();
    if (recipients.length === 0) continue;
    const soonest = list.reduce((a, b) => (daysLeft(a) <= daysLeft(b) ? a : b));
    notices.push({
      scope: `mesh-posture:cluster:${cluster}:certificates`,
      topic: 'certificates',
      conditions: list.map(conditionOf).sort(),
      recipients,
      title: `${ROLE_NAMES[soonest.certificate.role] ?? 'Certificate'} ${
        soonest.certificate.subject
      } on ${cluster} ${inDays(daysLeft(soonest))}`,
      description: [
        `Mesh certificates of cluster ${cluster} that your services rely on:`,
        ...list.map(describe),
        'Rotate them before they expire: every mTLS connection of the cluster fails once its trust anchor or issuer has.',
      ].join('\n'),
      link: '/zero-trust',
      severity: severityOf(list),
    });
  }

  const cards = new Map(scorecards.map(c => [c.entityRef, c]));
  for (const [entityRef, list] of groupedBy(
    due.filter(d => d.entityRef),
    c => c.entityRef!,
  )) {
    notices.push({
      scope: `mesh-posture:${entityRef}:certificates`,
      topic: 'certificates',
      conditions: list.map(conditionOf).sort(),
      recipients: [entityRef],
      title: `${nameOf(cards.get(entityRef), entityRef)}: ${plural(
        list.length,
        'workload certificate',
      )} expired`,
      description: [
        ...list.map(describe),
        'An expired workload certificate means its proxy stopped rotating it: `linkerd check --proxy`, or istioctl proxy-status, says why.',
      ].join('\n'),
      link: entityPath(entityRef, 'zero-trust'),
      severity: 'critical',
    });
  }
  return notices;
}

function regressionNotices(input: NoticeInput): PostureNotice[] {
  const { scorecards, passedBefore, settings } = input;
  const days = Math.round(settings.regressions.lookbackMs / DAY);
  const period = days >= 1 ? plural(days, 'day') : 'the lookback';
  const notices: PostureNotice[] = [];
  for (const card of scorecards) {
    const passed = passedBefore.get(card.entityRef);
    if (!passed) continue;
    // A regression is a check that now fails or warns, on evidence: an
    // unknown (a source down) is a gap, not a regression.
    const regressed = card.checks.filter(
      c => passed.has(c.id) && (c.status === 'fail' || c.status === 'warn'),
    );
    if (regressed.length === 0) continue;
    const title = (id: string) => SCORE_CHECK_TITLES[id as ScoreCheckId] ?? id;
    notices.push({
      scope: `mesh-posture:${card.entityRef}:regressions`,
      topic: 'regressions',
      conditions: regressed.map(c => `${c.id}:${c.status}`).sort(),
      recipients: [card.entityRef],
      title: `${nameOf(card, card.entityRef)}: ${regressed
        .map(c => title(c.id))
        .join(', ')} no longer ${regressed.length === 1 ? 'passes' : 'pass'}`,
      description: [
        `Passed within the last ${period}, now:`,
        ...regressed.map(
          c =>
            `${title(c.id)} (${c.status === 'fail' ? 'fails' : 'warns'}): ${
              c.detail
            }`,
        ),
      ].join('\n'),
      link: entityPath(card.entityRef, 'zero-trust'),
      severity: regressed.some(c => c.status === 'fail') ? 'high' : 'normal',
    });
  }
  return notices;
}

function attestationNotices(input: NoticeInput): PostureNotice[] {
  const { now, settings, findings, scorecards } = input;
  const cards = new Map(scorecards.map(c => [c.entityRef, c]));
  const within = settings.attestations.withinDays;
  const entries: Array<{
    entityRef: string;
    title: string;
    condition: string;
    words: string;
    stale: boolean;
  }> = [];
  for (const c of findings.checklists) {
    const a = c.attestation;
    if (!a) continue;
    const daysLeft = Math.floor(
      (Date.parse(a.validUntil) - now.getTime()) / DAY,
    );
    let entry;
    if (a.state === 'stale') {
      entry = {
        entityRef: c.entityRef,
        title: c.template.title,
        condition: `${c.template.id}:stale:${a.reasons.join('|')}`,
        words: `${c.template.title}: the attestation is stale (${
          a.reasons.join('; ') || 'it no longer holds'
        })`,
        stale: true,
      };
    } else if (daysLeft <= within) {
      entry = {
        entityRef: c.entityRef,
        title: c.template.title,
        condition: `${c.template.id}:due:${a.validUntil}`,
        words: `${c.template.title}: the attestation is due ${
          daysLeft <= 0 ? 'today' : `in ${plural(daysLeft, 'day')}`
        } (valid until ${utc(a.validUntil)})`,
        stale: false,
      };
    }
    if (entry) entries.push(entry);
  }
  return groupedBy(entries, e => e.entityRef).map(([entityRef, list]) => ({
    scope: `mesh-posture:${entityRef}:attestations`,
    topic: 'attestations' as const,
    conditions: list.map(l => l.condition).sort(),
    recipients: [entityRef],
    title: `${nameOf(cards.get(entityRef), entityRef)}: ${list
      .map(l => l.title)
      .join(', ')} ${
      list.some(l => l.stale) ? 'to re-attest' : 'due for attestation'
    }`,
    description: [
      ...list.map(l => l.words),
      'A tech lead reviews the checklist and attests it again on the Compliance tab.',
    ].join('\n'),
    link: entityPath(entityRef, 'compliance'),
    severity: list.some(l => l.stale) ? ('high' as const) : ('normal' as const),
  }));
}

function exemptionNotices(input: NoticeInput): PostureNotice[] {
  const { now, settings, findings, scorecards } = input;
  const cards = new Map(scorecards.map(c => [c.entityRef, c]));
  const within = settings.exemptions.withinDays;
  const entries: Array<{
    entityRef: string;
    condition: string;
    words: string;
    expired: boolean;
    urgent: boolean;
  }> = [];
  for (const c of findings.checklists) {
    for (const e of c.exemptions) {
      const daysLeft = Math.floor(
        (Date.parse(e.expiresAt) - now.getTime()) / DAY,
      );
      if (daysLeft > within) continue;
      const expired = Date.parse(e.expiresAt) <= now.getTime();
      entries.push({
        entityRef: c.entityRef,
        condition: `${c.template.id}/${e.itemId}:${e.expiresAt}:${
          expired ? 'expired' : 'due'
        }`,
        words: `${c.template.title}, item ${e.itemId}: the exemption ${
          expired ? 'has expired' : inDays(daysLeft)
        } (${utc(e.expiresAt)})`,
        expired,
        urgent: expired || daysLeft <= 7,
      });
    }
  }
  return groupedBy(entries, e => e.entityRef).map(([entityRef, list]) => ({
    scope: `mesh-posture:${entityRef}:exemptions`,
    topic: 'exemptions' as const,
    conditions: list.map(l => l.condition).sort(),
    recipients: [entityRef],
    title: `${nameOf(cards.get(entityRef), entityRef)}: ${plural(
      list.length,
      'exemption',
    )} ${list.every(l => l.expired) ? 'expired' : 'about to expire'}`,
    description: [
      ...list.map(l => l.words),
      'Fix the item, or have an exemption approver renew it with a justification, on the Compliance tab.',
    ].join('\n'),
    link: entityPath(entityRef, 'compliance'),
    severity: list.some(l => l.urgent)
      ? ('high' as const)
      : ('normal' as const),
  }));
}

function rollbackNotices(input: NoticeInput): PostureNotice[] {
  const cards = new Map(input.scorecards.map(c => [c.entityRef, c]));
  return groupedBy(input.findings.canaryRollbacks, r => r.entityRef).map(
    ([entityRef, list]) => ({
      scope: `mesh-posture:${entityRef}:canary-rollbacks`,
      topic: 'canary-rollbacks' as const,
      conditions: list
        .map(r => `${r.cluster}/${r.namespace}/${r.name}@${r.at}`)
        .sort(),
      recipients: [entityRef],
      title: `${nameOf(cards.get(entityRef), entityRef)}: Flagger rolled back ${
        list.length === 1
          ? `canary ${list[0].namespace}/${list[0].name}`
          : plural(list.length, 'canary', 'canaries')
      }`,
      description: list
        .map(
          r =>
            `${r.namespace}/${r.name} on ${r.cluster}, ${utc(r.at)}${
              r.message ? `: ${r.message}` : ''
            }`,
        )
        .join('\n'),
      link: entityPath(entityRef),
      severity: 'high' as const,
    }),
  );
}

/** The topic as the notifications page groups it. */
export const NOTICE_TOPIC_TITLES: Record<NoticeTopic, string> = {
  certificates: 'Mesh certificates',
  regressions: 'Zero-trust regressions',
  attestations: 'Checklist attestations',
  exemptions: 'Checklist exemptions',
  'canary-rollbacks': 'Canary rollbacks',
};
