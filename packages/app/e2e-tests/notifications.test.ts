import { expect, test } from './fixtures';
import fs from 'node:fs';

test('the guest, an owner in the demo, is notified of an expiring certificate and a regression', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  // Sent after the demo's first snapshot, a few seconds after start: the
  // sidebar's count is kept current through signals.
  const sidebarItem = page.getByRole('link', { name: /^Notifications/ });
  await expect(sidebarItem).toBeVisible();
  await sidebarItem.click();
  await expect(page).toHaveURL(/\/notifications/);

  // The page lists five at a time: each is looked for through its filter,
  // which searches titles and descriptions.
  const filter = page.getByPlaceholder('Filter');
  // accounts-service (owned by Open Banking, the guest's team) takes
  // plaintext from notifications since four days ago: inbound mTLS passed
  // before, in the demo's seeded history.
  const regression = page.getByText(
    /^accounts-service: Inbound mTLS no longer passes$/,
  );
  await expect(async () => {
    await page.reload();
    await filter.fill('Inbound mTLS no longer passes');
    await expect(regression).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  // A trust anchor, issuer or root of a cluster the team runs on, within
  // 60 days (the demo's PCI root is always 15 to 45 days from expiry).
  await filter.fill('Mesh certificates of cluster');
  await expect(
    page
      .getByText(
        /^(Trust anchor|Issuer|Root) .+ on \S+ (expires in \d+ days?|expires today|expired \d+ days? ago)$/,
      )
      .first(),
  ).toBeVisible({ timeout: 30_000 });
  await filter.fill('');

  fs.mkdirSync('e2e-test-report/screenshots', { recursive: true });
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({
      path: `e2e-test-report/screenshots/notifications-${width}.png`,
      fullPage: true,
    });
  }

  // The notification leads to what it is about.
  await filter.fill('Inbound mTLS no longer passes');
  await regression.click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/accounts-service\/zero-trust/,
  );
});
