import { expect, test } from './fixtures';

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
  await expect(page.getByText(/^Demo data/)).toHaveCount(1);
  // The new model calls ledger, which admits no fraud-scoring: the mesh
  // refuses the canary's calls, and the card names that side, not the
  // primary that shares its identity. Outside Progressing the canary has
  // no pods, and the card says so rather than "none refused".
  const phase = await canary
    .getByText(/^(Initialized|Progressing|Promoting|Finalising|Succeeded)$/)
    .textContent();
  const refused = canary.getByRole('table', { name: 'Refused calls' });
  if (phase === 'Progressing') {
    await expect(refused).toBeVisible({ timeout: 30_000 });
    await expect(refused.getByRole('row')).toHaveCount(2);
    await expect(refused.getByRole('row').nth(1)).toContainText(
      /^canarypayments\/ledgerserver\/ledger-grpc[\d,]+ gRPC calls?$/,
    );
  } else {
    await expect(canary.getByText(/^The canary has no pods now/)).toBeVisible({
      timeout: 30_000,
    });
  }
  const bySide = page.getByRole('table', { name: 'Primary and canary' });
  if (phase === 'Progressing') {
    await expect(bySide).toBeVisible({ timeout: 30_000 });
    await expect(bySide.getByRole('row')).toHaveCount(3);
  } else {
    // The card has answered (its SLO verdict is shown), without a side.
    const signals = page
      .locator('.MuiCard-root')
      .filter({ has: page.getByText('Golden signals', { exact: true }) });
    await expect(
      signals.getByText(/^SLO (met|at risk|breached)$/).first(),
    ).toBeVisible({ timeout: 30_000 });
    await expect(bySide).toHaveCount(0);
  }
  // The deployment rate says what it counts, beside the rollouts listed.
  await expect(
    canary.getByText(
      /\d+ of \d+ rollouts succeeded in the last 7 days: [\d.]+ deployments a week/,
    ),
  ).toBeVisible({ timeout: 90_000 });

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

  // Its Zero trust tab holds a primary and a canary of the same name: every
  // list there must keep them apart (the console fixture fails on a
  // duplicate React key).
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Zero trust', exact: true })
    .click();
  await expect(page).toHaveURL(/\/component\/fraud-scoring\/zero-trust/);
  // Each side of the rollout is named where it appears. Between rollouts
  // Flagger scales the canary to zero and only the primary runs.
  const workloads = page.getByRole('table', { name: 'Workloads' });
  await expect(workloads.getByText(/fraud-scoring-primary/)).toBeVisible();
  const sides = await workloads
    .getByText(/^Deployment payments\/fraud-scoring/)
    .count();
  for (const role of ['canary', 'primary']) {
    await expect(workloads.getByText(role, { exact: true })).toHaveCount(
      sides === 2 ? 1 : 0,
    );
  }
  await expect(
    page
      .getByRole('table', { name: 'Refused calls' })
      .getByText('canary', { exact: true }),
  ).toHaveCount(sides === 2 ? 1 : 0);
  const graph = page.getByRole('figure', { name: 'Traffic graph' });
  await expect(graph).toBeVisible();
  await expect(graph.getByText(/^mTLS · /).first()).toBeVisible();
  await graph.scrollIntoViewIfNeeded();
  await graph.screenshot({
    path: 'e2e-test-report/screenshots/fraud-scoring-traffic-graph.png',
  });
  await page.screenshot({
    path: 'e2e-test-report/screenshots/fraud-scoring-zero-trust.png',
    fullPage: true,
  });
});
