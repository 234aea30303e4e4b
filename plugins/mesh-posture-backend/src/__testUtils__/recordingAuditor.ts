import { AuditorServiceCreateEventOptions } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';

/** What an auditor event recorded: its id and meta, and how it ended. */
export type AuditRecord = {
  eventId: string;
  meta: unknown;
  outcome?: 'success' | 'fail';
  successMeta?: unknown;
  failMeta?: unknown;
  error?: string;
  /**
   * Everything the event would hand a log: the options, the URL, and the
   * error with its stack and every own property (as winston's `errors`
   * format writes them).
   */
  logged: string[];
};

function serialize(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v instanceof Error
      ? { ...v, name: v.name, message: v.message, stack: v.stack }
      : v,
  );
}

/** An auditor service that keeps every event, for tests to read. */
export function recordingAuditor() {
  const records: AuditRecord[] = [];
  const mock = mockServices.auditor.mock({
    createEvent: async (options: AuditorServiceCreateEventOptions) => {
      const { request, ...rest } = options;
      const url = request ? { url: request.originalUrl } : {};
      const record: AuditRecord = {
        eventId: options.eventId,
        meta: options.meta,
        logged: [serialize({ ...rest, ...url, status: 'initiated' })],
      };
      records.push(record);
      return {
        success: async o => {
          record.outcome = 'success';
          record.successMeta = o?.meta;
          record.logged.push(serialize({ ...rest, ...url, ...o }));
        },
        fail: async o => {
          record.outcome = 'fail';
          record.error = o.error.message;
          record.failMeta = o.meta;
          record.logged.push(serialize({ ...rest, ...url, ...o }));
        },
      };
    },
  });
  return { records, factory: mock.factory };
}
