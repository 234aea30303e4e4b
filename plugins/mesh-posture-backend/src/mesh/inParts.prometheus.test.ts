import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type {
  WorkloadSignals,
  WorkloadTelemetry,
} from '@mesh-posture/plugin-mesh-posture-node';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import {
  backfillOpenMetrics,
  describeWithPrometheus,
  RealPrometheus,
  servePrometheus,
} from '../__testUtils__/realPrometheus';
import { LinkerdTelemetry } from './linkerd/LinkerdTelemetry';
import { partsOf, telemetryInParts } from './inParts';

const {
  writeManyServicesOpenMetrics,
  namespaceOf,
} = require('../../scripts/many-services-dataset');

jest.setTimeout(240_000);

/*
 * A snapshot reads a large cluster in parts side by side: whole namespaces,
 * and a namespace larger than a part in slices selected by name. Against a
 * real Prometheus holding 1,100 services (team-0 with 600, team-1 with 500;
 * the many-services dataset, linkerd-viz labels), the parts must answer
 * exactly what one query for every workload answers: nothing lost at a
 * slice's edge, nothing counted twice.
 */
describeWithPrometheus('a large batch read in parts', () => {
  const SERVICES = 1100;
  const layout = { services: SERVICES, perNamespace: 600 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-parts-'));
  let prometheus: RealPrometheus;
  let at: Date;
  let queries = 0;
  const workloads: WorkloadRef[] = Array.from({ length: SERVICES }, (_, i) => ({
    cluster: 'prod',
    namespace: namespaceOf(i, layout),
    kind: 'Deployment',
    name: `svc-${i}`,
  }));

  beforeAll(async () => {
    const file = path.join(dir, 'parts.om');
    const written = writeManyServicesOpenMetrics(file, {
      layout,
      end: Math.floor(Date.now() / 1000) - 120,
      stepSeconds: 30,
      durationSeconds: 20 * 60,
    });
    at = new Date(written.at * 1000);
    await backfillOpenMetrics(file, path.join(dir, 'tsdb'));
    prometheus = await servePrometheus(path.join(dir, 'tsdb'));
  });

  afterAll(async () => {
    await prometheus?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const telemetry = () =>
    new LinkerdTelemetry({
      prometheus: new PrometheusClient({
        url: prometheus.url,
        fetch: (input, init) => {
          queries += 1;
          return fetch(input, init);
        },
      }),
    });

  const telemetryQuery = () => ({
    cluster: 'prod',
    mesh: 'linkerd',
    workloads,
    window: '5m',
    callerWindow: '15m',
    historyHours: 1,
    at,
  });

  /** An answer in an order of its own, rounded past float summation. */
  const sameOrder = (t: WorkloadTelemetry) => ({
    traffic: t.traffic
      .map(e =>
        JSON.stringify({
          ...e,
          requestsPerSecond: Math.round(e.requestsPerSecond * 1e6),
        }),
      )
      .sort(),
    callers: t.callers.map(c => JSON.stringify(c)).sort(),
    decisions: t.decisions.map(d => JSON.stringify(d)).sort(),
    workloadCertificates: t.workloadCertificates
      .map(c => JSON.stringify(c))
      .sort(),
    workloadHistory: t.workloadHistory?.map(h => JSON.stringify(h)).sort(),
    clientReported: t.clientReported?.map(c => JSON.stringify(c)).sort(),
    refusedCalls: t.refusedCalls?.map(c => JSON.stringify(c)).sort(),
  });

  it('splits the batch into whole namespaces and name slices', () => {
    const parts = partsOf(workloads);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.some(p => p.byName)).toBe(true);
    expect(parts.some(p => !p.byName)).toBe(true);
  });

  it('answers the posture telemetry as one query does', async () => {
    queries = 0;
    const whole = await telemetry().workloadTelemetry(telemetryQuery(), {});
    const wholeQueries = queries;
    queries = 0;
    const inParts = await telemetryInParts(telemetry()).workloadTelemetry(
      telemetryQuery(),
      {},
    );
    expect(queries).toBe(wholeQueries * partsOf(workloads).length);
    // Every service is called by its neighbour in the ring over mTLS.
    const inboundOf = new Set(
      whole.traffic
        .filter(e => e.direction === 'inbound' && e.mtls)
        .map(e => e.workload.name),
    );
    expect(inboundOf.size).toBe(SERVICES);
    // Every eleventh service is refused by its callee, in whichever part.
    expect(whole.refusedCalls!.map(c => c.workload.name).sort()).toEqual(
      workloads
        .filter(w => Number(w.name.slice('svc-'.length)) % 11 === 1)
        .map(w => w.name)
        .sort(),
    );
    expect(sameOrder(inParts)).toEqual(sameOrder(whole));
  });

  it('answers the golden signals as one query does', async () => {
    const query = {
      ...telemetryQuery(),
      direction: 'inbound' as const,
    };
    // Each summary whole (rates, classes, latency buckets), numbers rounded
    // past float summation.
    const summaries = (s: WorkloadSignals) =>
      s.summaries
        .map(x =>
          JSON.stringify(x, (_k, v) =>
            typeof v === 'number' ? Math.round(v * 1e6) : v,
          ),
        )
        .sort();
    const whole = await telemetry().workloadSignals(query, {});
    const inParts = await telemetryInParts(telemetry()).workloadSignals(
      query,
      {},
    );
    expect(whole.summaries.length).toBe(SERVICES);
    expect(summaries(inParts)).toEqual(summaries(whole));
  });
});
