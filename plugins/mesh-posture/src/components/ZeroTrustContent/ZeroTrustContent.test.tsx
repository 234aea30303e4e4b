import { registerMswTestHooks } from '@backstage/test-utils';
import type { MeshPosture } from '@mesh-posture/plugin-mesh-posture-common';
import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  bypassPosture,
  canaryAndPrimaryPosture,
  crossClusterPosture,
  expiredAnchorPosture,
  healthyPosture,
  networkOpenPosture,
  networkUnreadPosture,
  noProxyPosture,
  overGrantedPosture,
  plaintextCallerPosture,
  prometheusDownPosture,
  twinClustersPosture,
} from '../../__testUtils__/postureFixtures';
import { ZeroTrustContent } from './ZeroTrustContent';
import { TEST_BASE_URL } from '../../__testUtils__/testApi';
import {
  renderOnEntityPage,
  serviceEntity,
} from '../../__testUtils__/entityPage';
import { pretendNow } from '../../__testUtils__/clock';

const server = setupServer();
registerMswTestHooks(server);
pretendNow();

// jsdom lays out no SVG: the traffic graph (DependencyGraph) measures its
// nodes and labels.
beforeAll(() => {
  (window.SVGElement.prototype as any).getBBox = () => ({
    x: 0,
    y: 0,
    width: 120,
    height: 20,
  });
});

const base = TEST_BASE_URL;
const postureUrl = `${base}/v1/entities/component/default/accounts-service/posture`;

const dataflowUrl = `${base}/v1/dataflow`;

function serve(byWindow: Record<string, MeshPosture>) {
  const windows: string[] = [];
  server.use(
    http.get(dataflowUrl, ({ request }) => {
      const query = new URL(request.url).searchParams;
      return HttpResponse.json({
        from: `${query.get('from')}T00:00:00.000Z`,
        to: `${query.get('to')}T23:59:59.999Z`,
        runs: 30,
        flows: [
          {
            entityRef: 'component:default/accounts-service',
            direction: 'inbound',
            workload: { namespace: 'open-banking', name: 'accounts-service' },
            peer: { namespace: 'messaging', workload: 'notifications' },
            cluster: 'prod-eu-west',
            firstSeen: '2026-10-24T12:00:00.000Z',
            lastSeen: '2026-11-22T09:00:00.000Z',
            observations: 30,
            protocol: 'http',
            maxRequestsPerSecond: 2.4,
            minMtlsShare: 0,
            plaintextReasons: ['no_tls_from_remote'],
          },
          {
            entityRef: 'component:default/web-frontend',
            direction: 'outbound',
            workload: { namespace: 'web', name: 'web-frontend' },
            peer: {
              namespace: 'open-banking',
              workload: 'accounts-service',
              entityRef: 'component:default/accounts-service',
            },
            cluster: 'prod-eu-west',
            firstSeen: '2026-10-24T12:00:00.000Z',
            lastSeen: '2026-11-22T09:00:00.000Z',
            observations: 30,
            protocol: 'http',
            maxRequestsPerSecond: 18,
            minMtlsShare: 1,
            plaintextReasons: [],
          },
          {
            entityRef: 'component:default/accounts-service',
            direction: 'outbound',
            workload: { namespace: 'open-banking', name: 'accounts-service' },
            peer: { namespace: 'open-banking', workload: 'accounts-db' },
            cluster: 'prod-eu-west',
            firstSeen: '2026-10-24T12:00:00.000Z',
            lastSeen: '2026-11-22T09:00:00.000Z',
            observations: 30,
            protocol: 'tcp',
            maxRequestsPerSecond: 0,
            maxBytesPerSecond: 42_000,
            minMtlsShare: 1,
            plaintextReasons: [],
          },
        ],
      });
    }),
  );
  server.use(
    http.get(postureUrl, ({ request }) => {
      const window = new URL(request.url).searchParams.get('window') ?? '5m';
      windows.push(window);
      return HttpResponse.json({ ...byWindow[window], window });
    }),
  );
  return windows;
}

async function renderTab() {
  return renderOnEntityPage(<ZeroTrustContent />, {
    entity: serviceEntity('accounts-service'),
  });
}

function table(name: string) {
  return screen.getByRole('table', { name });
}

describe('ZeroTrustContent', () => {
  it('lays out a healthy posture section by section', async () => {
    serve({ '5m': healthyPosture });
    await renderTab();
    expect(await screen.findByText(/^Passing — /)).toBeInTheDocument();
    const workloads = table('Workloads');
    expect(
      within(workloads)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual([
      'Workload',
      'Cluster',
      'Pods meshed',
      'Data plane',
      'Image',
      'Proxy',
      'Identity',
    ]);
    expect(
      within(workloads).getByText('Deployment open-banking/accounts-service'),
    ).toBeInTheDocument();
    expect(within(workloads).getByText('edge-26.10.2')).toBeInTheDocument();
    expect(within(workloads).getByText('linkerd sidecar')).toBeInTheDocument();
    const ports = table('Authorization by port');
    expect(within(ports).getAllByText('default-deny')).toHaveLength(2);
    expect(within(ports).getByText('other ports')).toBeInTheDocument();
    const identities = table('Admitted identities');
    expect(within(identities).getAllByText('calls')).toHaveLength(3);
    expect(
      screen.getByText('No request was refused in the last 7d.'),
    ).toBeInTheDocument();
    expect(
      within(table('Certificates')).getByText('expires in 212 days'),
    ).toBeInTheDocument();
  });

  it('lists the ports configured around the proxy, and fails the checks they break', async () => {
    serve({ '5m': bypassPosture });
    await renderTab();
    const list = await screen.findByRole('list', { name: 'Outside the mesh' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map(i => i.textContent?.trim()),
    ).toEqual([
      'accounts-service: inbound port 9102 skips the proxy (config.linkerd.io/skip-inbound-ports, on 2 pods)',
      'accounts-service: outbound port 5432 skips the proxy (config.linkerd.io/skip-outbound-ports, on 2 pods)',
    ]);
    expect(
      screen.getAllByText(/neither authenticated, encrypted nor observed/),
    ).toHaveLength(2);
  });

  it("names a peer's cluster when it is not the workload's", async () => {
    serve({ '5m': crossClusterPosture });
    await renderTab();
    const traffic = await screen.findByRole('table', { name: 'Traffic edges' });
    const row = within(traffic)
      .getAllByRole('row')
      .find(r => r.textContent?.includes('open-banking-gateway'))!;
    expect(within(row).getByText('on cluster prod-eu-2')).toBeInTheDocument();
    expect(within(traffic).getAllByText(/^on cluster /)).toHaveLength(1);
  });

  it('flags the plaintext caller in the traffic table', async () => {
    serve({ '5m': plaintextCallerPosture });
    await renderTab();
    expect(await screen.findByText(/^Failing — /)).toBeInTheDocument();
    const row = within(table('Traffic edges'))
      .getByText('unidentified client')
      .closest('tr')!;
    expect(within(row).getByText('Plaintext')).toBeInTheDocument();
    // A long identity: cut on screen, whole in its tooltip, with a copy button.
    const web = within(table('Traffic edges'))
      .getByText(
        'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
      )
      .closest('tr')!;
    expect(
      within(web).getByTitle(
        'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
      ),
    ).toBeInTheDocument();
    expect(
      within(web).getByRole('button', { name: 'Copy the identity' }),
    ).toBeInTheDocument();
    // In words, the proxy's code in the tooltip.
    const reason = within(row).getByText(
      'the client sent no TLS: it has no mesh proxy',
    );
    expect(reason).toHaveAttribute('title', 'reported as: no_tls_from_remote');
  });

  it('fails an expired trust anchor', async () => {
    serve({ '5m': expiredAnchorPosture });
    await renderTab();
    expect(await screen.findByText(/^Failing — /)).toBeInTheDocument();
    expect(
      within(table('Certificates')).getByText('expired 3 days ago'),
    ).toHaveAttribute('title', 'not after 2026-11-18 10:00:00 UTC');
  });

  it('names the source that is down and still shows the rest', async () => {
    serve({ '5m': prometheusDownPosture });
    await renderTab();
    expect(await screen.findByText(/^Unknown — /)).toBeInTheDocument();
    expect(
      screen.getByText(
        /Prometheus on prod-eu-west: timeout \(no answer within 5000 ms\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('No requests in the last 5m.')).toBeInTheDocument();
    // The Kubernetes half still renders.
    expect(
      within(table('Workloads')).getByText(/^2\/2 · \d+ ready$/),
    ).toBeInTheDocument();
  });

  it('shows an open port, an over-granted identity and a denied caller', async () => {
    serve({ '5m': overGrantedPosture });
    await renderTab();
    expect(await screen.findByText(/^Failing — /)).toBeInTheDocument();
    // Each check says what it found, in the row beside its icon.
    const found = within(table('Checks'))
      .getAllByRole('row')
      .map(r => r.querySelector('b')?.parentElement?.textContent);
    expect(found).toEqual(
      expect.arrayContaining([
        'Default-deny: open on 1 port',
        'Admitted identities: 1 identity never seen calling in 7d',
        'Refused callers: 1,210 denied in 7d',
      ]),
    );
    const ports = table('Authorization by port');
    const open = within(ports).getByText('open').closest('tr')!;
    expect(
      within(open).getByText(
        'default policy all-unauthenticated (proxy configuration)',
      ),
    ).toBeInTheDocument();
    const unused = within(table('Admitted identities'))
      .getByText(
        'statements.batch.serviceaccount.identity.linkerd.cluster.local',
      )
      .closest('tr')!;
    expect(within(unused).getByText('never seen in 7d')).toBeInTheDocument();
    const denied = within(table('Denied callers'))
      .getByText(
        'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
      )
      .closest('tr')!;
    expect(within(denied).getByText('1,210 requests')).toBeInTheDocument();
  });

  it('asks the backend again when the window changes', async () => {
    const windows = serve({ '5m': healthyPosture, '1h': healthyPosture });
    await renderTab();
    expect(await screen.findByText(/Rates over 5m/)).toBeInTheDocument();
    fireEvent.mouseDown(screen.getByRole('button', { name: 'Window' }));
    fireEvent.click(await screen.findByRole('option', { name: '1h' }));
    expect(await screen.findByText(/Rates over 1h/)).toBeInTheDocument();
    expect(windows).toEqual(['5m', '1h']);
  });
});

describe('rows that differ only by cluster or protocol', () => {
  it('each keep a key of their own (no duplicate React keys)', async () => {
    const errors = jest.spyOn(console, 'error');
    serve({ '5m': twinClustersPosture });
    await renderTab();
    await screen.findByRole('table', { name: 'Traffic edges' });
    expect(
      within(table('Traffic edges')).getAllByRole('row').slice(1),
    ).toHaveLength(2);
    expect(
      within(table('Denied callers')).getAllByRole('row').slice(1),
    ).toHaveLength(2);
    expect(
      within(table('Authorization by port')).getAllByRole('row').slice(1),
    ).toHaveLength(2);
    expect(
      within(
        screen.getByRole('list', { name: 'Outside the mesh' }),
      ).getAllByRole('listitem'),
    ).toHaveLength(2);
    const keyWarnings = errors.mock.calls.filter(args =>
      String(args[0]).includes('same key'),
    );
    // The key React names, not its component stack.
    expect(keyWarnings.map(args => args[1])).toEqual([]);
    errors.mockRestore();
  });
});

describe('a canary and its primary on the Zero trust tab', () => {
  it('names each side of the rollout in the workloads, traffic and ports', async () => {
    serve({ '5m': canaryAndPrimaryPosture });
    await renderTab();
    const workloads = await screen.findByRole('table', { name: 'Workloads' });
    const sides = within(workloads)
      .getAllByRole('row')
      .slice(1)
      .map(r => within(r).getAllByRole('cell')[0].textContent);
    expect(sides.sort()).toEqual([
      'Deployment payments/fraud-scoring-primaryprimary',
      'Deployment payments/fraud-scoringcanary',
    ]);
    // Each side's version, from its pods' images.
    const image = (name: string) => {
      const row = within(workloads)
        .getAllByRole('row')
        .find(r => within(r).queryByText(name));
      return within(row!).getByText(/^2026\./).textContent;
    };
    expect(image('Deployment payments/fraud-scoring')).toBe('2026.11.5');
    expect(image('Deployment payments/fraud-scoring-primary')).toBe(
      '2026.11.4',
    );
    // Long identities are cut, whole on hover, with a copy button: never
    // broken mid-word across lines.
    expect(
      within(workloads).getAllByRole('button', { name: 'Copy the identity' }),
    ).toHaveLength(2);
    expect(
      within(table('Admitted identities')).getAllByRole('button', {
        name: 'Copy the identity',
      }),
    ).toHaveLength(2);
    expect(within(table('Traffic edges')).getAllByText('canary')).toHaveLength(
      1,
    );
    expect(
      within(table('Authorization by port')).getAllByText('primary'),
    ).toHaveLength(1);
  });

  it("lists the canary's refused calls under its own name", async () => {
    serve({ '5m': canaryAndPrimaryPosture });
    await renderTab();
    await screen.findByRole('table', { name: 'Workloads' });
    const rows = within(table('Refused calls')).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('payments/fraud-scoringcanary');
    expect(rows[0]).toHaveTextContent('payments/ledger');
    expect(rows[0]).toHaveTextContent('server/ledger-grpc');
    expect(rows[0]).toHaveTextContent('1,210 gRPC calls');
  });

  it('says nothing of refused calls where the mesh cannot tell them', async () => {
    serve({ '5m': healthyPosture });
    await renderTab();
    await screen.findByRole('table', { name: 'Workloads' });
    expect(screen.queryByText('Refused calls')).not.toBeInTheDocument();
  });
});

describe('the dataflow history on the Zero trust tab', () => {
  it('lists who talked to the service over a period, turning flows seen by peers round', async () => {
    serve({ '5m': plaintextCallerPosture });
    await renderTab();
    const flows = await screen.findByRole('table', { name: 'Observed flows' });
    expect(screen.getByText(/30 snapshots between/)).toBeInTheDocument();
    const rows = within(flows).getAllByRole('row').slice(1);
    // Least encrypted first.
    expect(rows[0]).toHaveTextContent('messaging/notifications');
    expect(rows[0]).toHaveTextContent('0% mTLS at worst');
    // The reason in words, the mesh's code on hover.
    expect(
      within(rows[0]).getByText('the client sent no TLS: it has no mesh proxy'),
    ).toHaveAttribute('title', 'reported as: no_tls_from_remote');
    expect(rows[0]).toHaveTextContent('this service');
    // First and last seen relative, exact on hover.
    expect(within(rows[0]).getByText('29 days ago')).toHaveAttribute(
      'title',
      '2026-10-24 12:00:00 UTC',
    );
    expect(within(rows[0]).getByText('1 hour ago')).toHaveAttribute(
      'title',
      '2026-11-22 09:00:00 UTC',
    );
    // web-frontend's outbound flow is an inbound one here, seen by the peer.
    expect(rows[1]).toHaveTextContent('In');
    expect(rows[1]).toHaveTextContent('web-frontend');
    expect(rows[1]).toHaveTextContent('always mTLS');
    expect(rows[1]).toHaveTextContent('the peer');
    // A database flow is measured in bytes.
    const db = rows.find(r => r.textContent?.includes('accounts-db'))!;
    expect(db).toHaveTextContent('42.0 KB/s TCP');
  });
});

describe('the checks on the Zero trust tab', () => {
  it('says how to fix a failing check: a Server and AuthorizationPolicy for default-deny', async () => {
    serve({ '5m': bypassPosture });
    await renderTab();
    await screen.findByText(/^Failing — /);
    const row = within(table('Checks'))
      .getByTitle('Authorization is default-deny on every port')
      .closest('tr')!;
    // What it found, not its goal.
    expect(row).toHaveTextContent('Default-deny: ports skip the proxy');
    await userEvent.click(
      within(row).getByRole('button', { name: 'How to fix' }),
    );
    const fix = within(row).getByRole('region', {
      name: 'How to fix: Authorization is default-deny on every port',
    });
    expect(
      within(fix).getByText(
        'Make deny the default inbound policy, then admit each caller by identity with a Server and an AuthorizationPolicy.',
      ),
    ).toBeInTheDocument();
    const policy = within(fix).getByText(
      /^apiVersion: policy.linkerd.io\/v1beta3/,
    );
    expect(policy).toHaveTextContent('namespace: open-banking');
    expect(policy).toHaveTextContent('kind: MeshTLSAuthentication');
    expect(policy).toHaveTextContent('kind: AuthorizationPolicy');
    expect(
      within(fix).getByRole('button', {
        name: 'Copy: Admit only named callers to the port',
      }),
    ).toBeInTheDocument();
    // Nothing to fix beside a check that passes.
    const passing = within(table('Checks'))
      .getByTitle('Mesh certificates valid for more than 60 days')
      .closest('tr')!;
    expect(passing).toHaveTextContent(
      'Certificates: valid for at least 212 days',
    );
    expect(
      within(passing).queryByRole('button', { name: 'How to fix' }),
    ).toBeNull();
  });

  it('says a workload without a proxy is not in the mesh, and passes nothing', async () => {
    serve({ '5m': noProxyPosture });
    await renderTab();
    const notice = await screen.findByRole('alert', {
      name: 'Not in the mesh',
    });
    expect(notice).toHaveTextContent(
      'open-banking/accounts-service runs without a Linkerd proxy (0 of 2 pods meshed), so its own traffic cannot be observed.',
    );
    expect(
      screen.getByText(
        'No pod runs a proxy, so no authorization policy is enforced.',
      ),
    ).toBeInTheDocument();
    expect(within(table('Checks')).queryAllByLabelText('Status ok')).toEqual(
      [],
    );
  });

  describe('network policy', () => {
    const networkCheck = () =>
      within(table('Checks'))
        .getByTitle('The network denies by default, beside the mesh')
        .closest('tr')!;

    it('shows each workload isolated both ways, what its rules allow and the mesh ports they keep open', async () => {
      serve({ '5m': healthyPosture });
      await renderTab();
      const network = await screen.findByRole('table', {
        name: 'Network policy',
      });
      expect(
        within(network)
          .getAllByRole('columnheader')
          .map(h => h.textContent),
      ).toEqual(['Workload', 'Ingress', 'Egress', "Mesh's ports"]);
      const [row] = within(network).getAllByRole('row').slice(1);
      const [, ingress, egress, ports] = within(row).getAllByRole('cell');
      expect(within(ingress).getByText('deny by default')).toBeInTheDocument();
      expect(ingress).toHaveTextContent(
        'from every pod in every namespace on TCP 8080, TCP 4143',
      );
      expect(egress).toHaveTextContent(
        'to every pod in kube-system on UDP 53, TCP 53',
      );
      expect(ports).toHaveTextContent('4143 linkerd-proxy open');
      expect(ports).toHaveTextContent(
        '4191 linkerd-admin openfrom every pod in linkerd-viz',
      );
      expect(networkCheck()).toHaveTextContent(
        'Network policy: deny by default, both ways',
      );
    });

    it('says a workload is open when no NetworkPolicy selects it, and how to fix it', async () => {
      serve({ '5m': networkOpenPosture });
      await renderTab();
      const network = await screen.findByRole('table', {
        name: 'Network policy',
      });
      // Ingress and egress open; both proxy ports open with them.
      expect(within(network).getAllByText('open')).toHaveLength(4);
      expect(
        within(network).getByText(
          'No NetworkPolicy of type Ingress selects its pods.',
        ),
      ).toBeInTheDocument();
      expect(networkCheck()).toHaveTextContent(
        'Network policy: ingress open, egress open',
      );
      await userEvent.click(
        within(networkCheck()).getByRole('button', { name: 'How to fix' }),
      );
      const fix = within(networkCheck()).getByRole('region', {
        name: 'How to fix: The network denies by default, beside the mesh',
      });
      expect(
        within(fix).getByText(
          /^apiVersion: networking.k8s.io\/v1 kind: NetworkPolicy metadata: name: default-deny/,
        ),
      ).toHaveTextContent('namespace: open-banking');
      expect(
        within(fix).getByText(/name: accounts-service-allow/),
      ).toHaveTextContent('port: 4191');
    });

    it('names why the policies could not be read, and passes nothing on them', async () => {
      serve({ '5m': networkUnreadPosture });
      await renderTab();
      expect(
        await screen.findByText(
          'Kubernetes network policies could not be read: NetworkPolicies could not be read: not allowed to read networkpolicies.networking.k8s.io on prod-eu-west (403)',
        ),
      ).toBeInTheDocument();
      expect(networkCheck()).toHaveTextContent('Network policy: not judged');
    });
  });
});
