import { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SnapshotRun } from '@mesh-posture/plugin-mesh-posture-common';
import type { NotificationSettings } from '../config';
import type { NoticeStore, ToldNotice } from '../database/NoticeStore';
import type { ScorecardStore } from '../database/ScorecardStore';
import {
  NOTICE_TOPIC_TITLES,
  postureNotices,
  PostureNotice,
  RunFindings,
} from './notices';

/** What one pass of the notifier did. */
export interface NotifierOutcome {
  sent: number;
  /** Notices whose conditions were all told already. */
  unchanged: number;
  /** Scopes whose conditions cleared. */
  cleared: number;
  failed: number;
}

/**
 * Tells owners what changed after a snapshot run, through the
 * notifications plugin: one notification per entity (or cluster) and
 * topic, updated in place by its scope, sent only when a condition is new.
 * What was told is kept in the database, so a change is sent once whichever
 * replica runs the snapshot, and a restart does not repeat it.
 */
export class PostureNotifier {
  constructor(
    private readonly options: {
      notifications: NotificationService;
      settings: NotificationSettings;
      scorecards: ScorecardStore;
      notices: NoticeStore;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  /** After a stored run: works out the notices and sends what is new. */
  async afterRun(
    run: SnapshotRun,
    findings: RunFindings,
  ): Promise<NotifierOutcome> {
    const { settings, scorecards, logger } = this.options;
    const now = this.options.now?.() ?? new Date();
    const [cards, certificates, passedBefore] = await Promise.all([
      scorecards.scorecardsOf(run.id),
      scorecards.certificatesOf(run.id),
      settings.regressions.enabled
        ? scorecards.passedChecks(
            new Date(now.getTime() - settings.regressions.lookbackMs),
            run.id,
          )
        : Promise.resolve(new Map<string, Set<string>>()),
    ]);
    const notices = postureNotices({
      now,
      settings,
      scorecards: cards,
      passedBefore,
      certificates,
      findings,
    });
    const outcome = await this.deliver(notices, now);
    if (outcome.sent + outcome.failed + outcome.cleared > 0) {
      logger.info(
        `Mesh posture notifications after run ${run.id}: ${outcome.sent} sent, ${outcome.unchanged} unchanged, ${outcome.cleared} cleared, ${outcome.failed} failed`,
      );
    }
    return outcome;
  }

  private async deliver(
    notices: PostureNotice[],
    now: Date,
  ): Promise<NotifierOutcome> {
    const store = this.options.notices;
    const told = await store.told();
    const outcome: NotifierOutcome = {
      sent: 0,
      unchanged: 0,
      cleared: 0,
      failed: 0,
    };
    const current = new Set(notices.map(n => n.scope));
    // A topic turned off keeps its rows: turning it back on does not
    // repeat what was told.
    const gone = [...told.values()]
      .filter(t => !current.has(t.scope) && this.topicEnabled(t.topic))
      .map(t => t.scope);
    if (gone.length > 0) {
      await store.clear(gone);
      outcome.cleared = gone.length;
    }
    for (const notice of notices) {
      const before = told.get(notice.scope);
      const next: ToldNotice = {
        scope: notice.scope,
        topic: notice.topic,
        conditions: notice.conditions,
      };
      const known = new Set(before?.conditions ?? []);
      if (notice.conditions.every(c => known.has(c))) {
        // Nothing new: fewer conditions are recorded without a message.
        if (before && before.conditions.length !== notice.conditions.length) {
          await store.narrow(next, before.conditions);
        }
        outcome.unchanged++;
        continue;
      }
      if (!(await store.claim(next, before?.conditions, now))) {
        // Another replica told it first.
        outcome.unchanged++;
        continue;
      }
      try {
        await this.options.notifications.send({
          recipients: { type: 'entity', entityRef: notice.recipients },
          payload: {
            title: notice.title,
            description: notice.description,
            link: notice.link,
            severity: notice.severity,
            topic: NOTICE_TOPIC_TITLES[notice.topic],
            scope: notice.scope,
          },
        });
        outcome.sent++;
      } catch (error) {
        // Told next run: the claim is undone. The error names no recipient.
        await store.release(notice.scope, before);
        outcome.failed++;
        this.options.logger.warn(
          `Mesh posture notification ${notice.topic} not sent: ${
            (error as Error)?.message ?? error
          }`,
        );
      }
    }
    return outcome;
  }

  private topicEnabled(topic: string): boolean {
    const { settings } = this.options;
    switch (topic) {
      case 'certificates':
        return settings.certificates.enabled;
      case 'regressions':
        return settings.regressions.enabled;
      case 'attestations':
        return settings.attestations.enabled;
      case 'exemptions':
        return settings.exemptions.enabled;
      case 'canary-rollbacks':
        return settings.canaryRollbacks.enabled;
      default:
        return true;
    }
  }
}
