import { expect, test } from './fixtures';

const BACKEND = process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7007';

test('the guest, an owner in the demo, answers a checklist item and finds it and its history after a reload', async ({
  page,
}) => {
  // The guest signs in as the catalog user guest (examples/org.yaml), a
  // member of open-banking-team. Wait until the catalog has ingested that
  // user, so the sign-in carries the team's ownership.
  await expect
    .poll(
      async () => {
        const res = await page.request.get(
          `${BACKEND}/api/auth/guest/refresh`,
          {
            headers: { 'X-Requested-With': 'XMLHttpRequest' },
          },
        );
        if (!res.ok()) return [];
        const body = await res.json();
        return body?.backstageIdentity?.identity?.ownershipEntityRefs ?? [];
      },
      { timeout: 60_000, message: 'the guest user is in the catalog' },
    )
    .toContain('group:default/open-banking-team');

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  await page
    .getByRole('link', { name: 'accounts-service', exact: true })
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/accounts-service/,
  );
  await page.getByText('Compliance', { exact: true }).click();
  await expect(page).toHaveURL(/\/accounts-service\/compliance$/);

  const threatModel = page.getByRole('region', {
    name: 'Checklist Threat model',
  });
  // Partly filled by the demo's people.
  await expect(
    threatModel
      .getByRole('group', { name: 'What can go wrong?' })
      .getByText(/Notifications callback added to the model/),
  ).toBeVisible();
  await expect(page.getByText(/^Read only/)).toHaveCount(0);
  // The mesh answers the model's defence in depth, on evidence: nothing in
  // open-banking refuses undeclared destinations or isolates egress.
  const defence = threatModel.getByRole('group', {
    name: 'Data leaves the service only for declared destinations',
  });
  await expect(
    defence.getByText(
      /^Answered by the mesh \(Egress declared check\): open to undeclared destinations/,
    ),
  ).toBeVisible();
  await expect(
    threatModel
      .getByRole('group', {
        name: 'The network denies by default beneath the mesh',
      })
      .getByText(
        /egress: no NetworkPolicy selects open-banking\/accounts-service/,
      ),
  ).toBeVisible();
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await defence.scrollIntoViewIfNeeded();
    await page.screenshot({
      path: `e2e-test-report/screenshots/accounts-service-threat-model-defence-${width}.png`,
    });
  }

  const item = () =>
    page
      .getByRole('region', { name: 'Checklist Threat model' })
      .getByRole('group', { name: 'Every operation is authorized' });
  const rationale = `Admin endpoints are authorized at the gateway only (e2e ${Date.now()})`;

  await item()
    .getByRole('button', { name: /^(Answer|Change answer)$/ })
    .click();
  await item().getByLabel('Partially').check();
  await item().getByLabel('Rationale (required)').fill(rationale);
  await item().getByRole('button', { name: 'Save answer' }).click();
  await expect(item().getByText(rationale)).toBeVisible();
  await expect(item().getByRole('form')).toHaveCount(0);

  await page.reload();

  await expect(item().getByText(rationale)).toBeVisible();
  await expect(item().getByText('Partially', { exact: true })).toBeVisible();
  await expect(item().getByText(/^Answered by/)).toContainText(
    /Guest \(demo\)|guest/,
  );

  await page
    .getByRole('region', { name: 'Checklist Threat model' })
    .getByRole('button', { name: 'History' })
    .click();
  const history = page.getByRole('dialog', {
    name: 'History of Threat model',
  });
  const latest = history.getByRole('listitem').first();
  await expect(latest).toContainText(
    'Answered "Every operation is authorized"',
  );
  await expect(latest).toContainText('→ Partially');
  await expect(latest).toContainText(rationale);
  await expect(latest).toContainText(/Guest \(demo\)|guest/);
  // The seeded changes are still there, below.
  await expect(
    history.getByText(/Notifications callback added to the model/),
  ).toBeVisible();

  await page.screenshot({
    path: 'e2e-test-report/screenshots/accounts-service-compliance-history.png',
    fullPage: true,
  });
});
