import { Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enterButton = page.getByRole('button', { name: 'Enter' });
  await expect(enterButton).toBeVisible();
  await enterButton.click();
}

function meshSecurityCard(page: Page) {
  return page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Mesh security', { exact: true }) });
}

test('a guest opens payments-api and sees its mesh security', async ({
  page,
}) => {
  await signInAsGuest(page);

  // The catalog is the landing page; open the service from it.
  await page.getByRole('link', { name: 'payments-api', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);

  const card = meshSecurityCard(page);
  await expect(card).toBeVisible();
  // One demo banner for the page, however many of the suite's cards show
  // demo data.
  await expect(page.getByText(/^Demo data/)).toHaveCount(1);
  await expect(card.getByText('Passing', { exact: true })).toBeVisible();
  await expect(card.getByText('4/4', { exact: true })).toBeVisible();
  // The ledger here, and its replica on the second cluster through a
  // multicluster gateway: both link to the ledger's entity.
  const edges = card.getByRole('table', { name: 'Traffic edges' });
  await expect(edges.getByRole('link', { name: 'ledger' })).toHaveCount(2);
  await expect(edges.getByText('on cluster prod-eu-north')).toBeVisible();

  // The score card: ready from the first load (the seeded month is stored
  // with the first snapshot), its sparkline labelled and on an axis.
  const score = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Zero-trust score', { exact: true }) });
  await expect(
    score.getByRole('figure', { name: 'Score, last 30 days' }),
  ).toBeVisible({ timeout: 90_000 });
  await expect(
    page.getByText(/No scorecard snapshot has included this service/),
  ).toHaveCount(0);

  await card.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/payments-api-mesh-security.png',
    fullPage: true,
  });
  // Each card on its own, for a reviewer.
  for (const [title, file] of [
    ['Mesh security', 'card-mesh-security'],
    ['Golden signals', 'card-golden-signals'],
    ['Zero-trust score', 'card-zero-trust-score'],
    ['Canary', 'card-canary'],
  ]) {
    const one = page
      .locator('.MuiCard-root')
      .filter({ has: page.getByText(title, { exact: true }) })
      .first();
    await one.scrollIntoViewIfNeeded();
    await one.screenshot({
      path: `e2e-test-report/screenshots/payments-api-${file}.png`,
    });
  }
});

test('the plaintext caller of accounts-service is flagged, card and tab', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page
    .getByRole('link', { name: 'accounts-service', exact: true })
    .click();

  const card = meshSecurityCard(page);
  await expect(card.getByText('Failing', { exact: true })).toBeVisible();
  const row = card
    .getByRole('table', { name: 'Traffic edges' })
    .getByRole('row')
    .filter({ hasText: 'unidentified client' });
  await expect(row.getByText('Plaintext', { exact: true })).toBeVisible();
  await expect(
    row.getByText('the client sent no TLS: it has no mesh proxy'),
  ).toBeVisible();

  // The entity's tab, not the sidebar's catalog-wide page of the same name.
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Zero trust', exact: true })
    .click();
  await expect(page).toHaveURL(/\/component\/accounts-service\/zero-trust/);
  const ports = page.getByRole('table', { name: 'Authorization by port' });
  await expect(ports.getByText('open', { exact: true }).first()).toBeVisible();
  await expect(
    page.getByText(/open to unauthenticated clients/).first(),
  ).toBeVisible();
  // The traffic graph marks the plaintext edges: the caller without a
  // proxy, and the call out to notifications, which has none either.
  const graph = page.getByRole('figure', { name: 'Traffic graph' });
  await expect(graph.locator('path[data-state="plaintext"]')).toHaveCount(2);
  await expect(graph.getByText(/^plaintext · /)).toHaveCount(2);
  await expect(graph.getByRole('link', { name: /web-frontend/ })).toHaveCount(
    1,
  );
  await page.screenshot({
    path: 'e2e-test-report/screenshots/accounts-service-zero-trust.png',
    fullPage: true,
  });
  // The flows come from the scorecard snapshots: the first lands shortly
  // after the backend starts.
  const flows = page.getByRole('table', { name: 'Observed flows' });
  await expect(async () => {
    await page.reload();
    await expect(flows).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    // Every column of the tab's widest table is in view, none cut off.
    await flows.scrollIntoViewIfNeeded();
    await flows.screenshot({
      path: `e2e-test-report/screenshots/accounts-service-flows-${width}.png`,
    });
    await expect
      .poll(() =>
        flows.evaluate(t => t.scrollWidth - t.parentElement!.clientWidth),
      )
      .toBeLessThanOrEqual(0);
    await graph.scrollIntoViewIfNeeded();
    await graph.screenshot({
      path: `e2e-test-report/screenshots/accounts-service-traffic-graph-${width}.png`,
    });
    // open-banking's NetworkPolicies isolate ingress only: egress is open.
    const network = page.getByRole('table', { name: 'Network policy' });
    await network.scrollIntoViewIfNeeded();
    await network.screenshot({
      path: `e2e-test-report/screenshots/accounts-service-network-policy-${width}.png`,
    });
    await expect
      .poll(() =>
        network.evaluate(t => t.scrollWidth - t.parentElement!.clientWidth),
      )
      .toBeLessThanOrEqual(0);
  }
  const network = page.getByRole('table', { name: 'Network policy' });
  const [, ingress, egress] = await network
    .getByRole('row')
    .nth(1)
    .getByRole('cell')
    .all();
  await expect(ingress.getByText('deny by default')).toBeVisible();
  await expect(egress.getByText('open', { exact: true })).toBeVisible();
  await expect(
    network.getByText(
      'from every pod in every namespace on TCP 8080, TCP 4143',
    ),
  ).toBeVisible();
});

test('payments-api shows its golden signals and its dependencies', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'payments-api', exact: true }).click();

  const card = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Golden signals', { exact: true }) });
  await expect(card).toBeVisible();
  await expect(page.getByText(/^Demo data/)).toHaveCount(1);
  await expect(card.getByText('Success rate', { exact: true })).toBeVisible();
  await expect(
    card.getByText(/^SLO (met|at risk|breached)$/).first(),
  ).toBeVisible();
  // Request rate, success rate and latency, drawn by the browser.
  await expect(card.locator('svg.recharts-surface').nth(2)).toBeVisible();

  await card.getByRole('button', { name: '24h' }).click();
  await expect(card.getByText(/^[\d,]+ in 24h$/)).toBeVisible();

  await card.getByRole('button', { name: 'Outbound' }).click();
  const dependencies = card.getByRole('table', { name: 'Dependencies' });
  await expect(
    dependencies.getByRole('link', { name: 'ledger' }),
  ).toBeVisible();

  await card.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/payments-api-golden-signals.png',
    fullPage: true,
  });
});

test('notifications, which runs without a proxy, is shown as not in the mesh, with how to fix it', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'notifications', exact: true }).click();
  await expect(page).toHaveURL(/\/component\/notifications/);

  const card = meshSecurityCard(page);
  await expect(card.getByText('Failing', { exact: true })).toBeVisible();
  await expect(card.getByText('0/2', { exact: true })).toBeVisible();
  const notice = card.getByRole('alert', { name: 'Not in the mesh' });
  await expect(notice).toContainText(
    'runs without a Linkerd proxy (0 of 2 pods meshed), so its own traffic cannot be observed',
  );
  await expect(notice).toContainText('linkerd.io/inject');
  // Nothing that does not apply reads as a pass, and silence is not idleness.
  await expect(card.getByLabel('Status ok')).toHaveCount(0);
  await expect(card.getByText(/no requests/i)).toHaveCount(0);

  const signals = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Golden signals', { exact: true }) });
  await expect(
    signals.getByRole('alert', { name: 'Not in the mesh' }),
  ).toBeVisible();
  await expect(signals.getByText(/no requests/i)).toHaveCount(0);
  await page.screenshot({
    path: 'e2e-test-report/screenshots/notifications-overview.png',
    fullPage: true,
  });

  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Zero trust', exact: true })
    .click();
  const checks = page.getByRole('table', { name: 'Checks' });
  await expect(checks).toBeVisible();
  await expect(checks.getByLabel('Status ok')).toHaveCount(0);
  const row = checks.getByRole('row').filter({ hasText: /default-deny/i });
  await row.getByRole('button', { name: 'How to fix' }).click();
  const howTo = page.getByRole('region', { name: /^How to fix: / });
  await expect(howTo).toContainText('apiVersion: policy.linkerd.io/v1beta3');
  await expect(howTo).toContainText('namespace: messaging');
  await page.screenshot({
    path: 'e2e-test-report/screenshots/notifications-zero-trust.png',
    fullPage: true,
  });
});

test('the Open Banking gateway calls a host nothing declares, and its Zero trust tab says where data leaves', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page
    .getByRole('link', { name: 'open-banking-gateway', exact: true })
    .click();
  await expect(page).toHaveURL(/\/component\/open-banking-gateway/);
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Zero trust', exact: true })
    .click();
  await expect(page).toHaveURL(/\/open-banking-gateway\/zero-trust/);

  // No EgressNetwork covers the TPP directory: it went out undeclared.
  const calls = page.getByRole('table', { name: 'Calls out of the mesh' });
  await expect(calls).toBeVisible({ timeout: 30_000 });
  const row = calls
    .getByRole('row')
    .filter({ hasText: 'directory.openbanking.example:80' });
  await expect(row.getByText('undeclared, let through')).toBeVisible();
  const policy = page.getByRole('table', { name: 'Egress policy' });
  await expect(policy.getByText('let through', { exact: true })).toBeVisible();
  await expect(
    page.getByText(
      /^1 undeclared destination reached in 5m: directory\.openbanking\.example:80/,
    ),
  ).toBeVisible();

  // The section's card: the one that holds the egress policy table.
  const egress = page.locator('.MuiCard-root').filter({ has: policy });
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await expect
      .poll(() =>
        calls.evaluate(t => t.scrollWidth - t.parentElement!.clientWidth),
      )
      .toBeLessThanOrEqual(0);
    await egress.last().scrollIntoViewIfNeeded();
    await egress.last().screenshot({
      path: `e2e-test-report/screenshots/open-banking-gateway-egress-${width}.png`,
    });
  }
});
