import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** The plugin's settings, read once at startup. */
export interface MeshPostureConfig {
  demo: boolean;
  sourceTimeoutMs: number;
  cacheTtlMs: number;
  historyIntervalMs: number;
  historyRetentionMs: number;
}

function durationMs(config: Config | undefined, key: string, fallback: number) {
  if (!config?.has(key)) {
    return fallback;
  }
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  if (!Number.isFinite(ms) || ms < 0) {
    throw new Error(`meshPosture.${key} must be a positive duration`);
  }
  return ms;
}

export function readMeshPostureConfig(root: Config): MeshPostureConfig {
  const config = root.getOptionalConfig('meshPosture');
  return {
    demo: config?.getOptionalBoolean('demo') ?? false,
    sourceTimeoutMs: durationMs(config, 'sourceTimeout', 5_000),
    cacheTtlMs: durationMs(config, 'cache.ttl', 30_000),
    historyIntervalMs: durationMs(config, 'history.interval', 10 * 60_000),
    historyRetentionMs: durationMs(
      config,
      'history.retention',
      400 * 24 * 3600_000,
    ),
  };
}
