import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/*
 * End-to-end tests run in the system's Chromium (Debian's `chromium`):
 * Playwright cannot download browsers here. Set PLAYWRIGHT_CHROMIUM to use
 * another Chromium or Chrome binary.
 */
const executablePath = process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  timeout: 90_000,

  expect: {
    timeout: 30_000,
  },

  // Start the portal (app on :3000, backend on :7007) unless it already runs.
  // CI starts nothing else, so this is how the tests get their servers.
  webServer: [
    {
      command: 'yarn start app',
      url: 'http://localhost:3000',
      reuseExistingServer: true,
      timeout: 300_000,
    },
    {
      command: 'yarn start backend',
      url: 'http://localhost:7007/.backstage/health/v1/readiness',
      reuseExistingServer: true,
      timeout: 300_000,
    },
  ],

  forbidOnly: !!process.env.CI,

  retries: process.env.CI ? 1 : 0,

  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report/html' }],
    ['json', { outputFile: 'e2e-test-report/results.json' }],
  ],

  use: {
    actionTimeout: 0,
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'on-first-retry',
  },

  outputDir: 'node_modules/.cache/e2e-test-results',

  projects: generateProjects().map(project => ({
    ...project,
    use: {
      ...project.use,
      channel: undefined,
      launchOptions: {
        executablePath,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      },
    },
  })),
});
