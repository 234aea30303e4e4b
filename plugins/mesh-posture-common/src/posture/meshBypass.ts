import type { MeshBypass, WorkloadPosture } from '../types';
import { plural } from './evidence';

const list = (values: string[]) => values.join(', ');

/**
 * What a bypass lets through, in words: "inbound port 9090 skips the proxy
 * (config.linkerd.io/skip-inbound-ports)".
 * @public
 */
export function describeBypass(bypass: MeshBypass): string {
  const { direction } = bypass;
  // Each subject, and whether it reads as plural ("ports 80, 81 skip").
  const parts: Array<[string, boolean]> = [];
  if (bypass.ports?.length) {
    const many = bypass.ports.length > 1 || bypass.ports[0].includes('-');
    parts.push([
      `${direction} ${many ? 'ports' : 'port'} ${list(bypass.ports)}`,
      many,
    ]);
  }
  if (bypass.onlyPorts) {
    parts.push(
      bypass.onlyPorts.length === 0
        ? [`every ${direction} port`, false]
        : [`${direction} ports other than ${list(bypass.onlyPorts)}`, true],
    );
  }
  if (bypass.ipRanges?.length) {
    parts.push([`${direction} traffic to ${list(bypass.ipRanges)}`, false]);
  }
  if (bypass.onlyIpRanges) {
    parts.push(
      bypass.onlyIpRanges.length === 0
        ? [`all ${direction} traffic`, false]
        : [
            `${direction} traffic to addresses outside ${list(
              bypass.onlyIpRanges,
            )}`,
            false,
          ],
    );
  }
  const plural_ = parts.length > 1 || parts.some(([, many]) => many);
  return `${parts.map(([text]) => text).join(' and ')} ${
    plural_ ? 'skip' : 'skips'
  } the proxy (${bypass.setting}${
    bypass.pods > 1 ? `, on ${plural(bypass.pods, 'pod')}` : ''
  })`;
}

/** The bypasses of the meshed workloads in one direction. */
export function bypassesOf(
  workloads: WorkloadPosture[],
  direction: MeshBypass['direction'],
): Array<{ workload: WorkloadPosture; bypass: MeshBypass }> {
  return workloads
    .filter(w => w.meshedPods > 0)
    .flatMap(w =>
      (w.bypass ?? [])
        .filter(b => b.direction === direction)
        .map(bypass => ({ workload: w, bypass })),
    );
}

/** The bypasses of a direction in words, each with its workload when the entity has several. */
export function describeBypasses(
  workloads: WorkloadPosture[],
  direction: MeshBypass['direction'],
): string | undefined {
  const found = bypassesOf(workloads, direction);
  if (found.length === 0) return undefined;
  // Name the workload whenever the entity has more than one.
  const several = workloads.length > 1;
  return found
    .map(
      f =>
        `${several ? `${f.workload.workload.name}: ` : ''}${describeBypass(
          f.bypass,
        )}`,
    )
    .join('; ');
}
