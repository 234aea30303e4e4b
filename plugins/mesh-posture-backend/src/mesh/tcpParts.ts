import type { TcpTraffic } from '@mesh-posture/plugin-mesh-posture-common';
import type { PromSample } from '../prometheus/PrometheusClient';
import { or, tagged } from '../prometheus/promql';

/** The label that tells a TCP answer's measures apart. */
const MEASURE = 'mesh_posture_measure';

/** The measures of TCP traffic: bytes each way, and connections open. */
export type TcpMeasure = 'read' | 'write' | 'open';

/**
 * One query for a TCP edge's measures: each aggregated the same way and
 * tagged, so bytes read, bytes written and open connections of one label
 * set come back side by side (they would collide in a plain `or`).
 */
export function tcpMeasures(parts: Record<TcpMeasure, string>): string {
  return (Object.entries(parts) as Array<[TcpMeasure, string]>)
    .map(([measure, expr]) => tagged(expr, MEASURE, measure))
    .reduce((a, b) => or(a, b));
}

/** A label set of TCP traffic with its measures put together. */
export interface TcpLine extends TcpTraffic {
  labels: Record<string, string>;
}

/**
 * The lines of a {@link tcpMeasures} answer: bytes both ways added, open
 * connections beside them, one line per label set.
 */
export function tcpLines(samples: PromSample[]): TcpLine[] {
  const lines = new Map<string, TcpLine>();
  for (const s of samples) {
    if (!Number.isFinite(s.value) || s.value < 0) continue;
    const { [MEASURE]: measure, ...labels } = s.labels;
    const id = JSON.stringify(
      Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)),
    );
    let line = lines.get(id);
    if (!line) {
      line = { labels, bytesPerSecond: 0, openConnections: 0 };
      lines.set(id, line);
    }
    if (measure === 'open') line.openConnections += s.value;
    else if (measure === 'read' || measure === 'write') {
      line.bytesPerSecond += s.value;
    }
  }
  return [...lines.values()].filter(
    l => l.bytesPerSecond > 0 || l.openConnections > 0,
  );
}
