import { expect, test } from './fixtures';
import fs from 'node:fs';

test('the Zero trust page lists every service worst first, filters by an owner and downloads the CSV', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  await page.getByRole('link', { name: 'Zero trust' }).click();
  await expect(page).toHaveURL(/\/zero-trust/);
  await expect(
    page.getByRole('heading', { name: 'Zero trust', exact: true }),
  ).toBeVisible();

  // The demo's first snapshot runs shortly after the backend starts.
  const rows = page.getByTestId('scorecard-row');
  await expect(async () => {
    await page.reload();
    await expect(rows.first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await expect(rows).toHaveCount(9);
  await expect(page.getByText(/^Demo data/)).toBeVisible();
  await expect(
    page.getByRole('table', { name: 'Scorecards, worst first' }),
  ).toContainText('payments-api');

  // Filter by the payments team: its five services, and only those.
  await page.getByRole('button', { name: /^Owner/ }).click();
  // Owners by their display names (the group's spec.profile.displayName).
  await page.getByRole('option', { name: 'Payments', exact: true }).click();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('listbox')).toHaveCount(0);
  await expect(page).toHaveURL(/owner=group%3Adefault%2Fpayments-team/);
  await expect(rows).toHaveCount(5);
  for (const name of [
    'payments-api',
    'ledger',
    'fraud-scoring',
    'card-issuing',
    'card-tokenizer',
  ]) {
    await expect(
      page.getByRole('table', { name: 'Scorecards, worst first' }),
    ).toContainText(name);
  }
  await expect(
    page.getByRole('table', { name: 'Scorecards, worst first' }),
  ).not.toContainText('accounts-service');

  // Every column fits at the widths our users work at: nothing scrolls.
  const table = page.getByRole('table', { name: 'Scorecards, worst first' });
  fs.mkdirSync('e2e-test-report/screenshots', { recursive: true });
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await expect
      .poll(() =>
        table.evaluate(t => t.scrollWidth - t.parentElement!.clientWidth),
      )
      .toBeLessThanOrEqual(0);
    await page.screenshot({
      path: `e2e-test-report/screenshots/zero-trust-page-${width}.png`,
      fullPage: true,
    });
    // The roll-ups, half a page each: every heading on one line.
    for (const name of ['Owner', 'System']) {
      const rollup = page.getByRole('table', { name, exact: true });
      await rollup.scrollIntoViewIfNeeded();
      await rollup.screenshot({
        path: `e2e-test-report/screenshots/zero-trust-rollup-${name.toLowerCase()}-${width}.png`,
      });
      const lines = await rollup.evaluate(t =>
        [...t.querySelectorAll('th')].map(th => {
          const range = document.createRange();
          range.selectNodeContents(th);
          return `${th.textContent}: ${
            new Set([...range.getClientRects()].map(r => Math.round(r.top)))
              .size
          }`;
        }),
      );
      expect(lines.every(l => l.endsWith(': 1'))).toBe(true);
    }
  }

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const file = await downloading;
  expect(file.suggestedFilename()).toMatch(
    /^zero-trust-scorecards-\d{4}-\d{2}-\d{2}\.csv$/,
  );
  const csv = fs.readFileSync((await file.path())!, 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toMatch(/^entity,title,owner,system/);
  expect(lines).toHaveLength(6);
  for (const line of lines.slice(1)) {
    expect(line).toContain('group:default/payments-team');
    // Every row names its service in the title column.
    expect(line).toMatch(/^component:default\/([\w-]+),\1,/);
  }

  // The certificate inventory an assessor asks for (PCI DSS v4.0
  // 4.2.1.1): every anchor, issuer, root and workload certificate, with
  // evidence ids, whoever is signed in named as its recipient.
  const inventory = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Certificate inventory' }).click();
  const certificates = await inventory;
  expect(certificates.suggestedFilename()).toMatch(
    /^certificate-inventory-\d{4}-\d{2}-\d{2}\.csv$/,
  );
  const certificateRows = fs
    .readFileSync((await certificates.path())!, 'utf8')
    .trim()
    .split('\r\n');
  expect(certificateRows[0]).toMatch(
    /^evidence_id,cluster,mesh,role,subject,issued_by,/,
  );
  const roles = new Set(certificateRows.slice(1).map(r => r.split(',')[3]));
  for (const role of ['trust-anchor', 'issuer', 'root', 'workload']) {
    expect(roles.has(role)).toBe(true);
  }
  for (const row of certificateRows.slice(1)) {
    expect(row).toMatch(/^CERT-[0-9A-F]{16},/);
    expect(row).toContain('user:default/guest');
  }
});
