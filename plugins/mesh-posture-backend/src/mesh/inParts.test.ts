import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type {
  MeshTelemetrySource,
  TelemetryQuery,
} from '@mesh-posture/plugin-mesh-posture-node';
import { partsOf, telemetryInParts } from './inParts';

const workload = (namespace: string, i: number): WorkloadRef => ({
  cluster: 'prod',
  namespace,
  kind: 'Deployment',
  name: `svc-${i}`,
});

function batch(sizes: Record<string, number>): WorkloadRef[] {
  let i = 0;
  return Object.entries(sizes).flatMap(([ns, n]) =>
    Array.from({ length: n }, () => workload(ns, i++)),
  );
}

const key = (w: WorkloadRef) => `${w.namespace}/${w.name}`;

function expectExactCover(
  workloads: WorkloadRef[],
  parts: ReturnType<typeof partsOf>,
) {
  const seen = parts.flatMap(p => p.workloads.map(key));
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.sort()).toEqual(workloads.map(key).sort());
}

describe('partsOf', () => {
  it('keeps a batch small enough to name whole', () => {
    const few = batch({ a: 40, b: 24 });
    expect(partsOf(few)).toEqual([{ workloads: few, byName: false }]);
  });

  it('slices namespaces larger than a part, by name, and packs the rest whole', () => {
    const workloads = batch({ 'team-0': 2000, 'team-1': 2000, 'team-2': 1000 });
    const parts = partsOf(workloads);
    expectExactCover(workloads, parts);
    expect(
      parts.map(p => [p.workloads.length, p.byName, p.workloads[0].namespace]),
    ).toEqual([
      [1000, true, 'team-0'],
      [1000, true, 'team-0'],
      [1000, true, 'team-1'],
      [1000, true, 'team-1'],
      [1000, false, 'team-2'],
    ]);
  });

  it('packs many small namespaces into four balanced parts read by namespace', () => {
    const sizes = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`ns-${i}`, 20 + (i % 20)]),
    );
    const workloads = batch(sizes);
    const parts = partsOf(workloads);
    expectExactCover(workloads, parts);
    expect(parts).toHaveLength(4);
    expect(parts.every(p => !p.byName)).toBe(true);
    // No namespace is read by two parts.
    const owner = new Map<string, number>();
    parts.forEach((p, i) =>
      p.workloads.forEach(w => {
        expect(owner.get(w.namespace) ?? i).toBe(i);
        owner.set(w.namespace, i);
      }),
    );
    const lengths = parts.map(p => p.workloads.length);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(39);
  });

  it('does not cut a batch into parts smaller than 500', () => {
    expect(partsOf(batch({ a: 500 }))).toHaveLength(1);
    const thousand = partsOf(batch({ a: 1000 }));
    expect(thousand.map(p => [p.workloads.length, p.byName])).toEqual([
      [500, true],
      [500, true],
    ]);
  });
});

describe('telemetryInParts', () => {
  it('asks each part with its selection and puts the answers together', async () => {
    const asked: Array<{ n: number; byName?: boolean }> = [];
    const source: MeshTelemetrySource = {
      async workloadTelemetry(query: TelemetryQuery) {
        asked.push({ n: query.workloads.length, byName: query.selectByName });
        const first = query.workloads[0];
        return {
          traffic: [],
          callers: [],
          decisions: [],
          workloadCertificates: query.workloads.map(w => ({
            workload: w,
            notAfter: new Date(0),
          })),
          meshCertificates: [
            {
              subject: `issuer seen by ${first.namespace}`,
            } as any,
          ],
          ...(first.namespace === 'team-2'
            ? {}
            : {
                workloadHistory: [
                  { workload: first, from: new Date(0), until: new Date(1) },
                ],
              }),
          gaps: [{ code: 'x', message: 'same in every part' } as any],
        };
      },
      async workloadSignals() {
        throw new Error('not asked');
      },
    };
    const workloads = batch({ 'team-0': 2000, 'team-1': 2000, 'team-2': 1000 });
    const answer = await telemetryInParts(source).workloadTelemetry(
      {
        cluster: 'prod',
        mesh: 'linkerd',
        workloads,
        window: '1h',
        callerWindow: '7d',
      },
      {},
    );
    expect(asked).toEqual([
      { n: 1000, byName: true },
      { n: 1000, byName: true },
      { n: 1000, byName: true },
      { n: 1000, byName: true },
      { n: 1000, byName: undefined },
    ]);
    expect(answer.workloadCertificates).toHaveLength(5000);
    expect(answer.meshCertificates).toHaveLength(1);
    expect(answer.gaps).toHaveLength(1);
    // One part could not tell its history: silence is evidence nowhere.
    expect(answer.workloadHistory).toBeUndefined();
  });
});
