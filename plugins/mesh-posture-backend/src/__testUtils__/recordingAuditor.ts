import { AuditorServiceCreateEventOptions } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';

/** What an auditor event recorded: its id and meta, and how it ended. */
export type AuditRecord = {
  eventId: string;
  meta: unknown;
  outcome?: 'success' | 'fail';
  successMeta?: unknown;
  error?: string;
};

/** An auditor service that keeps every event, for tests to read. */
export function recordingAuditor() {
  const records: AuditRecord[] = [];
  const mock = mockServices.auditor.mock({
    createEvent: async (options: AuditorServiceCreateEventOptions) => {
      const record: AuditRecord = {
        eventId: options.eventId,
        meta: options.meta,
      };
      records.push(record);
      return {
        success: async o => {
          record.outcome = 'success';
          record.successMeta = o?.meta;
        },
        fail: async o => {
          record.outcome = 'fail';
          record.error = o.error.message;
        },
      };
    },
  });
  return { records, factory: mock.factory };
}
