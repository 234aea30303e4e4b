import { testAssembler } from '../__testUtils__/testAssembler';
import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';
import { resolveWorkloadTarget } from '../posture/resolveWorkloadTarget';
import { DemoMesh } from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { PeerEntities } from '../catalog/PeerEntities';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { SourceCaller } from '../sources/SourceCaller';
import { SignalsService } from '../signals/SignalsService';

const examples = path.resolve(__dirname, '../../../../examples/entities.yaml');
const components = parseAllDocuments(fs.readFileSync(examples, 'utf8'))
  .map(d => d.toJS() as Entity)
  .filter(e => e?.kind === 'Component');

function component(name: string): Entity {
  return components.find(c => c.metadata.name === name)!;
}

// 14:12 UTC: afternoon traffic, the canary at 15% in its hourly rollout.
const at = new Date('2026-11-22T14:12:00Z');

function postureOf(name: string, when = at, window = '5m') {
  const mesh = new DemoMesh({ now: () => when });
  const { assembler } = testAssembler([mesh], { now: () => when });
  const entity = component(name);
  return assembler.assemble(
    `component:default/${name}`,
    resolveWorkloadTarget(entity)!,
    window,
  );
}

describe('DemoMesh', () => {
  it('has workloads for every Component of the example catalog', async () => {
    expect(components.length).toBeGreaterThanOrEqual(8);
    for (const c of components) {
      const posture = await postureOf(c.metadata.name);
      expect({ name: c.metadata.name, pods: posture.totalPods }).toEqual({
        name: c.metadata.name,
        pods: expect.any(Number),
      });
      expect(posture.totalPods).toBeGreaterThan(0);
      expect(posture.demo).toBe(true);
      expect(posture.sources.every(s => s.status === 'ok' && s.demo)).toBe(
        true,
      );
    }
  });

  it('answers the same at the same instant, and differently later', async () => {
    // Source timings are wall-clock; everything else must be identical.
    const withoutTimings = (p: Awaited<ReturnType<typeof postureOf>>) => ({
      ...p,
      sources: p.sources.map(({ durationMs, ...s }) => s),
    });
    const a = await postureOf('payments-api');
    const b = await postureOf('payments-api');
    expect(withoutTimings(b)).toEqual(withoutTimings(a));
    const later = await postureOf(
      'payments-api',
      new Date(at.getTime() + 5 * 60_000),
    );
    expect(later.inbound.requestsPerSecond).not.toBe(
      a.inbound.requestsPerSecond,
    );
  });

  it('shows payments-api fully meshed with every edge over mTLS', async () => {
    const p = await postureOf('payments-api');
    expect(p.verdict.status).toBe('pass');
    expect(p.meshedPods).toBe(4);
    expect(p.inbound.mtlsShare).toBe(1);
    expect(p.outbound.mtlsShare).toBe(1);
    expect(
      p.edges
        .filter(e => e.direction === 'inbound')
        .map(e => e.peer.workload)
        .sort(),
    ).toEqual(['open-banking-gateway', 'web-frontend']);
    const ledgers = p.edges.filter(e => e.peer.workload === 'ledger');
    expect(
      ledgers.map(e => [e.peer.cluster, e.peer.identity, e.mtlsShare]).sort(),
    ).toEqual([
      [
        'prod-eu-north',
        // Through the multicluster gateway: its identity ends this hop.
        'linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local',
        1,
      ],
      [
        'prod-eu-west',
        'ledger.payments.serviceaccount.identity.linkerd.cluster.local',
        1,
      ],
    ]);
  });

  it("flags the plaintext caller of accounts-service with Linkerd's reason", async () => {
    const p = await postureOf('accounts-service');
    expect(p.verdict.status).toBe('fail');
    expect(p.inbound.mtlsShare).toBeGreaterThan(0.8);
    expect(p.inbound.mtlsShare).toBeLessThan(1);
    expect(
      p.edges.find(e => e.direction === 'inbound' && !e.peer.workload),
    ).toMatchObject({
      mtlsShare: 0,
      plaintextReasons: ['no_tls_from_remote'],
      peer: { cluster: 'prod-eu-west' },
    });
    expect(
      p.edges.find(
        e => e.direction === 'outbound' && e.peer.workload === 'notifications',
      ),
    ).toMatchObject({
      mtlsShare: 0,
      plaintextReasons: ['not_provided_by_service_discovery'],
    });
  });

  it('shows notifications unmeshed', async () => {
    const p = await postureOf('notifications');
    expect(p.meshedPods).toBe(0);
    expect(p.totalPods).toBe(2);
    expect(p.workloads[0].dataPlane).toBe('none');
    expect(p.verdict.status).toBe('fail');
    // Nothing a proxy would have to prove passes without one.
    expect(p.verdict.checks.filter(c => c.status === 'pass')).toEqual([]);
  });

  it("reads notifications' requests from its callers, as its posture does", async () => {
    const logger = mockServices.logger.mock();
    const mesh = new DemoMesh({ now: () => at });
    const service = new SignalsService({
      registry: new ClusterRegistry([mesh], logger),
      caller: new SourceCaller({ timeoutMs: 5000, logger }),
      cache: { get: async () => undefined, set: async () => {} } as any,
      logger,
      cacheTtlMs: 0,
      sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
      peers: new PeerEntities({ catalog: catalogServiceMock(), logger }),
      now: () => at,
    });
    const entity = component('notifications');
    const inbound = await service.getSignals(
      entity,
      '5m',
      'inbound',
      mockCredentials.user(),
    );
    expect(inbound.proxyless).toEqual([
      {
        workload: {
          cluster: 'prod-eu-west',
          namespace: 'messaging',
          kind: 'Deployment',
          name: 'notifications',
        },
        mesh: 'linkerd',
        pods: 2,
      },
    ]);
    // accounts-service's proxies report calling it, as on its posture.
    const posture = await postureOf('notifications');
    expect(inbound.summary!.requestsPerSecond).toBeGreaterThan(0);
    expect(inbound.summary!.requestsPerSecond).toBeCloseTo(
      posture.inbound.requestsPerSecond,
      0,
    );
    const outbound = await service.getSignals(
      entity,
      '5m',
      'outbound',
      mockCredentials.user(),
    );
    expect(outbound.summary).toBeNull();
    expect(outbound.notes).toEqual([
      'messaging/notifications has no proxy, so the requests it makes are not observed.',
    ]);
  });

  it("warns that the PCI cluster's root certificate expires soon", async () => {
    const p = await postureOf('card-issuing');
    expect(p.workloads[0]).toMatchObject({
      mesh: 'istio',
      dataPlane: 'sidecar',
    });
    const root = p.certificates.find(c => c.role === 'root')!;
    expect(root.daysToExpiry).toBeGreaterThanOrEqual(15);
    expect(root.daysToExpiry).toBeLessThan(60);
    expect(p.verdict.status).toBe('warn');
    expect(p.verdict.checks.find(c => c.id === 'default-deny')?.status).toBe(
      'pass',
    );
    expect(p.gaps.map(g => g.topic)).toContain('denials');
    expect(p.edges.map(e => e.peer.identity)).toContain(
      'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
    );
  });

  it('splits fraud-scoring traffic between primary and canary by weight', async () => {
    // Rates are over the window: 14:12:30 to 14:16:30 is all at 15%.
    const p = await postureOf(
      'fraud-scoring',
      new Date('2026-11-22T14:16:30Z'),
    );
    expect(p.workloads.map(w => w.workload.name).sort()).toEqual([
      'fraud-scoring',
      'fraud-scoring-primary',
    ]);
    const rate = (name: string) =>
      p.edges
        .filter(e => e.direction === 'inbound' && e.workload.name === name)
        .reduce((n, e) => n + e.requestsPerSecond, 0);
    const canaryShare =
      rate('fraud-scoring') /
      (rate('fraud-scoring') + rate('fraud-scoring-primary'));
    expect(canaryShare).toBeCloseTo(0.15, 5);
  });

  it("sets fraud-scoring's canary beside its primary in the golden signals while it rolls out", async () => {
    const when = new Date('2026-11-22T14:16:30Z');
    const logger = mockServices.logger.mock();
    const mesh = new DemoMesh({ now: () => when });
    const service = new SignalsService({
      registry: new ClusterRegistry([mesh], logger),
      caller: new SourceCaller({ timeoutMs: 5000, logger }),
      cache: { get: async () => undefined, set: async () => {} } as any,
      logger,
      cacheTtlMs: 0,
      sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
      peers: new PeerEntities({ catalog: catalogServiceMock(), logger }),
      now: () => when,
    });
    const signals = await service.getSignals(
      component('fraud-scoring'),
      '5m',
      'inbound',
      mockCredentials.user(),
    );
    const [primary, canary] = signals.canary!;
    expect([primary.role, canary.role]).toEqual(['primary', 'canary']);
    expect(canary.workloads.map(w => w.name)).toEqual(['fraud-scoring']);
    // The two sides add up to the whole.
    expect(
      primary.summary.requestsPerSecond + canary.summary.requestsPerSecond,
    ).toBeCloseTo(signals.summary!.requestsPerSecond, 6);
    expect(canary.summary.requestsPerSecond).toBeGreaterThan(0);
    expect(canary.summary.requestsPerSecond).toBeLessThan(
      primary.summary.requestsPerSecond,
    );
    // Nothing to compare for a service without a canary.
    const ledger = await service.getSignals(
      component('ledger'),
      '5m',
      'inbound',
      mockCredentials.user(),
    );
    expect(ledger.canary).toBeUndefined();
  });

  it('computes traffic over the window asked for, as a rate() would', async () => {
    // Mid-rollout the canary's weight steps every 5 minutes: the canary's
    // share of the last minute and of the last hour differ.
    const when = new Date('2026-11-22T14:16:30Z');
    const share = async (window: string) => {
      const p = await postureOf('fraud-scoring', when, window);
      const rate = (name: string) =>
        p.edges
          .filter(e => e.direction === 'inbound' && e.workload.name === name)
          .reduce((n, e) => n + e.requestsPerSecond, 0);
      return (
        rate('fraud-scoring') /
        (rate('fraud-scoring') + rate('fraud-scoring-primary'))
      );
    };
    expect(await share('1m')).toBeCloseTo(0.15, 5);
    expect(Math.abs((await share('1h')) - 0.15)).toBeGreaterThan(0.01);
  });

  it('shows the probes of Linkerd workloads apart, plaintext by design', async () => {
    const p = await postureOf('payments-api');
    expect(p.inbound.probeRequestsPerSecond).toBeGreaterThan(0);
    expect(
      p.edges.some(
        e =>
          e.peer.workload === undefined &&
          e.plaintextReasons.length &&
          e.workload.name === 'payments-api',
      ),
    ).toBe(false);
    expect(p.verdict.checks.find(c => c.id === 'inbound-mtls')?.status).toBe(
      'pass',
    );
  });

  it("judges authorization from the demo's real policy objects", async () => {
    const api = await postureOf('payments-api');
    const check = (p: typeof api, id: string) =>
      p.verdict.checks.find(c => c.id === id)!;
    expect(check(api, 'default-deny')).toMatchObject({ status: 'pass' });
    expect(api.authorization.map(p => [p.port, p.access])).toEqual([
      ['8080 (http)', 'deny'],
      ['*', 'deny'],
    ]);
    expect(api.admittedIdentities.map(a => [a.identity, a.seen])).toEqual([
      [
        'open-banking-gateway.open-banking.serviceaccount.identity.linkerd.cluster.local',
        true,
      ],
      ['web-frontend.web.serviceaccount.identity.linkerd.cluster.local', true],
    ]);
    expect(check(api, 'no-over-grants').status).toBe('pass');

    const accounts = await postureOf('accounts-service');
    expect(check(accounts, 'default-deny')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('default policy all-unauthenticated'),
    });
  });

  it("finds ledger's over-granted identity and its denied caller", async () => {
    const ledger = await postureOf('ledger');
    const check = (id: string) => ledger.verdict.checks.find(c => c.id === id)!;
    expect(check('no-over-grants')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        'reconciliation.batch.serviceaccount.identity.linkerd.cluster.local',
      ),
    });
    expect(ledger.deniedCallers).toEqual([
      expect.objectContaining({
        identity:
          'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
        policy: 'server/ledger-grpc',
      }),
    ]);
    expect(check('denied-callers').status).toBe('warn');
  });

  it('names the canary, not its primary, as the caller ledger refuses', async () => {
    const fraud = await postureOf('fraud-scoring');
    expect(fraud.refusedCalls).toEqual([
      expect.objectContaining({
        workload: expect.objectContaining({ name: 'fraud-scoring' }),
        peer: { namespace: 'payments', workload: 'ledger' },
        identity:
          'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
        policy: 'server/ledger-grpc',
        protocol: 'grpc',
      }),
    ]);
    expect(fraud.refusedCalls![0].count).toBeGreaterThan(0);
    // At night the new model's rare calls round to no rate at the instant,
    // but the week they are counted over still holds them (CI met this at
    // 03:10 UTC), and ledger still counts their denials.
    const night = new Date('2026-12-08T03:10:00Z');
    const atNight = await postureOf('fraud-scoring', night);
    expect(atNight.refusedCalls).toEqual([
      expect.objectContaining({
        workload: expect.objectContaining({ name: 'fraud-scoring' }),
        peer: { namespace: 'payments', workload: 'ledger' },
      }),
    ]);
    expect(atNight.refusedCalls![0].count).toBe(fraud.refusedCalls![0].count);
    const ledger = await postureOf('ledger', night);
    expect(ledger.deniedCallers).toEqual([
      expect.objectContaining({
        identity:
          'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
        count: fraud.refusedCalls![0].count,
      }),
    ]);
    // Istio's sidecars cannot tell a refusal from an application's 403.
    expect((await postureOf('card-issuing')).refusedCalls).toBeUndefined();
  });

  it('tells where data leaves: declared, undeclared, refused and open', async () => {
    const egressOf = async (name: string) => {
      const p = await postureOf(name);
      return {
        check: p.verdict.checks.find(c => c.id === 'egress-declared')!,
        egress: p.egress!,
      };
    };
    // payments denies by default and declares its payment service provider.
    const api = await egressOf('payments-api');
    expect(api.check.status).toBe('pass');
    expect(api.egress.calls).toEqual([
      expect.objectContaining({
        host: 'api.psp.example',
        route: 'declared',
        via: 'TLSRoute payments/psp-api on EgressNetwork payments/payments-egress',
      }),
    ]);
    expect(api.egress.policies[0].declared).toEqual([
      {
        host: 'api.psp.example',
        ports: ['443'],
        by: 'TLSRoute payments/psp-api',
      },
    ]);
    // The Open Banking gateway's TPP directory: nothing declares it.
    const gateway = await egressOf('open-banking-gateway');
    expect(gateway.check).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('directory.openbanking.example:80'),
    });
    // The PCI cluster refuses what no ServiceEntry declares.
    const issuing = await egressOf('card-issuing');
    expect(issuing.egress.policies[0]).toMatchObject({
      mode: 'declared-only',
      decidedBy: 'mesh config istio-system/istio (REGISTRY_ONLY)',
    });
    expect(issuing.check).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('telemetry.apm-vendor.example'),
    });
    // Ambient has no outbound policy at all.
    const tokenizer = await egressOf('card-tokenizer');
    expect(tokenizer.check.status).toBe('warn');
    expect(tokenizer.egress.policies[0].mode).toBe('open');
  });

  it("fails ledger on its database's plaintext TCP client, though every HTTP request is mTLS", async () => {
    const ledger = await postureOf('ledger');
    const inbound = ledger.verdict.checks.find(c => c.id === 'inbound-mtls')!;
    expect(ledger.inbound.mtlsShare).toBe(1);
    expect(ledger.inbound.tcp).toMatchObject({ mtlsShare: expect.any(Number) });
    expect(ledger.inbound.tcp!.plaintextBytesPerSecond).toBeGreaterThan(0);
    expect(inbound.status).toBe('fail');
    expect(inbound.detail).toContain(
      'plaintext from an unidentified client over TCP (no_tls_from_remote)',
    );
    const tcpEdges = ledger.edges.filter(e => e.protocol === 'tcp');
    expect(
      tcpEdges.map(e => [e.direction, e.workload.name, e.peer.workload ?? '']),
    ).toEqual(
      expect.arrayContaining([
        ['inbound', 'ledger-db', 'ledger'],
        ['inbound', 'ledger-db', ''],
        ['outbound', 'ledger', 'ledger-db'],
      ]),
    );
    expect(tcpEdges.every(e => e.requestsPerSecond === 0 && e.tcp)).toBe(true);
    expect(ledger.verdict.status).toBe('fail');
  });

  it('reads the ambient tokenizer by the connections its ztunnel reports', async () => {
    const p = await postureOf('card-tokenizer');
    expect(p.workloads.map(w => w.dataPlane)).toEqual(['ambient']);
    // No requests at the destination, only HBONE connections over mTLS.
    expect(p.inbound.requestsPerSecond).toBe(0);
    expect(p.inbound.tcp?.mtlsShare).toBe(1);
    const check = (id: string) => p.verdict.checks.find(c => c.id === id)!;
    expect(check('inbound-mtls').status).toBe('pass');
    // The cluster's root is the demo's expiring one: that decides.
    expect(check('certificates').status).toBe('warn');
    // Its caller's requests to it are one HTTP edge, not a TCP one too.
    const issuing = await postureOf('card-issuing');
    expect(
      issuing.edges
        .filter(e => e.peer.workload === 'card-tokenizer')
        .map(e => [e.direction, e.protocol, e.mtlsShare]),
    ).toEqual([['outbound', 'http', 1]]);
  });

  it("shows the database exporter's port outside the mesh, and not the opaque port", async () => {
    const ledger = await postureOf('ledger');
    const db = ledger.workloads.find(w => w.workload.name === 'ledger-db')!;
    expect(db.bypass).toEqual([
      {
        direction: 'inbound',
        ports: ['9187'],
        setting: 'config.linkerd.io/skip-inbound-ports',
        pods: 1,
      },
    ]);
    const deny = ledger.verdict.checks.find(c => c.id === 'default-deny')!;
    expect(deny.status).toBe('fail');
    expect(deny.detail).toContain(
      'ledger-db: inbound port 9187 skips the proxy (config.linkerd.io/skip-inbound-ports)',
    );
  });

  it('reads certificates from real PEMs and cert-manager', async () => {
    const p = await postureOf('payments-api');
    const roles = p.certificates.map(c => `${c.role}: ${c.location}`);
    expect(roles).toEqual(
      expect.arrayContaining([
        'trust-anchor: ConfigMap linkerd/linkerd-identity-trust-roots',
        'issuer: Certificate linkerd/linkerd-identity-issuer (cert-manager)',
        "workload: the proxies' certificate metrics",
      ]),
    );
    const anchor = p.certificates.find(c => c.role === 'trust-anchor')!;
    expect(anchor.daysToExpiry).toBeGreaterThan(60);
    expect(anchor.subject).toBe('root.linkerd.cluster.local');
  });

  it("runs ledger's proxy as a native sidecar", async () => {
    const p = await postureOf('ledger');
    expect(p.workloads[0]).toMatchObject({
      workload: { kind: 'StatefulSet', name: 'ledger' },
      dataPlane: 'native-sidecar',
      meshedPods: 3,
    });
  });

  it('has network policy beneath the mesh in most namespaces, ingress only in open-banking and none in messaging', async () => {
    const network = async (name: string) => {
      const posture = await postureOf(name);
      return {
        check: posture.verdict.checks.find(
          c => c.id === 'network-default-deny',
        ),
        isolation: posture.networkIsolation,
      };
    };
    const payments = await network('payments-api');
    expect(payments.check?.status).toBe('pass');
    expect(payments.isolation?.[0].meshPorts).toEqual([
      {
        port: 4143,
        name: 'linkerd-proxy',
        allowed: true,
        from: ['every pod in every namespace'],
      },
      {
        port: 4191,
        name: 'linkerd-admin',
        allowed: true,
        from: ['every pod in linkerd-viz'],
      },
    ]);
    // Ambient: ztunnel's HBONE port, allowed beside the app's.
    const tokenizer = await network('card-tokenizer');
    expect(tokenizer.check?.status).toBe('pass');
    expect(tokenizer.isolation?.[0].meshPorts).toEqual([
      {
        port: 15008,
        name: 'HBONE (ztunnel)',
        allowed: true,
        from: ['every pod in every namespace'],
      },
    ]);
    expect((await network('accounts-service')).check).toMatchObject({
      status: 'warn',
      detail: 'egress: no NetworkPolicy selects open-banking/accounts-service',
    });
    const notifications = await network('notifications');
    expect(notifications.check?.status).toBe('warn');
    expect(notifications.isolation?.[0]).toMatchObject({
      ingress: { unisolatedPods: 2, policies: [] },
      egress: { unisolatedPods: 2, policies: [] },
      meshPorts: [],
    });
  });
});
