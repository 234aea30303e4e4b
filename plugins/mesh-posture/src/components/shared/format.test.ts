import {
  formatAgo,
  formatBytes,
  formatCount,
  formatDay,
  formatDuration,
  formatMs,
  formatMsFixed,
  formatPercent,
  formatPercentFixed,
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

  it('writes counts, scores, durations and ages', () => {
    expect(formatCount(153_000)).toBe('153,000');
    expect(formatScore(74.25)).toBe('74.3');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(3300)).toBe('55 min');
    expect(formatDuration(9000)).toBe('2.5 h');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatAgo(12)).toBe('12 s ago');
    expect(formatAgo(300)).toBe('5 min ago');
    expect(formatAgo(7200)).toBe('2 h ago');
    expect(formatAgo(3 * 86400)).toBe('3 days ago');
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
