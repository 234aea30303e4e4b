import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis, registerMswTestHooks } from '@backstage/test-utils';
import type {
  ChecklistView,
  EntityChecklistsResponse,
} from '@mesh-posture/plugin-mesh-posture-common';
import { threatModelTemplate } from '@mesh-posture/plugin-mesh-posture-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { SWRConfig } from 'swr';
import {
  checklistsResponse,
  completeThreatModel,
  History,
  partlyFilledThreatModel,
  PIETER,
  zeroTrustWithExemption,
} from '../../__testUtils__/checklistFixtures';
import { ComplianceTab } from './ComplianceTab';
import { TEST_BASE_URL } from '../../__testUtils__/testApi';
import { pretendNow } from '../../__testUtils__/clock';
import { plaintextCallerPosture } from '../../__testUtils__/postureFixtures';
import {
  renderOnEntityPage,
  serviceEntity,
} from '../../__testUtils__/entityPage';

// Typing into MUI fields in jsdom is slow on small machines.
jest.setTimeout(30_000);

const server = setupServer();
registerMswTestHooks(server);
// The fixtures' "now": relative times read the same on every run.
pretendNow();

const base = TEST_BASE_URL;
const LIST = `${base}/v1/entities/Component/default/accounts-service/checklists`;
const TM = `${LIST}/threat-model`;

function serveList(body: EntityChecklistsResponse) {
  server.use(http.get(LIST, () => HttpResponse.json(body)));
}

async function renderTab(options: { update?: boolean; exempt?: boolean } = {}) {
  const { update = true, exempt = false } = options;
  const permissionRequests: string[] = [];
  const permissionApi = mockApis.permission({
    authorize: request => {
      permissionRequests.push(request.permission.name);
      const allowed =
        request.permission.name === 'mesh-posture.checklist.exempt'
          ? exempt
          : update;
      return allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
    },
  });
  await renderOnEntityPage(
    // usePermission caches decisions app-wide; each test starts afresh.
    <SWRConfig value={{ provider: () => new Map() }}>
      <ComplianceTab />
    </SWRConfig>,
    {
      entity: serviceEntity('accounts-service'),
      apis: [[permissionApiRef, permissionApi]],
    },
  );
  await screen.findByText('Compliance checklists');
  return { permissionRequests };
}

const checklist = (name: string) =>
  screen.getByRole('region', { name: `Checklist ${name}` });
const itemGroup = (scope: HTMLElement, title: string) =>
  within(scope).getByRole('group', { name: title });

describe('ComplianceTab', () => {
  it("shows each checklist's progress, answers, the mesh's evidence, exemptions and attestation", async () => {
    serveList(
      checklistsResponse([
        partlyFilledThreatModel().view(),
        zeroTrustWithExemption().view(),
      ]),
    );
    const { permissionRequests } = await renderTab();
    expect(permissionRequests.sort()).toEqual([
      'mesh-posture.checklist.exempt',
      'mesh-posture.checklist.update',
    ]);
    const postureLine = screen.getByText(
      /^Automatic items are judged on the live mesh posture read/,
    );
    expect(postureLine).toHaveTextContent(
      'Automatic items are judged on the live mesh posture read just now over 5m.',
    );
    // Relative for reading, the exact UTC time on hover.
    expect(within(postureLine).getByText('just now')).toHaveAttribute(
      'title',
      '2026-11-22 10:00:00 UTC',
    );

    const tm = checklist('Threat model');
    expect(
      within(tm).getByText(
        '5 of 14 answered · 3 met · 2 gaps · 0 exempt · 9 open',
      ),
    ).toBeInTheDocument();
    expect(
      within(tm).getByRole('progressbar', { name: 'Threat model progress' }),
    ).toHaveAttribute('aria-valuenow', '36');
    expect(within(tm).getByText('Not attested yet.')).toBeInTheDocument();
    const wrong = itemGroup(tm, 'What can go wrong?');
    expect(within(wrong).getByText('Partially')).toBeInTheDocument();
    expect(
      within(wrong).getByText(/STRIDE done for the public API only/),
    ).toBeInTheDocument();
    expect(within(wrong).getByText('Gap')).toBeInTheDocument();
    const building = itemGroup(tm, 'What are we working on?');
    expect(
      within(building).getByRole('link', { name: /^Threat model/ }),
    ).toHaveAttribute('href', 'https://wiki.demo-bank.example/open-banking/tm');

    const zt = checklist('Zero-trust networking');
    const inbound = itemGroup(
      zt,
      'All inbound traffic is mutually authenticated',
    );
    expect(within(inbound).getByText('Exempt')).toBeInTheDocument();
    expect(
      within(inbound).getByText(
        /Answered by the mesh \(Inbound mTLS check\): 89\.8% of 15\.8 req\/s inbound over mTLS; plaintext from an unidentified client \(no_tls_from_remote\)/,
      ),
    ).toBeInTheDocument();
    expect(within(inbound).getByText(/^Exempt, expiring/)).toHaveTextContent(
      /^Exempt, expiring in 10 days:/,
    );
    expect(within(inbound).getByText('in 10 days')).toHaveAttribute(
      'title',
      '2026-12-02 10:00:00 UTC',
    );
    expect(
      within(zt).getByText(
        /The exemption of “All inbound traffic is mutually authenticated” expires/,
      ),
    ).toHaveTextContent(
      'The exemption of “All inbound traffic is mutually authenticated” expires in 10 days.',
    );
    // The mesh proves default-deny from the authorization it read.
    const deny = itemGroup(zt, 'Authorization is default-deny on every port');
    expect(within(deny).getByText('Met')).toBeInTheDocument();
    expect(
      within(deny).getByText(
        /^Answered by the mesh \(Default-deny authorization check\): default-deny on all 2 ports/,
      ),
    ).toBeInTheDocument();
    // Nobody was refused in the fixture's caller window.
    const refused = itemGroup(zt, 'No caller is refused by policy');
    expect(within(refused).getByText('Met')).toBeInTheDocument();
    // Nobody answers the mesh's items by hand.
    expect(
      within(inbound).queryByRole('button', { name: 'Answer' }),
    ).not.toBeInTheDocument();
  });

  it('counts one gap in the singular', async () => {
    serveList(
      checklistsResponse([
        new History(threatModelTemplate)
          .answer('what-can-go-wrong', 'no', {
            rationale: 'Not started',
          })
          .view(),
      ]),
    );
    await renderTab();
    expect(
      within(checklist('Threat model')).getByText(/answered ·/),
    ).toHaveTextContent(
      '3 of 14 answered · 2 met · 1 gap · 0 exempt · 11 open',
    );
  });

  it('is read-only, saying why, when the policy denies mesh-posture.checklist.update', async () => {
    serveList(checklistsResponse([partlyFilledThreatModel().view()]));
    await renderTab({ update: false });
    expect(
      screen.getByText(
        "Read only: the permission policy does not let you change this entity's checklists (mesh-posture.checklist.update). Its owner is open-banking-team.",
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /^(Answer|Change answer)$/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Attest' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Exempt' }),
    ).not.toBeInTheDocument();
    // History and exports stay available.
    expect(screen.getByRole('button', { name: 'History' })).toBeEnabled();
    expect(
      screen.getByRole('button', { name: 'Export Markdown' }),
    ).toBeEnabled();
  });

  it('checks an answer like the server does, then saves it and shows it', async () => {
    const history = partlyFilledThreatModel();
    serveList(checklistsResponse([history.view()]));
    const bodies: unknown[] = [];
    server.use(
      http.put(
        `${TM}/items/authz-every-operation/answer`,
        async ({ request }) => {
          const body = (await request.json()) as any;
          bodies.push(body);
          history.answer('authz-every-operation', body.value, {
            days: 0,
            rationale: body.rationale,
            evidence: body.evidence,
          });
          return HttpResponse.json(history.view());
        },
      ),
    );
    await renderTab();
    const user = userEvent.setup({ delay: null });
    const tm = checklist('Threat model');
    const row = itemGroup(tm, 'Every operation is authorized');
    await user.click(within(row).getByRole('button', { name: 'Answer' }));
    const form = within(row).getByRole('form', {
      name: 'Answer "Every operation is authorized"',
    });
    await user.click(within(form).getByLabelText('Partially'));
    await user.click(within(form).getByRole('button', { name: 'Save answer' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      'rationale is required when the answer is partial',
    );

    await user.type(
      within(form).getByLabelText('Rationale (required)'),
      'Admin endpoints still check only at the gateway',
    );
    await user.click(
      within(form).getByRole('button', { name: 'Add evidence link' }),
    );
    await user.type(
      within(form).getByLabelText('Evidence URL 1'),
      'ftp://files.example/authz.pdf',
    );
    await user.click(within(form).getByRole('button', { name: 'Save answer' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      'evidence[0]: url must be an https: or http: URL, not ftp:',
    );
    expect(bodies).toEqual([]);

    await user.clear(within(form).getByLabelText('Evidence URL 1'));
    await user.type(
      within(form).getByLabelText('Evidence URL 1'),
      'https://jira.demo-bank.example/browse/OB-240',
    );
    await user.type(within(form).getByLabelText('Evidence title 1'), 'OB-240');
    await user.click(within(form).getByRole('button', { name: 'Save answer' }));

    await waitFor(() =>
      expect(within(row).queryByRole('form')).not.toBeInTheDocument(),
    );
    expect(bodies).toEqual([
      {
        baseVersion: 3,
        value: 'partial',
        rationale: 'Admin endpoints still check only at the gateway',
        evidence: [
          {
            url: 'https://jira.demo-bank.example/browse/OB-240',
            title: 'OB-240',
          },
        ],
      },
    ]);
    expect(
      within(row).getByText(/Admin endpoints still check only at the gateway/),
    ).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: /^OB-240/ })).toBeVisible();
    expect(
      within(tm).getByText(
        '6 of 14 answered · 3 met · 3 gaps · 0 exempt · 8 open',
      ),
    ).toBeInTheDocument();
  });

  it('on a conflict shows the current state and keeps the draft, then saves on the new version', async () => {
    const mine = partlyFilledThreatModel();
    serveList(checklistsResponse([mine.view()]));
    const theirs = partlyFilledThreatModel().answer(
      'operations-logged',
      'yes',
      { actor: PIETER, days: 0 },
    );
    const bases: number[] = [];
    server.use(
      http.put(`${TM}/items/operations-logged/answer`, async ({ request }) => {
        const body = (await request.json()) as any;
        bases.push(body.baseVersion);
        if (body.baseVersion !== 4) {
          return HttpResponse.json(
            {
              error: {
                name: 'ConflictError',
                message: `The checklist "threat-model" of component:default/accounts-service changed since version 3: it is at version 4, last changed by ${PIETER}.`,
              },
              response: { statusCode: 409 },
              current: theirs.view(),
            },
            { status: 409 },
          );
        }
        theirs.answer('operations-logged', body.value, {
          days: 0,
          rationale: body.rationale,
        });
        return HttpResponse.json(theirs.view());
      }),
    );
    await renderTab();
    const user = userEvent.setup({ delay: null });
    const tm = checklist('Threat model');
    const row = itemGroup(tm, 'All operations are logged');
    await user.click(within(row).getByRole('button', { name: 'Answer' }));
    await user.click(within(row).getByLabelText('No'));
    await user.type(
      within(row).getByLabelText('Rationale (required)'),
      'Batch jobs do not log',
    );
    await user.click(within(row).getByRole('button', { name: 'Save answer' }));

    expect(
      await within(tm).findByText(
        /changed since version 3: it is at version 4, last changed by user:default\/pieter\.dejong\. Your change is still in the form/,
      ),
    ).toBeInTheDocument();
    // Their answer is shown, and the draft is still there.
    expect(
      within(row).getByText('Yes', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(within(row).getByText(/Answered by/)).toHaveTextContent(
      'pieter.dejong',
    );
    expect(within(row).getByLabelText('Rationale (required)')).toHaveValue(
      'Batch jobs do not log',
    );
    await user.click(within(row).getByRole('button', { name: 'Save answer' }));
    await waitFor(() =>
      expect(within(row).queryByRole('form')).not.toBeInTheDocument(),
    );
    expect(bases).toEqual([3, 4]);
    expect(within(row).getByText(/Batch jobs do not log/)).toBeInTheDocument();
  });

  it('lists every change in the history drawer, newest first', async () => {
    const history = partlyFilledThreatModel();
    serveList(checklistsResponse([history.view()]));
    server.use(
      http.get(`${TM}/history`, ({ request }) => {
        expect(new URL(request.url).searchParams.get('limit')).toBe('50');
        return HttpResponse.json({
          entityRef: 'component:default/accounts-service',
          templateId: 'threat-model',
          events: [...history.events].reverse(),
          hasMore: false,
        });
      }),
    );
    await renderTab();
    const user = userEvent.setup({ delay: null });
    await user.click(
      within(checklist('Threat model')).getByRole('button', {
        name: 'History',
      }),
    );
    const drawer = await screen.findByRole('dialog', {
      name: 'History of Threat model',
    });
    const changes = await within(drawer).findAllByRole('listitem');
    expect(changes).toHaveLength(3);
    expect(changes[0]).toHaveTextContent(
      /#3 · 14 days ago · .*Answered "Trust boundaries are identified and mapped to authentication and authorization": unanswered → No/,
    );
    expect(changes[0]).toHaveTextContent(
      'The notifications callback is not mapped yet',
    );
    expect(changes[2]).toHaveTextContent(/#1 · 21 days ago/);
    expect(within(changes[2]).getByText('21 days ago')).toHaveAttribute(
      'title',
      '2026-11-01 10:00:00 UTC',
    );
  });

  it('attests a complete checklist, and will not while items are open', async () => {
    const complete = completeThreatModel();
    serveList(
      checklistsResponse([complete.view(), zeroTrustWithExemption().view()]),
    );
    const bodies: unknown[] = [];
    server.use(
      http.post(`${TM}/attestations`, async ({ request }) => {
        bodies.push(await request.json());
        complete.attest({ days: 0, posture: plaintextCallerPosture });
        return HttpResponse.json(complete.view(), { status: 201 });
      }),
    );
    await renderTab();
    const user = userEvent.setup({ delay: null });
    expect(
      within(checklist('Zero-trust networking')).getByRole('button', {
        name: 'Attest',
      }),
    ).toBeDisabled();

    const tm = checklist('Threat model');
    await user.click(within(tm).getByRole('button', { name: 'Attest' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Attest “Threat model”',
    });
    await user.type(
      within(dialog).getByLabelText('Comment (optional)'),
      'Reviewed with Li',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Sign off' }));
    expect(await within(tm).findByText(/; it expires/)).toHaveTextContent(
      /just now .*; it expires in 6 months\./,
    );
    expect(within(tm).getByText('in 6 months')).toHaveAttribute(
      'title',
      '2027-05-21 10:00:00 UTC',
    );
    expect(bodies).toEqual([{ baseVersion: 12, comment: 'Reviewed with Li' }]);
  });

  it('flags a stale attestation with its reasons, and answers given to an older wording', async () => {
    const old = completeThreatModel(210).attest({
      days: 200,
      posture: plaintextCallerPosture,
    });
    const view = old.view();
    // The template's wording of one item changed since it was answered.
    const reworded: ChecklistView = {
      ...view,
      items: view.items.map(i =>
        i.itemId === 'trust-boundaries'
          ? { ...i, outcome: 'open', needsReanswer: true }
          : i,
      ),
      progress: {
        ...view.progress,
        answered: 13,
        met: 13,
        open: 1,
        needsReanswer: 1,
      },
    };
    serveList(checklistsResponse([reworded]));
    await renderTab();
    const tm = checklist('Threat model');
    expect(within(tm).getByText('Attestation stale.')).toBeInTheDocument();
    expect(
      within(tm).getByText(
        'Attested 200 days ago; attestations hold for 180 days',
      ),
    ).toBeInTheDocument();
    expect(
      within(tm).getByText(
        /1 answer was given to an earlier wording and must be given again/,
      ),
    ).toBeInTheDocument();
    expect(
      within(
        itemGroup(
          tm,
          threatModelTemplate.sections[1].items.find(
            i => i.id === 'trust-boundaries',
          )!.title,
        ),
      ).getByText(/The wording of this item changed after this answer/),
    ).toBeInTheDocument();
  });

  it('lets an approver exempt an item, recording a justification and an expiry', async () => {
    const zt = zeroTrustWithExemption();
    serveList(checklistsResponse([zt.view()]));
    const bodies: any[] = [];
    server.use(
      http.put(
        `${LIST}/zero-trust/items/default-deny/exemption`,
        async ({ request }) => {
          const body = (await request.json()) as any;
          bodies.push(body);
          zt.exempt('default-deny', body.justification, { expiresInDays: 20 });
          return HttpResponse.json(zt.view());
        },
      ),
    );
    await renderTab({ exempt: true });
    const user = userEvent.setup({ delay: null });
    const row = itemGroup(
      checklist('Zero-trust networking'),
      'Authorization is default-deny on every port',
    );
    await user.click(within(row).getByRole('button', { name: 'Exempt' }));
    await user.click(
      within(row).getByRole('button', { name: 'Save exemption' }),
    );
    expect(within(row).getByRole('alert')).toHaveTextContent(
      'justification is required',
    );
    await user.type(
      within(row).getByLabelText('Justification (required)'),
      'Server resources land with the Linkerd upgrade',
    );
    const expiry = new Date(Date.now() + 20 * 864e5).toISOString().slice(0, 10);
    fireEvent.change(within(row).getByLabelText('Expires on'), {
      target: { value: expiry },
    });
    await user.click(
      within(row).getByRole('button', { name: 'Save exemption' }),
    );
    await waitFor(() => expect(within(row).getByText('Exempt')).toBeVisible());
    expect(bodies).toEqual([
      {
        baseVersion: 2,
        justification: 'Server resources land with the Linkerd upgrade',
        expiresAt: `${expiry}T23:59:59.999Z`,
      },
    ]);
  });

  it('says when there is no mesh data', async () => {
    serveList(checklistsResponse([partlyFilledThreatModel().view(null)], null));
    await renderTab();
    expect(
      screen.getByText(
        'Automatic items have no mesh data and count as open: Prometheus is down.',
      ),
    ).toBeInTheDocument();
  });

  it('explains how to opt in when no checklist applies', async () => {
    serveList({ ...checklistsResponse([]), templatesFrom: 'none' });
    await renderTab();
    expect(
      screen.getByText('No checklist applies to this entity'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/mesh-posture\.io\/checklists annotation/),
    ).toBeInTheDocument();
  });

  it('downloads the export for auditors', async () => {
    serveList(checklistsResponse([partlyFilledThreatModel().view()]));
    server.use(
      http.get(`${LIST}/export`, ({ request }) => {
        expect(new URL(request.url).searchParams.get('format')).toBe(
          'markdown',
        );
        return new HttpResponse('# Compliance checklists', {
          headers: {
            'Content-Type': 'text/markdown; charset=utf-8',
            'Content-Disposition':
              'attachment; filename="checklists-component-default-accounts-service-2026-11-22.md"',
          },
        });
      }),
    );
    const created: Blob[] = [];
    const downloads: string[] = [];
    URL.createObjectURL = jest.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:export';
    });
    URL.revokeObjectURL = jest.fn();
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
    try {
      await renderTab();
      await userEvent
        .setup({ delay: null })
        .click(screen.getByRole('button', { name: 'Export Markdown' }));
      await waitFor(() =>
        expect(downloads).toEqual([
          'checklists-component-default-accounts-service-2026-11-22.md',
        ]),
      );
      expect(await created[0].text()).toBe('# Compliance checklists');
    } finally {
      click.mockRestore();
    }
  });

  it("downloads the entity's OSCAL assessment results", async () => {
    serveList(checklistsResponse([partlyFilledThreatModel().view()]));
    const asked: string[][] = [];
    server.use(
      http.get(`${base}/v1/oscal/assessment-results`, ({ request }) => {
        asked.push(new URL(request.url).searchParams.getAll('entityRef'));
        return new HttpResponse('{"assessment-results":{}}', {
          headers: {
            'Content-Type': 'application/json',
            'Content-Disposition':
              'attachment; filename="oscal-assessment-results-2026-11-22.json"',
          },
        });
      }),
    );
    const downloads: string[] = [];
    URL.createObjectURL = jest.fn(() => 'blob:oscal');
    URL.revokeObjectURL = jest.fn();
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
    try {
      await renderTab();
      await userEvent
        .setup({ delay: null })
        .click(screen.getByRole('button', { name: 'Export OSCAL' }));
      await waitFor(() =>
        expect(downloads).toEqual(['oscal-assessment-results-2026-11-22.json']),
      );
      expect(asked).toEqual([['component:default/accounts-service']]);
    } finally {
      click.mockRestore();
    }
  });

  it("shows the backend's message when a write is refused", async () => {
    serveList(checklistsResponse([partlyFilledThreatModel().view()]));
    server.use(
      http.put(`${TM}/items/audit-logs-tagged/answer`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message:
                'Not allowed to answer checklists of component:default/accounts-service: the permission policy denied mesh-posture.checklist.update',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await renderTab();
    const user = userEvent.setup({ delay: null });
    const row = itemGroup(checklist('Threat model'), 'Audit logs are tagged');
    await user.click(within(row).getByRole('button', { name: 'Answer' }));
    await user.click(within(row).getByLabelText('Yes'));
    await user.click(within(row).getByRole('button', { name: 'Save answer' }));
    expect(
      await screen.findByText(
        'Not allowed to answer checklists of component:default/accounts-service: the permission policy denied mesh-posture.checklist.update',
      ),
    ).toBeInTheDocument();
    // The draft stays open.
    expect(within(row).getByRole('form')).toBeInTheDocument();
  });
});

// Keeps the fixture builder honest: a History with no events is version 0.
it('builds fixtures from real histories', () => {
  expect(new History(threatModelTemplate).view().version).toBe(0);
});
