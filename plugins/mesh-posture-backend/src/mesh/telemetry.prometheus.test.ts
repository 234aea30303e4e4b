import {
  buildEdges,
  summarizeDirection,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { WorkloadTelemetry } from '@mesh-posture/plugin-mesh-posture-node';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { IstioTelemetry } from './istio/IstioTelemetry';
import { LinkerdTelemetry } from './linkerd/LinkerdTelemetry';

const {
  linkerdDataset,
  istioDataset,
  istioTruthfulDataset,
} = require('../../scripts/prometheus-fixtures');

jest.setTimeout(90_000);

/*
 * The Linkerd and Istio adapters against a real Prometheus holding series
 * with known rates: what they read back must equal the generator's truth.
 */

type Expected = {
  identity?: string;
  namespace?: string;
  workload?: string;
  mtls: boolean;
  reason?: string;
  unverified?: string;
  rps: number;
};

function expectEdges(
  telemetry: WorkloadTelemetry,
  workload: WorkloadRef,
  direction: 'inbound' | 'outbound',
  expected: Expected[],
) {
  const edges = buildEdges(
    telemetry.traffic.filter(t => t.workload.name === workload.name),
  ).filter(e => e.direction === direction);
  const actual = edges
    .map(e => ({
      ...(e.peer.identity ? { identity: e.peer.identity } : {}),
      ...(e.peer.namespace ? { namespace: e.peer.namespace } : {}),
      ...(e.peer.workload ? { workload: e.peer.workload } : {}),
      mtls: e.mtlsShare === 1,
      ...(e.plaintextReasons.length
        ? { reason: e.plaintextReasons.join(',') }
        : {}),
      ...(e.unverifiedReasons?.length
        ? { unverified: e.unverifiedReasons.join(',') }
        : {}),
      rps: Math.round(e.requestsPerSecond * 1e6) / 1e6,
    }))
    .sort((a, b) => b.rps - a.rps);
  expect(actual).toEqual([...expected].sort((a, b) => b.rps - a.rps));
}

const byProtocolAndHost = (
  a: { protocol: string; host?: string },
  b: { protocol: string; host?: string },
) =>
  a.protocol.localeCompare(b.protocol) ||
  (a.host ?? '').localeCompare(b.host ?? '');

function share(
  telemetry: WorkloadTelemetry,
  name: string,
  direction: 'inbound' | 'outbound',
) {
  return summarizeDirection(
    buildEdges(telemetry.traffic.filter(t => t.workload.name === name)),
    direction,
  ).mtlsShare;
}

describeWithPrometheus('telemetry adapters against a real Prometheus', () => {
  const end = Math.floor(Date.now() / 1000) - 120;

  describe('Linkerd (linkerd-viz labels)', () => {
    const dataset = linkerdDataset(end);
    const truth = dataset.truth;
    let prometheus: RealPrometheus;
    let telemetry: WorkloadTelemetry;
    const paymentsApi: WorkloadRef = {
      cluster: 'prod',
      namespace: 'payments',
      kind: 'Deployment',
      name: 'payments-api',
    };
    const ledger: WorkloadRef = {
      cluster: 'prod',
      namespace: 'payments',
      kind: 'StatefulSet',
      name: 'ledger',
    };

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      telemetry = await new LinkerdTelemetry({
        prometheus: new PrometheusClient({ url: prometheus.url }),
      }).workloadTelemetry(
        {
          cluster: 'prod',
          mesh: 'linkerd',
          workloads: [paymentsApi, ledger],
          window: '5m',
          callerWindow: '7d',
          at: new Date(dataset.at * 1000),
        },
        {},
      );
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    it('reads inbound edges with identities, names and plaintext reasons', () => {
      expectEdges(
        telemetry,
        paymentsApi,
        'inbound',
        truth['payments-api'].inbound,
      );
      expectEdges(telemetry, ledger, 'inbound', truth.ledger.inbound);
    });

    it('reads outbound edges with server identities', () => {
      expectEdges(
        telemetry,
        paymentsApi,
        'outbound',
        truth['payments-api'].outbound,
      );
    });

    it('computes the mTLS shares of the ground truth', () => {
      expect(share(telemetry, 'payments-api', 'inbound')).toBeCloseTo(
        truth['payments-api'].inboundMtlsShare,
        9,
      );
      expect(share(telemetry, 'payments-api', 'outbound')).toBeCloseTo(
        truth['payments-api'].outboundMtlsShare,
        9,
      );
    });

    it('reads the identities that called over the caller window', () => {
      for (const [name, callers] of [
        ['payments-api', truth['payments-api'].callers],
        ['ledger', truth.ledger.callers],
      ] as const) {
        const seen = telemetry.callers.filter(c => c.workload.name === name);
        expect(seen.map(c => c.identity).sort()).toEqual(
          Object.keys(callers).sort(),
        );
        for (const c of seen) {
          // increase() over data shorter than the window: within one scrape of the truth.
          expect(Math.abs(c.count - (callers as any)[c.identity])).toBeLessThan(
            (callers as any)[c.identity] * 0.01,
          );
        }
      }
    });

    it('reads the denied callers with the refusing server', () => {
      const denied = telemetry.decisions.filter(d => d.decision === 'deny');
      expect(denied).toHaveLength(1);
      expect(denied[0]).toMatchObject({
        workload: ledger,
        identity: truth.ledger.denied[0].identity,
        server: truth.ledger.denied[0].server,
        protocol: 'http',
      });
      expect(
        Math.abs(denied[0].count - truth.ledger.denied[0].count),
      ).toBeLessThan(truth.ledger.denied[0].count * 0.01);
    });

    it("reads a canary's refused calls from both proxies, and not an application's 403s", async () => {
      const fraud = (name: string): WorkloadRef => ({
        cluster: 'prod',
        namespace: 'payments',
        kind: 'Deployment',
        name,
      });
      const callers = await new LinkerdTelemetry({
        prometheus: new PrometheusClient({ url: prometheus.url }),
      }).workloadTelemetry(
        {
          cluster: 'prod',
          mesh: 'linkerd',
          workloads: [
            fraud('fraud-scoring'),
            fraud('fraud-scoring-primary'),
            paymentsApi,
          ],
          window: '5m',
          callerWindow: '7d',
          at: new Date(dataset.at * 1000),
        },
        {},
      );
      const [expected] = truth.ledger.refusedCalls;
      const of = (name: string) =>
        callers.refusedCalls!.filter(c => c.workload.name === name);
      // The primary shares the canary's identity but was answered.
      expect(of('fraud-scoring-primary')).toEqual([]);
      // payments-api's 403s from ledger are paired with the one identity of
      // its namespace ledger denied, which its pods do not present: the
      // posture drops the line (see PostureAssembler's ownRefusals).
      expect(of('payments-api').map(c => c.identity)).toEqual([
        expected.identity,
      ]);
      const [call] = of('fraud-scoring');
      expect(of('fraud-scoring')).toHaveLength(1);
      expect(call).toMatchObject({
        workload: fraud(expected.caller),
        peer: { namespace: 'payments', workload: 'ledger' },
        identity: expected.identity,
        policy: expected.policy,
        protocol: expected.protocol,
      });
      expect(Math.abs(call.count - expected.count)).toBeLessThan(
        expected.count * 0.01,
      );
      // The refusing side is not a caller: ledger made no refused call.
      expect(
        telemetry.refusedCalls!.filter(c => c.workload.name === 'ledger'),
      ).toEqual([]);
    });

    it('reads calls out of the cluster by their EgressNetwork route, and not those to Services', () => {
      const calls = telemetry.egressCalls!;
      expect(
        calls
          .map(({ count, via, workload, ...c }) => ({
            ...c,
            workload: workload.name,
          }))
          .sort(byProtocolAndHost),
      ).toEqual(
        truth['payments-api'].egress
          .map(({ count, ...c }: any) => ({ ...c, workload: 'payments-api' }))
          .sort(byProtocolAndHost),
      );
      for (const expected of truth['payments-api'].egress) {
        const call = calls.find(
          c => c.protocol === expected.protocol && c.route === expected.route,
        )!;
        expect(Math.abs(call.count - expected.count)).toBeLessThanOrEqual(
          Math.max(1, expected.count * 0.05),
        );
      }
      expect(calls.find(c => c.route === 'declared')?.via).toBe(
        'HTTPRoute linkerd-egress/httpbin-get on EgressNetwork linkerd-egress/all-egress-traffic',
      );
      expect(calls.find(c => c.protocol === 'tcp')?.via).toBe(
        'no EgressNetwork covers it (egress-fallback)',
      );
    });

    it('reads the soonest workload certificate expiry', () => {
      const byName = Object.fromEntries(
        telemetry.workloadCertificates.map(c => [
          c.workload.name,
          c.notAfter.getTime() / 1000,
        ]),
      );
      expect(byName).toEqual({
        'payments-api': truth['payments-api'].certificateNotAfter,
        ledger: truth.ledger.certificateNotAfter,
      });
    });

    it('reads the issuer expiry the identity controller exports', () => {
      expect(telemetry.meshCertificates).toEqual([
        expect.objectContaining({
          role: 'issuer',
          notAfter: new Date(truth.issuerNotAfter * 1000).toISOString(),
          daysToExpiry: 150,
        }),
      ]);
    });

    it("says how far back each workload's history goes", () => {
      for (const w of [paymentsApi, ledger]) {
        const from =
          telemetry
            .workloadHistory!.find(h => h.workload.name === w.name)!
            .from.getTime() / 1000;
        expect(from).toBeGreaterThanOrEqual(dataset.start);
        expect(from).toBeLessThanOrEqual(dataset.start + 3600);
      }
    });
  });

  describe('Istio (standard metrics)', () => {
    const dataset = istioDataset(end);
    const truth = dataset.truth;
    let prometheus: RealPrometheus;
    let telemetry: WorkloadTelemetry;
    const cardIssuing: WorkloadRef = {
      cluster: 'pci',
      namespace: 'cards',
      kind: 'Deployment',
      name: 'card-issuing',
    };

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      telemetry = await new IstioTelemetry({
        prometheus: new PrometheusClient({ url: prometheus.url }),
      }).workloadTelemetry(
        {
          cluster: 'pci',
          mesh: 'istio',
          workloads: [cardIssuing],
          window: '5m',
          callerWindow: '7d',
          at: new Date(dataset.at * 1000),
        },
        {},
      );
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    it('reads inbound edges from destination-reported series only', () => {
      expectEdges(
        telemetry,
        cardIssuing,
        'inbound',
        truth['card-issuing'].inbound,
      );
    });

    it('reads outbound edges, including a destination outside the mesh', () => {
      expectEdges(
        telemetry,
        cardIssuing,
        'outbound',
        truth['card-issuing'].outbound,
      );
    });

    it('computes the mTLS shares of the ground truth', () => {
      expect(share(telemetry, 'card-issuing', 'inbound')).toBeCloseTo(
        truth['card-issuing'].inboundMtlsShare,
        9,
      );
      expect(share(telemetry, 'card-issuing', 'outbound')).toBeCloseTo(
        truth['card-issuing'].outboundMtlsShare,
        9,
      );
    });

    it('reads the principals that called', () => {
      expect(telemetry.callers.map(c => c.identity)).toEqual(
        Object.keys(truth['card-issuing'].callers),
      );
    });

    it('reads calls out of the mesh: a ServiceEntry host, PassthroughCluster and BlackHoleCluster', () => {
      const calls = telemetry.egressCalls!;
      expect(
        calls
          .map(({ count, workload, ...c }) => ({
            ...c,
            workload: workload.name,
          }))
          .sort(byProtocolAndHost),
      ).toEqual(
        [
          {
            workload: 'card-issuing',
            host: 'api.cardnetwork.example',
            protocol: 'http',
            route: 'declared',
            via: 'ServiceEntry host in cards',
          },
          {
            workload: 'card-issuing',
            host: 'httpbin.org',
            protocol: 'http',
            route: 'passthrough',
            via: 'PassthroughCluster: no ServiceEntry, let through',
          },
          {
            workload: 'card-issuing',
            protocol: 'tcp',
            route: 'blocked',
            via: 'BlackHoleCluster: no ServiceEntry, refused',
          },
          {
            workload: 'card-issuing',
            protocol: 'http',
            route: 'gateway',
            via: 'egress gateway istio-system/istio-egressgateway',
          },
        ].sort(byProtocolAndHost),
      );
      const count = (route: string) =>
        calls.find(c => c.route === route)!.count;
      // 1, 0.2 and 0.1 a second over 5 minutes.
      expect(Math.abs(count('declared') - 300)).toBeLessThanOrEqual(15);
      expect(Math.abs(count('passthrough') - 60)).toBeLessThanOrEqual(3);
      expect(Math.abs(count('blocked') - 30)).toBeLessThanOrEqual(2);
    });

    it('reads the istiod CA expiry', () => {
      const at = dataset.at;
      expect(
        telemetry.meshCertificates.map(c => [
          c.role,
          new Date(c.notAfter).getTime() / 1000,
        ]),
      ).toEqual([
        ['root', truth.rootNotAfter],
        ['issuer', truth.chainNotAfter],
      ]);
      expect(telemetry.meshCertificates[0].daysToExpiry).toBe(
        Math.floor((truth.rootNotAfter - at) / 86400),
      );
    });

    it('names the denial gap of sidecars', () => {
      expect(telemetry.gaps.map(g => g.topic)).toEqual(['denials']);
    });
  });
  describe('Istio: what the destination does not report, and ambient denials', () => {
    const dataset = istioTruthfulDataset(end);
    const truth = dataset.truth;
    let prometheus: RealPrometheus;
    let telemetry: WorkloadTelemetry;
    const ref = (namespace: string, name: string): WorkloadRef => ({
      cluster: 'pci',
      namespace,
      kind: 'Deployment',
      name,
    });
    const cardIssuing = ref('cards', 'card-issuing');
    const tokenizer = ref('cards', 'tokenizer');
    const legacyBatch = ref('batch', 'legacy-batch');

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      telemetry = await new IstioTelemetry({
        prometheus: new PrometheusClient({ url: prometheus.url }),
      }).workloadTelemetry(
        {
          cluster: 'pci',
          mesh: 'istio',
          workloads: [cardIssuing, tokenizer, legacyBatch],
          window: '5m',
          callerWindow: '7d',
          historyHours: 169,
          at: new Date(dataset.at * 1000),
        },
        {},
      );
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    it('says "not observed at the destination", with the reason, instead of plaintext', () => {
      const edges = buildEdges(
        telemetry.traffic.filter(t => t.workload.name === 'card-issuing'),
      ).filter(e => e.direction === 'outbound');
      const byPeer = Object.fromEntries(edges.map(e => [e.peer.workload, e]));
      const seen = Object.fromEntries(
        Object.keys(truth.cardIssuing.outbound).map(peer => {
          const edge = byPeer[peer];
          return [
            peer,
            {
              rps: Math.round(edge.requestsPerSecond * 1e6) / 1e6,
              share: edge.mtlsShare,
              plaintextReasons: edge.plaintextReasons,
              reasonNamed: (edge.unverifiedReasons ?? []).some((r: string) =>
                r.includes(truth.cardIssuing.outbound[peer].reason ?? '\u0000'),
              ),
            },
          ];
        }),
      );
      expect(seen).toEqual(
        Object.fromEntries(
          Object.entries<any>(truth.cardIssuing.outbound).map(([peer, t]) => [
            peer,
            {
              rps: t.rps,
              share: t.mtls ? 1 : null,
              plaintextReasons: [],
              reasonNamed: !t.mtls,
            },
          ]),
        ),
      );
      // The ambient destination's ztunnel vouches for mTLS, and names it.
      expect(byPeer['fraud-check'].peer.identity).toBe(
        `spiffe://${truth.trustDomain}/ns/cards/sa/fraud-check`,
      );
      expect(share(telemetry, 'card-issuing', 'outbound')).toBe(1);
    });

    it('counts ambient denials on closed connections, not on opened ones', () => {
      const denied = telemetry.decisions.filter(
        d => d.workload.name === 'tokenizer',
      );
      expect(denied).toHaveLength(1);
      expect(denied[0]).toMatchObject({
        decision: 'deny',
        identity: truth.tokenizer.denied[0].identity,
        protocol: 'tcp',
      });
      // increase() extrapolates at the window's edges: within a percent.
      expect(denied[0].count / truth.tokenizer.denied[0].count).toBeCloseTo(
        1,
        1,
      );
    });

    it("reports the callers of a workload without a sidecar, from the callers' side", () => {
      expect(
        telemetry
          .clientReported!.filter(c => c.workload.name === 'legacy-batch')
          .map(c => ({
            namespace: c.peer.namespace,
            workload: c.peer.workload,
            rps: Math.round(c.requestsPerSecond * 1e6) / 1e6,
            unverified: c.unverified,
          })),
      ).toEqual(
        truth.legacyBatch.clientReported.map((c: any) => ({
          ...c,
          unverified: true,
        })),
      );
    });

    it('knows since when each workload reports, over eight days', () => {
      const from = telemetry.workloadHistory!.find(
        h => h.workload.name === 'card-issuing',
      )!.from;
      // 169 h back at one-hour resolution: at least 168 h of history.
      expect(dataset.at * 1000 - from.getTime()).toBeGreaterThanOrEqual(
        168 * 3600_000,
      );
    });
  });
});
