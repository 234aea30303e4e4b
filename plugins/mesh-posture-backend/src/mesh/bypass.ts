import type { MeshBypass } from '@mesh-posture/plugin-mesh-posture-common';
import type { KubernetesPod } from '@mesh-posture/plugin-mesh-posture-node';

/*
 * Mesh-bypass settings read off a pod's annotations. The values are
 * written by people we do not control: only well-formed ports, ranges and
 * CIDRs are kept, and only so many of them.
 */

export type PodBypass = Omit<MeshBypass, 'pods'>;

const MOST = 64;

function port(text: string): boolean {
  if (!/^\d{1,5}$/.test(text)) return false;
  const n = Number(text);
  return n >= 1 && n <= 65535;
}

/** `80,8000-8100` → `['80', '8000-8100']`; malformed entries left out. */
export function portList(value: string): string[] {
  return value
    .split(',')
    .map(v => v.trim())
    .filter(v => {
      const [from, to, ...rest] = v.split('-');
      if (rest.length > 0 || !port(from)) return false;
      return to === undefined || (port(to) && Number(to) >= Number(from));
    })
    .slice(0, MOST);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6 = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

/** `10.0.0.0/8, fd00::/8` → both; malformed entries left out. */
export function cidrList(value: string): string[] {
  return value
    .split(',')
    .map(v => v.trim())
    .filter(v => {
      const v4 = IPV4.exec(v);
      if (v4) {
        return (
          v4.slice(1, 5).every(o => Number(o) <= 255) && Number(v4[5]) <= 32
        );
      }
      const v6 = IPV6.exec(v);
      return Boolean(v6 && v.includes(':') && Number(v6[1]) <= 128);
    })
    .slice(0, MOST);
}

/** An annotation's value, when the pod has it. */
export function annotation(
  pod: KubernetesPod,
  name: string,
): string | undefined {
  const value = pod.metadata.annotations?.[name];
  return typeof value === 'string' ? value : undefined;
}
