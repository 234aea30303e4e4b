/*
 * The one reader of dates people send: `Date` rolls impossible dates over
 * (2026-02-30 becomes March 2), so every field is checked against the
 * calendar before an instant is made of it.
 */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/;

function realDay(y: number, m: number, d: number): boolean {
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= last;
}

/**
 * Reads an ISO 8601 date (`2026-11-01`) or date-time with a zone
 * (`2026-11-01T10:00:00Z`, `…+01:00`). A bare date is the start of that UTC
 * day, or its last millisecond with `endOfDay`. Undefined for anything else,
 * including dates that do not exist (2026-02-30, 24:00, +25:00).
 * @public
 */
export function parseIsoInstant(
  value: string,
  options: { endOfDay?: boolean } = {},
): Date | undefined {
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    const [y, m, d] = dateOnly.slice(1).map(Number);
    if (!realDay(y, m, d)) return undefined;
    return options.endOfDay
      ? new Date(Date.UTC(y, m - 1, d, 23, 59, 59, 999))
      : new Date(Date.UTC(y, m - 1, d));
  }
  const t = DATE_TIME.exec(value);
  if (!t) return undefined;
  const [y, mo, d, h, mi] = t.slice(1, 6).map(Number);
  const s = t[6] === undefined ? 0 : Number(t[6]);
  const ms = t[7] === undefined ? 0 : Math.floor(Number(t[7]) * 1000);
  if (!realDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (t[8] !== 'Z') {
    const oh = Number(t[10]);
    const om = Number(t[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (t[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(
    Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000,
  );
}
