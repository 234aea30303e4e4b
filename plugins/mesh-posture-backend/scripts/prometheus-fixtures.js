#!/usr/bin/env node
/*
 * Generates Prometheus series with known ground truth, as OpenMetrics text
 * for `promtool tsdb create-blocks-from openmetrics`. The tests backfill a
 * real Prometheus with these datasets and compare what Mesh Posture reads
 * back with the truth returned alongside.
 *
 *   node scripts/prometheus-fixtures.js <out-dir> [end-unix-seconds]
 *
 * writes <dataset>.om and <dataset>.truth.json for every dataset.
 *
 * Counters grow linearly at the stated rate, sampled every 15 s (a scrape
 * interval), so rate() over any window inside the data returns the rate
 * exactly.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const STEP_SECONDS = 15;
const DURATION_SECONDS = 2 * 3600;

function escapeLabelValue(value) {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

function labelText(labels) {
  const keys = Object.keys(labels).sort();
  return keys
    .map(k => `${k}="${escapeLabelValue(String(labels[k]))}"`)
    .join(',');
}

/**
 * Collects series and writes them as one OpenMetrics document, grouped by
 * metric family as the format requires.
 */
class OpenMetricsWriter {
  constructor(end) {
    this.end = Math.floor(end / STEP_SECONDS) * STEP_SECONDS;
    this.start = this.end - DURATION_SECONDS;
    this.families = new Map();
  }

  family(name, type) {
    if (!this.families.has(name)) this.families.set(name, { type, lines: [] });
    return this.families.get(name);
  }

  /** A counter `<name>_total` growing at `ratePerSecond`. */
  counter(name, labels, ratePerSecond) {
    const f = this.family(name, 'counter');
    const text = labelText(labels);
    for (let t = this.start; t <= this.end; t += STEP_SECONDS) {
      f.lines.push([
        t,
        `${name}_total{${text}} ${ratePerSecond * (t - this.start)} ${t}`,
      ]);
    }
  }

  /** A gauge holding `value` throughout. */
  gauge(name, labels, value) {
    const f = this.family(name, 'gauge');
    const text = labelText(labels);
    for (let t = this.start; t <= this.end; t += STEP_SECONDS) {
      f.lines.push([t, `${name}{${text}} ${value} ${t}`]);
    }
  }

  /**
   * A classic histogram `<name>_bucket|_sum|_count` receiving `ratePerSecond`
   * observations, split across bucket upper bounds by `shares` (which sum to
   * 1 and are cumulative-free: the share landing in each bucket).
   */
  histogram(name, labels, ratePerSecond, bounds, shares, meanValue) {
    const f = this.family(name, 'histogram');
    let cumulative = 0;
    const cumulativeShares = shares.map(s => (cumulative += s));
    for (let t = this.start; t <= this.end; t += STEP_SECONDS) {
      const count = ratePerSecond * (t - this.start);
      bounds.forEach((le, i) => {
        f.lines.push([
          t,
          `${name}_bucket{${labelText({ ...labels, le: String(le) })}} ${
            count * cumulativeShares[i]
          } ${t}`,
        ]);
      });
      f.lines.push([
        t,
        `${name}_bucket{${labelText({ ...labels, le: '+Inf' })}} ${count} ${t}`,
      ]);
      f.lines.push([
        t,
        `${name}_sum{${labelText(labels)}} ${count * meanValue} ${t}`,
      ]);
      f.lines.push([t, `${name}_count{${labelText(labels)}} ${count} ${t}`]);
    }
  }

  toString() {
    const out = [];
    for (const [name, f] of this.families) {
      out.push(`# TYPE ${name} ${f.type}`);
      // Within a family, samples of one series must be in time order; keep
      // each series contiguous by the order they were added.
      for (const [, line] of f.lines) out.push(line);
    }
    out.push('# EOF');
    return `${out.join('\n')}\n`;
  }
}

/**
 * One series per hostile value of the `deployment` label, each with its own
 * rate, so a query for one value can be checked to match only its series.
 */
function hostileDataset(values, end) {
  const w = new OpenMetricsWriter(end);
  const truth = {};
  values.forEach((value, i) => {
    const rate = i + 1;
    w.counter(
      'request',
      { namespace: 'hostile', deployment: value, direction: 'inbound' },
      rate,
    );
    truth[value] = rate;
  });
  return { openMetrics: w.toString(), truth, at: w.end };
}

module.exports = {
  STEP_SECONDS,
  DURATION_SECONDS,
  OpenMetricsWriter,
  hostileDataset,
};

if (require.main === module) {
  const [outDir, endArg] = process.argv.slice(2);
  if (!outDir) {
    console.error(
      'usage: node scripts/prometheus-fixtures.js <out-dir> [end-unix-seconds]',
    );
    process.exit(2);
  }
  const end = endArg ? Number(endArg) : Math.floor(Date.now() / 1000) - 60;
  fs.mkdirSync(outDir, { recursive: true });
  const datasets = {
    hostile: hostileDataset(
      ['plain', 'quote"inside', 'back\\slash', '"} or up{x=~".*'],
      end,
    ),
  };
  for (const [name, d] of Object.entries(datasets)) {
    fs.writeFileSync(path.join(outDir, `${name}.om`), d.openMetrics);
    fs.writeFileSync(
      path.join(outDir, `${name}.truth.json`),
      `${JSON.stringify({ at: d.at, truth: d.truth }, null, 2)}\n`,
    );
  }
  console.log(`wrote ${Object.keys(datasets).join(', ')} to ${outDir}`);
}
