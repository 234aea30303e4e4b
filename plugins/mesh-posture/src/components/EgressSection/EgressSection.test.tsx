import { renderInTestApp } from '@backstage/test-utils';
import type { MeshPosture } from '@mesh-posture/plugin-mesh-posture-common';
import { screen, within } from '@testing-library/react';
import { healthyPosture } from '../../__testUtils__/postureFixtures';
import { EgressSection } from './EgressSection';

const workload = healthyPosture.workloads[0].workload;

const withCalls: MeshPosture = {
  ...healthyPosture,
  egress: {
    policies: [
      {
        workload,
        mode: 'open',
        decidedBy:
          'no EgressNetwork in open-banking or linkerd-egress: calls out of the cluster go through (egress-fallback)',
        declared: [
          {
            host: 'api.psp.example',
            ports: ['443'],
            by: 'TLSRoute open-banking/psp',
          },
        ],
      },
    ],
    calls: [
      {
        workload,
        host: 'api.psp.example',
        port: '443',
        protocol: 'tls',
        route: 'declared',
        via: 'TLSRoute open-banking/psp on EgressNetwork open-banking/egress',
        count: 1200,
      },
      {
        workload,
        host: 'directory.openbanking.example',
        port: '80',
        protocol: 'http',
        route: 'passthrough',
        via: 'no EgressNetwork covers it (egress-fallback)',
        count: 1,
      },
    ],
  },
};

describe('EgressSection', () => {
  it('lists the policy and the calls out, undeclared first, in words', async () => {
    await renderInTestApp(<EgressSection posture={withCalls} />);
    const policy = screen.getByRole('table', { name: 'Egress policy' });
    expect(within(policy).getByText('let through')).toBeInTheDocument();
    expect(within(policy).getByText(/egress-fallback/)).toBeInTheDocument();
    expect(
      within(policy).getByText('api.psp.example (443)'),
    ).toBeInTheDocument();
    const rows = within(
      screen.getByRole('table', { name: 'Calls out of the mesh' }),
    ).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('directory.openbanking.example:80');
    expect(rows[1]).toHaveTextContent('undeclared, let through');
    expect(rows[1]).toHaveTextContent('1 request');
    // Plain HTTP to a host no proxy originates TLS to leaves in plaintext.
    expect(rows[1]).toHaveTextContent('plaintext');
    expect(rows[2]).toHaveTextContent('api.psp.example:443');
    expect(rows[2]).toHaveTextContent('TLS');
    expect(rows[2]).toHaveTextContent('1,200 connections');
    expect(rows[2]).toHaveTextContent("TLS (the app's)");
  });

  it("says where the proxy originates TLS for the app's plain HTTP", async () => {
    const egress = withCalls.egress!;
    await renderInTestApp(
      <EgressSection
        posture={{
          ...withCalls,
          egress: {
            policies: [
              {
                ...egress.policies[0],
                declared: [
                  {
                    host: 'api.cardnetwork.example',
                    ports: ['HTTP 80'],
                    by: 'ServiceEntry cards/card-network',
                    tlsOriginatedBy: 'DestinationRule cards/card-network-tls',
                  },
                ],
              },
            ],
            calls: [
              {
                ...egress.calls[0],
                host: 'api.cardnetwork.example',
                port: undefined,
                protocol: 'http',
                via: 'ServiceEntry host in cards',
              },
            ],
          },
        }}
      />,
    );
    const rows = within(
      screen.getByRole('table', { name: 'Calls out of the mesh' }),
    ).getAllByRole('row');
    expect(rows[1]).toHaveTextContent("TLS (the proxy's)");
  });

  it('says when nothing called out of the mesh', async () => {
    await renderInTestApp(<EgressSection posture={healthyPosture} />);
    expect(
      screen.getByText('No call out of the mesh in the last 5m.'),
    ).toBeInTheDocument();
  });

  it('names the gap where egress was not read', async () => {
    const { egress: _egress, ...unread } = healthyPosture;
    await renderInTestApp(
      <EgressSection
        posture={{
          ...unread,
          gaps: [
            {
              topic: 'egress',
              cluster: 'prod-eu-west',
              message:
                'EgressNetwork (policy.linkerd.io) is not installed: Linkerd before 2.17 neither controls nor reports calls out of the cluster',
            },
          ],
        }}
      />,
    );
    expect(
      screen.getByText(
        /^Egress could not be read: EgressNetwork \(policy\.linkerd\.io\) is not installed/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Egress policy' }),
    ).not.toBeInTheDocument();
  });
});
