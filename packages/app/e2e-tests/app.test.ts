import { expect, Page, test } from '@playwright/test';

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
  await expect(card.getByText(/Demo data/)).toBeVisible();
  await expect(card.getByText('Passing', { exact: true })).toBeVisible();
  await expect(card.getByText('4/4', { exact: true })).toBeVisible();
  // The ledger here, and its replica on the second cluster through a
  // multicluster gateway: both link to the ledger's entity.
  const edges = card.getByRole('table', { name: 'Traffic edges' });
  await expect(edges.getByRole('link', { name: 'ledger' })).toHaveCount(2);
  await expect(edges.getByText('on cluster prod-eu-north')).toBeVisible();

  await card.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/payments-api-mesh-security.png',
    fullPage: true,
  });
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
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await graph.scrollIntoViewIfNeeded();
    await graph.screenshot({
      path: `e2e-test-report/screenshots/accounts-service-traffic-graph-${width}.png`,
    });
  }
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
  await expect(card.getByText(/Demo data/)).toBeVisible();
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
