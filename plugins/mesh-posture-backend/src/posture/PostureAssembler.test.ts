import { testAssembler } from '../__testUtils__/testAssembler';
import { labelEquals } from '@mesh-posture/plugin-mesh-posture-common';
import {
  ClusterObjectSource,
  MeshCluster,
  MeshTelemetrySource,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import { DemoMesh } from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import { WorkloadTarget } from './resolveWorkloadTarget';

const at = new Date('2026-11-22T14:07:00Z');

const target: WorkloadTarget = {
  selector: labelEquals('backstage.io/kubernetes-id', 'payments-api'),
  explicit: [],
};

/** The demo's prod cluster with one of its sources replaced. */
async function prodWith(overrides: {
  objects?: Partial<ClusterObjectSource>;
  telemetry?: Partial<MeshTelemetrySource>;
}): Promise<MeshCluster> {
  const clusters = await new DemoMesh({ now: () => at }).getClusters();
  const prod = clusters.find(c => c.name === 'prod-eu-west')!;
  return {
    ...prod,
    demo: false,
    objects: { ...prod.objects!, ...overrides.objects },
    telemetry: { ...prod.telemetry!, ...overrides.telemetry },
  };
}

function assembler(clusters: MeshCluster[], sourceTimeoutMs = 500) {
  return testAssembler(clusters, { sourceTimeoutMs, now: () => at }).assembler;
}

describe('PostureAssembler', () => {
  it('still shows the Kubernetes half when Prometheus is down', async () => {
    const prod = await prodWith({
      telemetry: {
        workloadTelemetry: async () => {
          throw new SourceError(
            'unavailable',
            'connect ECONNREFUSED 10.0.0.9:9090',
          );
        },
      },
    });
    const posture = await assembler([prod]).assemble(
      'component:default/payments-api',
      target,
      '5m',
    );
    expect(posture.meshedPods).toBe(4);
    expect(posture.edges).toEqual([]);
    expect(posture.sources).toEqual([
      expect.objectContaining({ role: 'kubernetes', status: 'ok' }),
      expect.objectContaining({
        role: 'prometheus',
        cluster: 'prod-eu-west',
        status: 'unavailable',
        message: 'connect ECONNREFUSED 10.0.0.9:9090',
      }),
    ]);
    expect(posture.verdict.status).toBe('unknown');
  });

  it('reports a hanging source as a timeout and aborts it', async () => {
    let aborted = false;
    const prod = await prodWith({
      telemetry: {
        workloadTelemetry: (_q, { signal }) =>
          new Promise(() => {
            signal?.addEventListener('abort', () => {
              aborted = true;
            });
          }),
      },
    });
    const posture = await assembler([prod], 50).assemble(
      'component:default/payments-api',
      target,
      '5m',
    );
    const prometheus = posture.sources.find(s => s.role === 'prometheus')!;
    expect(prometheus).toMatchObject({
      status: 'timeout',
      message: 'no answer within 50 ms',
    });
    expect(aborted).toBe(true);
  });

  it.each([
    ['not an object', 'garbage'],
    ['traffic that is not a list', { traffic: { items: [] } }],
    [
      'a malformed line',
      {
        traffic: [{ direction: 'sideways', requestsPerSecond: '1' }],
        callers: [],
        decisions: [],
        workloadCertificates: [],
        meshCertificates: [],
        gaps: [],
      },
    ],
    [
      'a malformed refused call',
      {
        traffic: [],
        callers: [],
        decisions: [],
        refusedCalls: [{ workload: {}, count: 'many', protocol: 'smtp' }],
        workloadCertificates: [],
        meshCertificates: [],
        gaps: [],
      },
    ],
  ])(
    'reports garbage telemetry (%s) as invalid-response',
    async (_n, garbage) => {
      const prod = await prodWith({
        telemetry: { workloadTelemetry: async () => garbage as any },
      });
      const posture = await assembler([prod]).assemble(
        'component:default/payments-api',
        target,
        '5m',
      );
      expect(posture.sources.find(s => s.role === 'prometheus')?.status).toBe(
        'invalid-response',
      );
      expect(posture.meshedPods).toBe(4);
    },
  );

  it("keeps the refused calls of each workload's own identity only", async () => {
    const clusters = await new DemoMesh({ now: () => at }).getClusters();
    const demo = clusters.find(c => c.name === 'prod-eu-west')!;
    const peer = { namespace: 'payments', workload: 'ledger' };
    const prod = await prodWith({
      telemetry: {
        workloadTelemetry: async (query, options) => {
          const t = await demo.telemetry!.workloadTelemetry(query, options);
          const api = query.workloads.find(w => w.name === 'payments-api')!;
          const own =
            'payments-api.payments.serviceaccount.identity.linkerd.cluster.local';
          return {
            ...t,
            refusedCalls: [
              {
                workload: api,
                peer,
                identity: own,
                count: 12,
                protocol: 'http',
              },
              // Another account of the namespace was denied: its refusals
              // are not payments-api's, whatever its 403s.
              {
                workload: api,
                peer,
                identity:
                  'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
                count: 40,
                protocol: 'http',
              },
            ],
          };
        },
      },
    });
    const posture = await assembler([prod]).assemble(
      'component:default/payments-api',
      target,
      '5m',
    );
    expect(posture.workloads[0].identity).toBe(
      'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
    );
    expect(posture.refusedCalls).toEqual([
      expect.objectContaining({ peer, count: 12 }),
    ]);
  });

  it("keeps pods and traffic when the mesh's objects cannot be read", async () => {
    const prod = await prodWith({
      objects: {
        get: async () => {
          throw new Error(
            'configmaps "linkerd-identity-trust-roots" is forbidden',
          );
        },
      },
    });
    const posture = await assembler([prod]).assemble(
      'component:default/payments-api',
      target,
      '5m',
    );
    expect(posture.meshedPods).toBe(4);
    expect(posture.certificates.filter(c => c.role !== 'workload')).toEqual([]);
    expect(posture.authorization).toEqual([]);
    expect(posture.sources.find(s => s.role === 'kubernetes')).toMatchObject({
      status: 'unavailable',
      message: 'Error: configmaps "linkerd-identity-trust-roots" is forbidden',
    });
    // Traffic was still read.
    expect(posture.inbound.mtlsShare).toBe(1);
  });

  it('never shows credentials from an error message', async () => {
    const prod = await prodWith({
      objects: {
        list: async () => {
          throw new Error(
            'request to https://admin:s3cret@k8s.example/api failed, Authorization: Bearer abc.def',
          );
        },
      },
    });
    const posture = await assembler([prod]).assemble(
      'component:default/payments-api',
      target,
      '5m',
    );
    const message = posture.sources[0].message!;
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('abc.def');
  });

  it('names a cluster the entity asks for that is not configured', async () => {
    const posture = await assembler([await prodWith({})]).assemble(
      'component:default/payments-api',
      { ...target, cluster: 'prod-us-east' },
      '5m',
    );
    expect(posture.sources).toEqual([
      {
        role: 'kubernetes',
        cluster: 'prod-us-east',
        status: 'unavailable',
        message: 'cluster "prod-us-east" is not configured for Mesh Posture',
        demo: false,
        durationMs: 0,
      },
    ]);
  });

  it("asks telemetry once per cluster for all of an entity's workloads", async () => {
    const calls: string[][] = [];
    const prod = await prodWith({});
    const telemetry = prod.telemetry!;
    prod.telemetry = {
      ...telemetry,
      workloadTelemetry: async (query, options) => {
        calls.push(query.workloads.map(w => w.name));
        return telemetry.workloadTelemetry(query, options);
      },
    };
    await assembler([prod]).assemble(
      'component:default/fraud-scoring',
      {
        selector: labelEquals('backstage.io/kubernetes-id', 'fraud-scoring'),
        explicit: [],
      },
      '5m',
    );
    expect(calls).toEqual([['fraud-scoring', 'fraud-scoring-primary']]);
  });

  it('names an unknown issuer only when no source knows it', async () => {
    const prod = await prodWith({});
    const objects = prod.objects!;
    // cert-manager is not installed: objects cannot tell the issuer's expiry.
    prod.objects = {
      ...objects,
      list: async (q, o) =>
        q.apiVersion.startsWith('cert-manager.io')
          ? undefined
          : objects.list(q, o),
    };
    const telemetry = prod.telemetry!;
    const withoutIssuer = await assembler([prod]).assemble(
      'component:default/payments-api',
      target,
      '5m',
    );
    expect(withoutIssuer.gaps.map(g => g.message)).toContainEqual(
      expect.stringContaining('issuer expiry unknown'),
    );
    // Telemetry reports it (Linkerd's issuer_cert_ttl_seconds): no gap.
    prod.telemetry = {
      ...telemetry,
      workloadTelemetry: async (q, o) => {
        const t = await telemetry.workloadTelemetry(q, o);
        return {
          ...t,
          meshCertificates: [
            {
              cluster: 'prod-eu-west',
              mesh: 'linkerd',
              role: 'issuer',
              subject: 'identity.linkerd.cluster.local',
              location: "the identity controller's metrics",
              notBefore: new Date(0).toISOString(),
              notAfter: new Date(at.getTime() + 100 * 86400_000).toISOString(),
              daysToExpiry: 100,
            },
          ],
        };
      },
    };
    const withIssuer = await assembler([prod]).assemble(
      'component:default/payments-api',
      target,
      '5m',
    );
    expect(withIssuer.gaps.map(g => g.message)).not.toContainEqual(
      expect.stringContaining('issuer expiry unknown'),
    );
    expect(
      withIssuer.certificates.find(c => c.role === 'issuer')?.daysToExpiry,
    ).toBe(100);
  });
});

describe('PostureAssembler.assembleMany', () => {
  it('gives every demo entity, across both clusters, the posture it gets alone', async () => {
    const demo = await new DemoMesh({ now: () => at }).getClusters();
    const many = assembler(demo, 5000);
    const ids = [
      'payments-api',
      'ledger',
      'fraud-scoring',
      'accounts-service',
      'notifications',
      'web-frontend',
      'open-banking-gateway',
      'card-issuing',
    ];
    const targets = ids.map(id => ({
      entityRef: `component:default/${id}`,
      target: {
        selector: labelEquals('backstage.io/kubernetes-id', id),
        explicit: [],
      } as WorkloadTarget,
    }));
    const withoutTimings = (p: any) => ({
      ...p,
      sources: p.sources.map((s: any) => ({ ...s, durationMs: 0 })),
    });
    const batch = await many.assembleMany(targets, '1h');
    expect(batch.map(b => b.entityRef)).toEqual(targets.map(t => t.entityRef));
    for (const [i, t] of targets.entries()) {
      const alone = await many.assemble(t.entityRef, t.target, '1h');
      expect(withoutTimings(batch[i].posture)).toEqual(withoutTimings(alone));
    }
    // Ledger runs on the Linkerd cluster only: no PCI (Istio) certificates.
    const ledger = batch[1].posture;
    expect(ledger.certificates.every(c => c.cluster === 'prod-eu-west')).toBe(
      true,
    );
  });
});
