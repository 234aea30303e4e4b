import { expect, test } from '@playwright/test';

test('a guest opens payments-api and sees its mesh security', async ({
  page,
}) => {
  await page.goto('/');

  const enterButton = page.getByRole('button', { name: 'Enter' });
  await expect(enterButton).toBeVisible();
  await enterButton.click();

  // The catalog is the landing page; open the service from it.
  await page.getByRole('link', { name: 'payments-api', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);

  const card = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Mesh security', { exact: true }) });
  await expect(card).toBeVisible();
  await expect(card.getByText(/Demo data/)).toBeVisible();
  await expect(card.getByText('Passing', { exact: true })).toBeVisible();
  await expect(card.getByText('4/4', { exact: true })).toBeVisible();
  await expect(
    card.getByRole('table', { name: 'Traffic edges' }).getByRole('link', {
      name: 'ledger',
    }),
  ).toBeVisible();

  await card.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/payments-api-mesh-security.png',
    fullPage: true,
  });
});
