import { screen, within } from '@testing-library/react';
import {
  crossClusterPosture,
  overGrantedPosture,
  plaintextCallerPosture,
} from '../../__testUtils__/postureFixtures';
import {
  renderOnEntityPage,
  serviceEntity,
} from '../../__testUtils__/entityPage';
import { TrafficGraph } from './TrafficGraph';
import { trafficGraphOf } from './trafficGraphModel';

// jsdom lays out no SVG: DependencyGraph measures its nodes and labels.
beforeAll(() => {
  (window.SVGElement.prototype as any).getBBox = () => ({
    x: 0,
    y: 0,
    width: 120,
    height: 20,
  });
});

describe('trafficGraphOf', () => {
  it('draws the callers one hop out, marked by what was proved of each', () => {
    const { nodes, links } = trafficGraphOf(plaintextCallerPosture);
    expect(nodes.map(n => [n.name, n.own])).toEqual([
      ['accounts-service', true],
      ['unidentified client', false],
      ['web-frontend', false],
    ]);
    expect(links.map(l => [l.state, l.text]).sort()).toEqual([
      ['mtls', 'mTLS · 14.2 req/s'],
      ['plaintext', 'plaintext · 1.6 req/s'],
    ]);
    // Inbound edges point at the service.
    expect(links.every(l => l.to === 'own:open-banking/accounts-service')).toBe(
      true,
    );
  });

  it('adds refused callers, and names a peer on another cluster', () => {
    const denied = trafficGraphOf(overGrantedPosture).links.filter(
      l => l.state === 'denied',
    );
    expect(denied.map(l => l.text)).toEqual(['refused 1,210× in 7d']);
    const remote = trafficGraphOf(crossClusterPosture).nodes.find(
      n => n.name === 'open-banking-gateway',
    );
    expect(remote?.detail).toBe('cluster prod-eu-2');
  });
});

describe('two edges between the same nodes', () => {
  const fraudScoring = 'component:default/fraud-scoring';
  // payments-api calls fraud-scoring's canary (plaintext) and its primary.
  const [edge] = plaintextCallerPosture.edges.filter(
    e => e.peer.workload === 'web-frontend',
  );
  const posture = {
    ...plaintextCallerPosture,
    edges: [
      {
        ...edge,
        peer: {
          ...edge.peer,
          workload: 'fraud-scoring-primary',
          entityRef: fraudScoring,
        },
      },
      {
        ...edge,
        peer: {
          ...edge.peer,
          workload: 'fraud-scoring',
          entityRef: fraudScoring,
        },
        requestsPerSecond: 4.7,
        mtlsShare: 0,
        plaintextReasons: ['no_tls_from_remote'],
      },
    ],
  };

  it('are one edge, drawn as the worse of them and labelled with both', () => {
    const { links } = trafficGraphOf(posture);
    expect(links).toEqual([
      {
        from: `peer:|${fraudScoring}`,
        to: 'own:open-banking/accounts-service',
        state: 'plaintext',
        text: 'plaintext · 4.7 req/s; mTLS · 14.2 req/s',
      },
    ]);
  });

  it('are drawn once, with no duplicate key', async () => {
    const errors = jest.spyOn(console, 'error');
    await renderOnEntityPage(<TrafficGraph posture={posture} />, {
      entity: serviceEntity('accounts-service'),
    });
    const figure = screen.getByRole('figure', { name: 'Traffic graph' });
    const labels = await within(figure).findAllByTestId('traffic-graph-label');
    expect(labels.map(l => l.textContent)).toEqual([
      'plaintext · 4.7 req/s; mTLS · 14.2 req/s',
    ]);
    expect(
      errors.mock.calls.filter(args => String(args[0]).includes('same key')),
    ).toEqual([]);
    errors.mockRestore();
  });
});

describe('TrafficGraph', () => {
  it('renders each edge with its label and colour, and links peers to their entities', async () => {
    await renderOnEntityPage(
      <TrafficGraph posture={plaintextCallerPosture} />,
      {
        entity: serviceEntity('accounts-service'),
      },
    );
    const figure = screen.getByRole('figure', { name: 'Traffic graph' });
    // DependencyGraph loads lazily.
    const labels = await within(figure).findAllByTestId('traffic-graph-label');
    expect(labels.map(l => l.textContent).sort()).toEqual([
      'mTLS · 14.2 req/s',
      'plaintext · 1.6 req/s',
    ]);
    const states = Array.from(figure.querySelectorAll('path[data-state]')).map(
      p => p.getAttribute('data-state'),
    );
    expect(states.sort()).toEqual(['mtls', 'plaintext']);
  });

  it('links a peer to its entity', async () => {
    const linked = {
      ...plaintextCallerPosture,
      edges: plaintextCallerPosture.edges.map(e =>
        e.peer.workload === 'web-frontend'
          ? {
              ...e,
              peer: { ...e.peer, entityRef: 'component:default/web-frontend' },
            }
          : e,
      ),
    };
    await renderOnEntityPage(<TrafficGraph posture={linked} />, {
      entity: serviceEntity('accounts-service'),
    });
    const link = await screen.findByRole('link', { name: 'web-frontend' });
    expect(link.getAttribute('href')).toBe(
      '/catalog/default/component/web-frontend',
    );
  });
});
