import {
  dailyLoad,
  demoCanaryState,
  edgeRate,
  rotatingCertificate,
  stableHash,
} from './simulation';

const DAY = 24 * 3600_000;

describe('demo simulation', () => {
  it('is deterministic', () => {
    expect(stableHash('payments-api')).toBe(stableHash('payments-api'));
    const at = new Date('2026-11-22T10:00:30Z');
    expect(edgeRate('a->b', 10, at)).toBe(edgeRate('a->b', 10, new Date(at)));
  });

  it('follows the day and varies minute to minute within ±8%', () => {
    const night = new Date('2026-11-22T03:00:00Z');
    const afternoon = new Date('2026-11-22T15:00:00Z');
    expect(dailyLoad(night)).toBeCloseTo(0.1, 5);
    expect(dailyLoad(afternoon)).toBeCloseTo(1, 5);
    const rates = Array.from({ length: 30 }, (_, i) =>
      edgeRate('a->b', 100, new Date(afternoon.getTime() + i * 60_000)),
    );
    expect(new Set(rates).size).toBeGreaterThan(20);
    for (const r of rates) {
      expect(r).toBeGreaterThanOrEqual(90);
      expect(r).toBeLessThanOrEqual(108.1);
    }
  });

  it('steps the canary weight by 5 every 5 minutes to 50, then promotes', () => {
    const hour = new Date('2026-11-22T10:00:00Z').getTime();
    const at = (m: number) => demoCanaryState(new Date(hour + m * 60_000));
    expect(at(0)).toMatchObject({ phase: 'Initialized', weight: 0 });
    expect(at(2)).toMatchObject({ phase: 'Progressing', weight: 5 });
    expect(at(7)).toMatchObject({ phase: 'Progressing', weight: 10 });
    expect(at(47)).toMatchObject({ phase: 'Progressing', weight: 50 });
    expect(at(53).phase).toBe('Promoting');
    expect(at(56).phase).toBe('Finalising');
    expect(at(58).phase).toBe('Succeeded');
    expect(at(60).revision).toBe(at(0).revision + 1);
  });

  it('keeps a rotating certificate within its bounds', () => {
    const start = new Date('2026-01-01T00:00:00Z').getTime();
    for (let d = 0; d < 120; d += 3) {
      const now = start + d * DAY;
      const cert = rotatingCertificate(new Date(now), 30, 45, 'pci-root');
      const left = (cert.notAfter.getTime() - now) / DAY;
      expect(left).toBeGreaterThan(15);
      expect(left).toBeLessThanOrEqual(45);
      expect(cert.notBefore.getTime()).toBeLessThanOrEqual(now);
    }
  });
});
