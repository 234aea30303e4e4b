import { expect, test } from '@playwright/test';

test('fraud-scoring shows its demo canary mid-rollout, with its recent rollouts', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'fraud-scoring', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/fraud-scoring/);

  const canary = page.getByRole('region', {
    name: 'Canary payments/fraud-scoring',
  });
  await expect(canary).toBeVisible({ timeout: 30_000 });
  // The demo rolls out every hour and is progressing most of it.
  await expect(
    canary.getByText(
      /^(Initialized|Progressing|Promoting|Finalising|Succeeded)$/,
    ),
  ).toBeVisible();
  await expect(canary.getByLabel('Canary weight', { exact: true })).toHaveText(
    /^Canary weight \d+% of max 50% \(step 5%\)$/,
  );
  await expect(
    canary.getByRole('table', { name: 'Analysis metrics' }),
  ).toContainText('request-success-rate');
  await expect(page.getByText(/^Demo data: these canaries/)).toBeVisible();

  // The observer records the demo's week of rollouts shortly after start.
  await expect(async () => {
    await page.reload();
    await expect(
      page
        .getByRole('region', { name: 'Canary payments/fraud-scoring' })
        .getByRole('table', { name: 'Recent rollouts' })
        .getByText('succeeded')
        .first(),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });

  await page
    .getByRole('region', { name: 'Canary payments/fraud-scoring' })
    .scrollIntoViewIfNeeded();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/fraud-scoring-canary.png',
    fullPage: true,
  });
});
