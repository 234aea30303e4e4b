import {
  DatabaseService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  diffChecklistTemplates,
  summarizeChecklistTemplateDiff,
} from '@mesh-posture/plugin-mesh-posture-common';
import { ChecklistStore } from '../database/ChecklistStore';
import { ChecklistService } from './ChecklistService';
import { readChecklistSettings } from './config';
import type {
  ChecklistSeedContext,
  ChecklistSeedFunction,
} from '@mesh-posture/plugin-mesh-posture-node';
import { ChecklistTemplateRegistry } from './TemplateRegistry';

export {
  ChecklistService,
  ChecklistConflictError,
  readChecklistPosture,
  checklistPostureFor,
} from './ChecklistService';
export type { ChecklistPosture } from './ChecklistService';

/**
 * Sets up compliance checklists at startup: reads and validates the
 * templates and rules of `meshPosture.checklists` (throwing with every
 * problem named), records each template version, and writes the seeds
 * modules gave (the demo's partly filled checklists) into an empty database.
 */
export async function createChecklistService(options: {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  /** Seeds from modules (meshPostureSeedsExtensionPoint). */
  seeds: ChecklistSeedFunction[];
  /** The seeded past's posture, for seeded attestations' automatic items. */
  postureAt?: ChecklistSeedContext['postureAt'];
  now?: () => Date;
}): Promise<ChecklistService> {
  const { config, logger, database, seeds } = options;
  const now = options.now ?? (() => new Date());
  const settings = readChecklistSettings(config);
  const { registry, warnings } =
    ChecklistTemplateRegistry.fromSettings(settings);
  for (const warning of warnings) {
    logger.warn(warning);
  }

  const store = await ChecklistStore.create({ database });
  for (const template of registry.list()) {
    const { created, previous } = await store.recordTemplateVersion(
      template,
      now(),
    );
    if (created && previous) {
      logger.info(
        `Checklist template "${template.id}" is now version ${
          template.version
        } (was ${previous.version}): ${summarizeChecklistTemplateDiff(
          diffChecklistTemplates(previous, template),
        )}; answers to unchanged items carry over, changed items are flagged for re-answer`,
      );
    }
  }

  // Seeds may read the past's posture: not on every start, only while
  // there is nothing (seedIfEmpty still decides between replicas).
  if (seeds.length > 0 && !(await store.hasEvents())) {
    const context: ChecklistSeedContext = {
      template: id => registry.get(id),
      now: now(),
      attestationValidityMs: settings.attestationValidityMs,
      ...(options.postureAt ? { postureAt: options.postureAt } : {}),
    };
    const checklists = await Promise.all(seeds.map(seed => seed(context)));
    const seeded = await store.seedIfEmpty(checklists.flat());
    if (seeded) logger.info('Seeded checklists given by modules');
  }

  logger.info(
    `Checklist templates: ${registry
      .list()
      .map(t => `${t.id}@${t.version} (${t.source})`)
      .join(', ')}`,
  );
  return new ChecklistService({
    registry,
    store,
    logger,
    attestationValidityMs: settings.attestationValidityMs,
    now: options.now,
  });
}
