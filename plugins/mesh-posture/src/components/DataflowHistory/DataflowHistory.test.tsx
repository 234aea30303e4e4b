import { registerMswTestHooks } from '@backstage/test-utils';
import type { DataflowResponse } from '@mesh-posture/plugin-mesh-posture-common';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { pretendNow } from '../../__testUtils__/clock';
import {
  renderOnEntityPage,
  serviceEntity,
} from '../../__testUtils__/entityPage';
import { TEST_BASE_URL } from '../../__testUtils__/testApi';
import { DataflowHistory } from './DataflowHistory';

const server = setupServer();
registerMswTestHooks(server);
pretendNow();

type Flow = DataflowResponse['flows'][number];

/** fraud-scoring mid-rollout: its primary and its canary call the same peer. */
const callOf = (workload: string): Flow => ({
  evidenceId: `FLOW-${workload.length.toString(16).padStart(16, '0')}`,
  entityRef: 'component:default/fraud-scoring',
  direction: 'outbound',
  workload: { namespace: 'payments', name: workload },
  peer: {
    namespace: 'payments',
    workload: 'payments-api',
    entityRef: 'component:default/payments-api',
  },
  cluster: 'prod-eu-west',
  firstSeen: '2026-11-20T12:00:00.000Z',
  lastSeen: '2026-11-22T09:00:00.000Z',
  observations: 12,
  protocol: 'http',
  maxRequestsPerSecond: 3,
  minMtlsShare: 1,
  plaintextReasons: [],
  unverifiedReasons: [],
});

describe('DataflowHistory', () => {
  it('names the workload of each flow, so a canary and its primary are two rows', async () => {
    server.use(
      http.get(`${TEST_BASE_URL}/v1/dataflow`, () =>
        HttpResponse.json({
          from: '2026-10-23T00:00:00.000Z',
          to: '2026-11-22T23:59:59.999Z',
          runs: 12,
          flows: [
            callOf('fraud-scoring-primary'),
            callOf('fraud-scoring-canary'),
          ],
        } satisfies DataflowResponse),
      ),
    );
    const errors = jest.spyOn(console, 'error');
    await renderOnEntityPage(
      <DataflowHistory
        entity={{
          kind: 'component',
          namespace: 'default',
          name: 'fraud-scoring',
        }}
      />,
      { entity: serviceEntity('fraud-scoring') },
    );
    const flows = await screen.findByRole('table', { name: 'Observed flows' });
    const rows = within(flows).getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[1].textContent),
    ).toEqual(
      expect.arrayContaining(['fraud-scoring-primary', 'fraud-scoring-canary']),
    );
    expect(rows).toHaveLength(2);
    // React says so on the console when two rows share a key.
    expect(
      errors.mock.calls.filter(c => String(c[0]).includes('same key')),
    ).toEqual([]);
    errors.mockRestore();
  });
});
