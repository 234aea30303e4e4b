import { ResponseError } from '@backstage/errors';

/** A time for people, the same on every machine: `2026-11-22 10:00 UTC`. */
export function formatWhen(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A date for people: `2026-11-22`. */
export function formatDay(iso: string): string {
  return iso.slice(0, 10);
}

/** The backend's own message when there is one. */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
