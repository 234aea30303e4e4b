import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { registerMswTestHooks } from '@backstage/test-utils';
import type { MeshPosture } from '@mesh-posture/plugin-mesh-posture-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  canaryAndPrimaryPosture,
  demoPosture,
  expiredAnchorPosture,
  healthyPosture,
  noProxyPosture,
  plaintextCallerPosture,
  plaintextTcpPosture,
  probesAndUnobservedPosture,
  prometheusDownPosture,
} from '../../__testUtils__/postureFixtures';
import { MeshSecurityCard } from './MeshSecurityCard';
import { TEST_BASE_URL } from '../../__testUtils__/testApi';
import {
  renderOnEntityPage,
  serviceEntity,
  withoutWorkloadAnnotation,
} from '../../__testUtils__/entityPage';
import { pretendNow } from '../../__testUtils__/clock';

const server = setupServer();
registerMswTestHooks(server);
pretendNow();

const base = TEST_BASE_URL;
const postureUrl = `${base}/v1/entities/component/default/accounts-service/posture`;

const entity = serviceEntity('accounts-service');

function serve(body: MeshPosture | object, status = 200) {
  let calls = 0;
  server.use(
    http.get(postureUrl, () => {
      calls++;
      return HttpResponse.json(body, { status });
    }),
  );
  return () => calls;
}

async function renderCard(forEntity: Entity = entity) {
  return renderOnEntityPage(<MeshSecurityCard />, {
    entity: forEntity,
    apis: [
      [discoveryApiRef, { getBaseUrl: async () => base }],
      [fetchApiRef, { fetch }],
    ],
  });
}

describe('MeshSecurityCard', () => {
  it('shows a healthy service: verdict, figures, callers with identities', async () => {
    serve(healthyPosture);
    await renderCard();
    expect(await screen.findByText('Passing')).toBeInTheDocument();
    expect(screen.getByText('2/2')).toBeInTheDocument();
    expect(screen.getAllByText('100%')).toHaveLength(1);
    const table = screen.getByRole('table', { name: 'Traffic edges' });
    expect(within(table).getByText('web/web-frontend')).toBeInTheDocument();
    expect(
      within(table).getByText(
        'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
      ),
    ).toBeInTheDocument();
    expect(
      within(table).getAllByText('mTLS', { selector: '.MuiChip-label' }),
    ).toHaveLength(2);
    expect(screen.queryByText(/Demo data/)).not.toBeInTheDocument();
    const expiry = screen.getByText('expires in 212 days');
    expect(expiry.parentElement).toHaveTextContent(
      /trust anchor.*expires in 212 days/,
    );
    // The exact moment on hover.
    expect(expiry).toHaveAttribute(
      'title',
      expect.stringMatching(/^not after 2027-06-22 10:00:00 UTC$/),
    );
  });

  it('flags a plaintext caller with the reason the mesh gives', async () => {
    serve(plaintextCallerPosture);
    await renderCard();
    expect(await screen.findByText('Failing')).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Traffic edges' });
    const row = within(table).getByText('unidentified client').closest('tr')!;
    expect(within(row).getByText('Plaintext')).toBeInTheDocument();
    expect(
      within(row).getByText('the client sent no TLS: it has no mesh proxy'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /plaintext from an unidentified client \(no_tls_from_remote\)/,
      ),
    ).toBeInTheDocument();
  });

  it('states each check as what it found, the goal on hover and the evidence beneath', async () => {
    serve(plaintextCallerPosture);
    await renderCard();
    await screen.findByText('Failing');
    const checks = within(screen.getByRole('list', { name: 'Checks' }))
      .getAllByRole('listitem')
      .map(i => i.querySelector('b')!.parentElement!);
    expect(checks.map(c => c.textContent)).toEqual([
      'Inbound mTLS: 1 plaintext caller',
      'Outbound mTLS: no outbound traffic in 5m',
      'Meshed pods: all 2 pods meshed',
      'Default-deny: on all 2 ports',
      'Network policy: deny by default, both ways',
      'Egress: undeclared destinations refused',
      'Admitted identities: all 3 called in 7d',
      'Refused callers: none in 7d',
      'Certificates: valid for at least 212 days',
    ]);
    // The goal on hover, never beside the red icon as if it were a finding.
    expect(checks[0]).toHaveAttribute(
      'title',
      'Every inbound request is mutually authenticated',
    );
    // What was seen, beneath.
    expect(
      screen.getByText(
        /^89\.8% of 15\.8 req\/s inbound over mTLS; plaintext from an unidentified client/,
      ),
    ).toBeInTheDocument();
  });

  it('counts an identity admitted to a canary and its primary once', async () => {
    serve(canaryAndPrimaryPosture);
    await renderCard();
    await screen.findByText('Passing');
    const grants = within(screen.getByRole('list', { name: 'Checks' }))
      .getAllByRole('listitem')
      .find(i => i.textContent?.startsWith('Admitted identities'))!;
    expect(grants).toHaveTextContent(
      /^Admitted identities: the only admitted identity called in 7d/,
    );
  });

  it('names which of a canary and its primary each edge is at, not two alike rows', async () => {
    serve(canaryAndPrimaryPosture);
    await renderCard();
    const edges = await screen.findByRole('table', { name: 'Traffic edges' });
    expect(
      within(edges).getByRole('columnheader', { name: 'Workload' }),
    ).toBeInTheDocument();
    const rows = within(edges).getAllByRole('row').slice(1);
    // Flagger's target is the canary, its -primary clone the primary.
    expect(
      rows.map(r => within(r).getAllByRole('cell')[1].textContent).sort(),
    ).toEqual(['fraud-scoring-primaryprimary', 'fraud-scoringcanary']);
  });

  it('leaves the workload out of the edges of an entity with one', async () => {
    serve(healthyPosture);
    await renderCard();
    const edges = await screen.findByRole('table', { name: 'Traffic edges' });
    expect(
      within(edges).queryByRole('columnheader', { name: 'Workload' }),
    ).toBeNull();
  });

  it('says a check it could not judge is not judged, and why', async () => {
    serve(prometheusDownPosture);
    await renderCard();
    await screen.findByText('Unknown');
    const inbound = within(
      screen.getByRole('list', { name: 'Checks' }),
    ).getAllByRole('listitem')[0];
    expect(inbound).toHaveTextContent(
      /^Inbound mTLS: not judged.*traffic could not be read/,
    );
    expect(inbound).not.toHaveTextContent(/over mTLS/);
  });

  it('fails on plaintext TCP beside all-mTLS HTTP, and shows the TCP edge in bytes', async () => {
    serve(plaintextTcpPosture);
    await renderCard();
    expect(await screen.findByText('Failing')).toBeInTheDocument();
    // The figure is the lower of the two shares, never the HTTP 100%.
    expect(screen.getByText(/TCP 9\.2 KB\/s, 0% mTLS/)).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Traffic edges' });
    const row = within(table).getByText('unidentified client').closest('tr')!;
    expect(within(row).getByText('TCP')).toBeInTheDocument();
    expect(within(row).getByText('9.2 KB/s')).toBeInTheDocument();
    expect(within(row).getByText('Plaintext')).toBeInTheDocument();
    const httpRow = within(table).getByText('web/web-frontend').closest('tr')!;
    expect(within(httpRow).getByText('HTTP')).toBeInTheDocument();
  });

  it('counts in the singular: one connection, one more edge', async () => {
    const [tcp] = plaintextTcpPosture.edges.filter(e => e.tcp);
    const edges = Array.from({ length: 9 }, (_, i) => ({
      ...tcp,
      peer: { namespace: 'batch', workload: `job-${i}` },
      tcp: { bytesPerSecond: 9200, openConnections: 1 },
    }));
    serve({ ...plaintextTcpPosture, edges });
    await renderCard();
    // The card lists eight edges and summarises the rest.
    expect(await screen.findByText('and 1 more edge')).toBeInTheDocument();
    expect(
      screen.getAllByTitle('1 connection open at the end of the window'),
    ).toHaveLength(8);
  });

  it('shows probes apart and a call no proxy reported as not observed, not plaintext', async () => {
    serve(probesAndUnobservedPosture);
    await renderCard();
    expect(
      await screen.findByText(/probes 0\.20 req\/s, plaintext by design/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^1\.0 req\/s · 1\.0 req\/s not observed$/),
    ).toBeInTheDocument();
    // Its check is not judged, and says what went unseen.
    expect(
      within(screen.getByRole('list', { name: 'Checks' })).getByText(
        /^: not judged: 1\.0 req\/s not observed/,
      ).parentElement,
    ).toHaveTextContent('Outbound mTLS: not judged: 1.0 req/s not observed');
    const table = screen.getByRole('table', { name: 'Traffic edges' });
    const row = within(table)
      .getByText('payments/ledger-replica')
      .closest('tr')!;
    expect(within(row).getByText('Not observed')).toBeInTheDocument();
    expect(within(row).queryByText('Plaintext')).not.toBeInTheDocument();
    // The probes are no caller of their own.
    expect(
      within(table).queryByText('unidentified client'),
    ).not.toBeInTheDocument();
    // The outbound check cannot pass on a call nobody observed: it is one
    // the verdict names as not judged.
    expect(screen.getByText(/1 of 9 checks not judged/)).toBeInTheDocument();
  });

  it('shows who calls a workload without a proxy, as its callers saw it', async () => {
    serve(noProxyPosture);
    await renderCard();
    expect(await screen.findByText('Failing')).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Traffic edges' });
    const row = within(table).getByText('web/web-frontend').closest('tr')!;
    expect(
      within(row).getByText("seen by the peer's proxy"),
    ).toBeInTheDocument();
    expect(within(row).getByText('Plaintext')).toBeInTheDocument();
  });

  it('fails on an expired trust anchor', async () => {
    serve(expiredAnchorPosture);
    await renderCard();
    expect(await screen.findByText('Failing')).toBeInTheDocument();
    // In the certificate list, and in the check it fails: its finding and
    // the evidence beneath.
    expect(screen.getAllByText(/expired 3 days ago/)).toHaveLength(3);
    const certificates = within(screen.getByRole('list', { name: 'Checks' }))
      .getAllByRole('listitem')
      .find(i => i.textContent?.startsWith('Certificates'))!;
    expect(certificates).toHaveTextContent(
      /^Certificates: trust anchor expired 3 days ago/,
    );
  });

  it('names a source that is down and shows the last complete reading', async () => {
    serve(prometheusDownPosture);
    await renderCard();
    expect(await screen.findByText('Unknown')).toBeInTheDocument();
    expect(
      screen.getByText(
        /Prometheus on prod-eu-west: timeout \(no answer within 5000 ms\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/Last complete reading/)).toHaveTextContent(
      /Last complete reading 2 hours ago: 2\/2 pods meshed, inbound mTLS 100%/,
    );
    expect(screen.getByText('2 hours ago')).toHaveAttribute(
      'title',
      '2026-11-22 08:00:00 UTC',
    );
    // The Kubernetes half still renders.
    expect(screen.getByText('2/2')).toBeInTheDocument();
  });

  it('labels demo data as demo data', async () => {
    serve(demoPosture);
    await renderCard();
    expect(await screen.findByText(/Demo data/)).toBeInTheDocument();
  });

  it("shows the backend's message for a malformed annotation", async () => {
    serve(
      {
        error: {
          name: 'InputError',
          message:
            'Annotation backstage.io/kubernetes-label-selector of component:default/accounts-service is invalid: "app=~" is not a valid label value',
        },
        response: { statusCode: 400 },
      },
      400,
    );
    await renderCard();
    expect(
      await screen.findByText(
        'Annotation backstage.io/kubernetes-label-selector of component:default/accounts-service is invalid: "app=~" is not a valid label value',
      ),
    ).toBeInTheDocument();
  });

  it('explains the missing annotation without calling the backend', async () => {
    const calls = serve(healthyPosture);
    await renderCard(withoutWorkloadAnnotation(entity));
    expect(await screen.findByText(/The annotation/)).toHaveTextContent(
      'The annotation backstage.io/kubernetes-id is missing',
    );
    expect(calls()).toBe(0);
  });

  describe('how to fix', () => {
    it('offers it beside failing and warning checks only', async () => {
      serve(healthyPosture);
      await renderCard();
      await screen.findByText('Passing');
      expect(
        screen.queryByRole('button', { name: 'How to fix' }),
      ).not.toBeInTheDocument();
    });

    it('opens to rotation docs and linkerd check --proxy on an expired anchor', async () => {
      serve(expiredAnchorPosture);
      await renderCard();
      await screen.findByText('Failing');
      const buttons = screen.getAllByRole('button', { name: 'How to fix' });
      expect(buttons).toHaveLength(1);
      expect(buttons[0]).toHaveAttribute('aria-expanded', 'false');
      await userEvent.click(buttons[0]);
      expect(buttons[0]).toHaveAttribute('aria-expanded', 'true');
      const fix = screen.getByRole('region', {
        name: 'How to fix: Mesh certificates valid for more than 60 days',
      });
      expect(
        within(fix).getByText(
          'Rotate the trust anchor or issuer before it expires (cert-manager can renew the issuer), then check the proxies.',
        ),
      ).toBeInTheDocument();
      expect(
        within(fix).getByText('linkerd check --proxy --namespace open-banking'),
      ).toBeInTheDocument();
      expect(
        within(fix).getByRole('link', {
          name: 'Linkerd: rotating the trust anchor and issuer by hand, Opens in a new window',
        }),
      ).toHaveAttribute(
        'href',
        'https://linkerd.io/2/tasks/manually-rotating-control-plane-tls-credentials/',
      );
    });

    it('copies the snippet', async () => {
      const execCommand = jest.fn(() => true);
      Object.defineProperty(document, 'execCommand', {
        value: execCommand,
        configurable: true,
      });
      serve(expiredAnchorPosture);
      await renderCard();
      await userEvent.click(
        await screen.findByRole('button', { name: 'How to fix' }),
      );
      await userEvent.click(
        screen.getByRole('button', {
          name: 'Copy: Check the certificates the proxies hold',
        }),
      );
      expect(execCommand).toHaveBeenCalledWith('copy');
      expect(await screen.findByText('Copied')).toBeInTheDocument();
    });
  });

  describe('a workload without a proxy', () => {
    it('says it is not in the mesh, and how to put it there', async () => {
      serve(noProxyPosture);
      await renderCard();
      const notice = await screen.findByRole('alert', {
        name: 'Not in the mesh',
      });
      expect(
        within(notice).getByText(
          'open-banking/accounts-service runs without a Linkerd proxy (0 of 2 pods meshed), so its own traffic cannot be observed.',
        ),
      ).toBeInTheDocument();
      expect(
        within(notice).getByText(
          'Annotate the namespace (or the pod template) with linkerd.io/inject: enabled and restart the pods.',
        ),
      ).toBeInTheDocument();
      const command = within(notice).getByText(
        /^kubectl annotate namespace open-banking linkerd.io\/inject=enabled/,
      );
      expect(command).toHaveTextContent(
        'kubectl rollout restart deployment/accounts-service --namespace open-banking',
      );
      expect(
        within(notice).getByRole('button', {
          name: 'Copy: Mesh the namespace and restart its pods',
        }),
      ).toBeInTheDocument();
    });

    it('never calls its traffic idle', async () => {
      serve(noProxyPosture);
      await renderCard();
      await screen.findByRole('alert', { name: 'Not in the mesh' });
      expect(
        screen.getByText('1.9 req/s seen by its callers'),
      ).toBeInTheDocument();
      expect(screen.getByText('not observed: no proxy')).toBeInTheDocument();
      expect(screen.queryByText(/no requests/)).not.toBeInTheDocument();
    });

    it('shows no green check', async () => {
      serve(noProxyPosture);
      await renderCard();
      await screen.findByRole('alert', { name: 'Not in the mesh' });
      expect(screen.queryAllByLabelText('Status ok')).toEqual([]);
    });
  });
});
