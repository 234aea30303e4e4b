/*
 * Numbers and times for people, the same way on every card and tab.
 */

// The backend words its verdicts with these: the screens must read the same.
export {
  formatByteRate,
  formatExpiry,
  formatRate,
  formatShare,
} from '@mesh-posture/plugin-mesh-posture-common';

/** A moment as the backend sends it (ISO 8601), a timestamp or a Date. */
export type Instant = string | number | Date;

/** "99.95%" with enough digits to tell 99.9 from 99.99, never rounding up to 100. */
export function formatPercent(share: number | null): string {
  if (share === null) return '—';
  if (share >= 1) return '100%';
  let digits = 1;
  if (share >= 0.999) digits = 3;
  else if (share >= 0.99) digits = 2;
  const factor = 10 ** (digits + 2);
  return `${(Math.floor(share * factor) / 10 ** digits).toFixed(digits)}%`;
}

/** A value already in percent at fixed decimals: 98.5 → "98.50%". */
export function formatPercentFixed(percent: number, digits: number): string {
  return `${percent.toFixed(digits)}%`;
}

/** A value already in percent, rounded to a whole one: 81.6 → "82%". */
export function formatWholePercent(percent: number): string {
  return `${Math.round(percent)}%`;
}

/** Milliseconds for people: "850 µs", "12.4 ms", "1.25 s". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Milliseconds kept in ms at fixed decimals, to read against a threshold in ms. */
export function formatMsFixed(ms: number, digits: number): string {
  return `${ms.toFixed(digits)} ms`;
}

/** "512 B", "14.2 kB", "3.1 MB" (decimal units, as Istio's buckets are). */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A count with thousands separators: "153,000". */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** Refused calls counted: "1,210 requests", "1 gRPC call". */
export function formatRefusedCount(call: {
  count: number;
  protocol: 'http' | 'grpc';
}): string {
  const count = Math.round(call.count);
  const noun = call.protocol === 'grpc' ? 'gRPC call' : 'request';
  return `${formatCount(count)} ${count === 1 ? noun : `${noun}s`}`;
}

/** A zero-trust score, 0 to 100, to one decimal: "74.5". */
export function formatScore(score: number): string {
  return score.toFixed(1);
}

/** How long something took: "45 s", "55 min", "2.5 h"; "—" when unknown. */
export function formatDuration(seconds?: number): string {
  if (seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

/** The moment in UTC as ISO 8601; a time that cannot be read stays as given. */
function isoUtc(at: Instant): string {
  const date = new Date(at);
  // An unreadable time is shown as it came, rather than breaking the page.
  return Number.isNaN(date.getTime()) ? String(at) : date.toISOString();
}

/** A day, the same on every machine: "2026-11-22". */
export function formatDay(at: Instant): string {
  return isoUtc(at).slice(0, 10);
}

/**
 * A time, the same on every machine: "2026-11-22 10:00 UTC", or with
 * seconds "2026-11-22 10:00:05 UTC".
 */
export function formatUtcTime(
  at: Instant,
  options: { seconds?: boolean } = {},
): string {
  const iso = isoUtc(at);
  return `${iso.slice(0, 10)} ${iso.slice(11, options.seconds ? 19 : 16)} UTC`;
}

const RELATIVE = new Intl.RelativeTimeFormat('en-US', { numeric: 'always' });

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A moment against now, the one way the suite says when: "in 12 days",
 * "3 hours ago", "just now". Days run to 59 so that a certificate's 60-day
 * warning reads in days; months to 23; then years. `now` defaults to
 * `Date.now()` (which tests can fix).
 */
export function formatRelative(at: Instant, now: Instant = Date.now()): string {
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) return String(at);
  const diff = t - new Date(now).getTime();
  const size = Math.abs(diff);
  const say = (value: number, unit: Intl.RelativeTimeFormatUnit) =>
    RELATIVE.format(Math.sign(diff) * value, unit);
  if (size < 45 * SECOND) return 'just now';
  if (size < 45 * MINUTE)
    return say(Math.max(1, Math.round(size / MINUTE)), 'minute');
  if (size < 22 * HOUR)
    return say(Math.max(1, Math.round(size / HOUR)), 'hour');
  if (size < 60 * DAY) return say(Math.max(1, Math.round(size / DAY)), 'day');
  const months = Math.round(size / (30.44 * DAY));
  if (months < 24) return say(months, 'month');
  return say(Math.round(size / (365.25 * DAY)), 'year');
}

/**
 * A moment as every screen of the suite shows it: relative for reading
 * (`text`), exact in UTC for the hover (`exact`), and ISO 8601 for a
 * `<time dateTime>` (`iso`).
 */
export function describeInstant(
  at: Instant,
  now: Instant = Date.now(),
): { text: string; exact: string; iso: string } {
  return {
    text: formatRelative(at, now),
    exact: formatUtcTime(at, { seconds: true }),
    iso: isoUtc(at),
  };
}

/** A time axis tick: the day ("11-22") on an axis of days, else the UTC time ("10:05"). */
export function formatTick(at: Instant, axisOfDays: boolean): string {
  const iso = isoUtc(at);
  return axisOfDays ? iso.slice(5, 10) : iso.slice(11, 16);
}
