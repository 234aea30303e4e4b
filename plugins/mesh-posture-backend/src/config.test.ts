import { ConfigReader } from '@backstage/config';
import { readMeshPostureConfig } from './config';

describe('readMeshPostureConfig', () => {
  it('has embedded defaults', () => {
    expect(readMeshPostureConfig(new ConfigReader({}))).toEqual({
      demo: false,
      sourceTimeoutMs: 5000,
      cacheTtlMs: 30000,
      historyIntervalMs: 600000,
      historyRetentionMs: 400 * 24 * 3600 * 1000,
    });
  });

  it('reads durations as strings or objects', () => {
    const config = readMeshPostureConfig(
      new ConfigReader({
        meshPosture: {
          demo: true,
          sourceTimeout: '2s',
          cache: { ttl: { seconds: 10 } },
          history: { interval: '1m', retention: { days: 30 } },
        },
      }),
    );
    expect(config).toEqual({
      demo: true,
      sourceTimeoutMs: 2000,
      cacheTtlMs: 10000,
      historyIntervalMs: 60000,
      historyRetentionMs: 30 * 24 * 3600 * 1000,
    });
  });

  it('refuses what is not a duration', () => {
    expect(() =>
      readMeshPostureConfig(
        new ConfigReader({ meshPosture: { sourceTimeout: 'soon' } }),
      ),
    ).toThrow();
  });
});
