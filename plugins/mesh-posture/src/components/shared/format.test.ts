import {
  describeInstant,
  formatBytes,
  formatCount,
  formatDay,
  formatDuration,
  formatMs,
  formatMsFixed,
  formatPercent,
  formatPercentFixed,
  formatRelative,
  formatScore,
  formatTick,
  formatUtcTime,
  formatWholePercent,
} from './format';

describe('formatting', () => {
  it('never rounds a failing service up to 100%', () => {
    expect(formatPercent(0.99999)).toBe('99.999%');
    expect(formatPercent(0.9995)).toBe('99.950%');
    expect(formatPercent(0.995)).toBe('99.50%');
    expect(formatPercent(0.962)).toBe('96.2%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(null)).toBe('—');
  });

  it('writes percentages already in percent at the precision asked', () => {
    expect(formatPercentFixed(98.5, 2)).toBe('98.50%');
    expect(formatPercentFixed(0.0196, 2)).toBe('0.02%');
    expect(formatWholePercent(81.6)).toBe('82%');
    expect(formatWholePercent(-999)).toBe('-999%');
  });

  it('writes sizes in decimal units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(14_230)).toBe('14.2 kB');
    expect(formatBytes(3_100_000)).toBe('3.1 MB');
    expect(formatBytes(null)).toBe('—');
  });

  it('writes latency in the unit people read', () => {
    expect(formatMs(0.85)).toBe('850 µs');
    expect(formatMs(4.2)).toBe('4.20 ms');
    expect(formatMs(41)).toBe('41.0 ms');
    expect(formatMs(480)).toBe('480 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(null)).toBe('—');
    // Against a threshold in ms, it stays in ms.
    expect(formatMsFixed(212.4, 1)).toBe('212.4 ms');
  });

  it('writes counts, scores and durations', () => {
    expect(formatCount(153_000)).toBe('153,000');
    expect(formatScore(74.25)).toBe('74.3');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(3300)).toBe('55 min');
    expect(formatDuration(9000)).toBe('2.5 h');
    expect(formatDuration(undefined)).toBe('—');
  });

  it('writes times in UTC, the same on every machine', () => {
    expect(formatUtcTime('2026-11-22T10:00:00.000Z')).toBe(
      '2026-11-22 10:00 UTC',
    );
    expect(formatUtcTime('2026-11-22T12:00:05+02:00', { seconds: true })).toBe(
      '2026-11-22 10:00:05 UTC',
    );
    expect(formatDay('2026-12-02T23:59:59.999Z')).toBe('2026-12-02');
    expect(formatDay(new Date('2026-11-22T10:00:00.000Z'))).toBe('2026-11-22');
    const t = Date.parse('2026-11-22T10:05:00.000Z');
    expect(formatTick(t, true)).toBe('11-22');
    expect(formatTick(t, false)).toBe('10:05');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-11-22T10:00:00.000Z');
  const at = (ms: number) => new Date(now + ms).toISOString();
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  const DAY = 24 * HOUR;

  it('says when against now, in the past and the future, with singulars', () => {
    expect(formatRelative(at(10_000), now)).toBe('just now');
    expect(formatRelative(at(-50_000), now)).toBe('1 minute ago');
    expect(formatRelative(at(5 * MIN), now)).toBe('in 5 minutes');
    expect(formatRelative(at(-3 * HOUR), now)).toBe('3 hours ago');
    expect(formatRelative(at(HOUR), now)).toBe('in 1 hour');
    expect(formatRelative(at(12 * DAY + 3 * HOUR), now)).toBe('in 12 days');
    expect(formatRelative(at(-DAY), now)).toBe('1 day ago');
    // A certificate's 60-day warning window reads in days.
    expect(formatRelative(at(59 * DAY), now)).toBe('in 59 days');
    expect(formatRelative(at(-90 * DAY), now)).toBe('3 months ago');
    expect(formatRelative(at(10 * 365 * DAY), now)).toBe('in 10 years');
  });

  it('keeps a time it cannot read as given', () => {
    expect(formatRelative('not a time', now)).toBe('not a time');
  });

  it('gives the exact UTC time for the hover beside the relative one', () => {
    expect(describeInstant('2026-12-04T10:00:05.000Z', now)).toEqual({
      text: 'in 12 days',
      exact: '2026-12-04 10:00:05 UTC',
      iso: '2026-12-04T10:00:05.000Z',
    });
  });
});
