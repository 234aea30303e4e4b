#!/usr/bin/env node
/*
 * The full test suite, as `yarn test:all` runs it for developers and CI:
 * type check, lint, formatting, API reports, unit and integration tests (database tests
 * on SQLite and PostgreSQL), the built backend's error bodies in production
 * mode, and the end-to-end test in Chromium. Ends with
 * one line `N passed, N failed[, N skipped]` and a non-zero exit on any
 * failure. A missing service fails the run: nothing is skipped for want of
 * one.
 *
 * Needs: PostgreSQL (MESH_POSTURE_TEST_POSTGRES_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres), Prometheus (`prometheus`
 * and `promtool` on PATH) and Chromium (PLAYWRIGHT_CHROMIUM, default
 * /usr/bin/chromium).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const results = [];

function record(name, passed, failed, skipped, seconds) {
  results.push({ name, passed, failed, skipped, seconds });
}

function run(command, args, env = {}) {
  return new Promise(resolve => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', code => resolve(code ?? 1));
    child.on('error', () => resolve(1));
  });
}

async function step(name, command, args, env) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const code = await run(command, args, env);
  const seconds = (Date.now() - started) / 1000;
  record(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1, 0, seconds);
  return code === 0;
}

function fail(message) {
  console.error(`\ntest:all: ${message}`);
}

/** Finds PostgreSQL and exports the connection string TestDatabases reads. */
async function preparePostgres() {
  const preset = Object.keys(process.env).find(k =>
    /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(k),
  );
  const url =
    (preset && process.env[preset]) ||
    process.env.MESH_POSTURE_TEST_POSTGRES_URL ||
    'postgresql://postgres@127.0.0.1:5432/postgres';
  const require = createRequire(
    path.join(root, 'packages/backend/package.json'),
  );
  const { Client } = require('pg');
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version_num');
    const major = Math.floor(Number(rows[0].server_version_num) / 10000);
    // TestDatabases knows PostgreSQL 13 to 18 by name; label ours truthfully.
    const id = Math.min(18, Math.max(13, major));
    // TestDatabases creates a database per test on the server: no path.
    const server = new URL(url);
    server.pathname = '';
    const env = {
      [`BACKSTAGE_TEST_DATABASE_POSTGRES${id}_CONNECTION_STRING`]: server
        .toString()
        .replace(/\/$/, ''),
      BACKSTAGE_TEST_DISABLE_DOCKER: '1',
      MESH_POSTURE_REQUIRE_POSTGRES: '1',
    };
    console.log(`PostgreSQL ${major} at ${url.replace(/\/\/[^@]*@/, '//')}`);
    return env;
  } catch (error) {
    fail(
      `PostgreSQL is required for the database tests and could not be reached at ${url.replace(
        /\/\/[^@]*@/,
        '//',
      )}: ${error.message}. ` +
        'Start one, or set MESH_POSTURE_TEST_POSTGRES_URL.',
    );
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The real-Prometheus tests need prometheus and promtool; without them the run fails. */
function preparePrometheus() {
  const found = ['prometheus', 'promtool'].every(
    bin =>
      spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' })
        .status === 0,
  );
  if (!found) {
    fail(
      'Prometheus is required for the tests against a real PromQL engine and was not found on PATH. ' +
        'Install it (Debian: apt-get install prometheus).',
    );
    return undefined;
  }
  return { MESH_POSTURE_REQUIRE_PROMETHEUS: '1' };
}

function chromiumPath() {
  const candidate = process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(candidate)) {
    fail(
      `Chromium is required for the end-to-end test and was not found at ${candidate}. ` +
        'Install it (Debian: apt-get install chromium) or set PLAYWRIGHT_CHROMIUM.',
    );
    return undefined;
  }
  return candidate;
}

async function unitAndIntegration(env) {
  const report = path.join(
    os.tmpdir(),
    `mesh-posture-jest-${process.pid}.json`,
  );
  console.log('\n=== unit and integration tests: backstage-cli repo test');
  const started = Date.now();
  const code = await run(
    'yarn',
    ['backstage-cli', 'repo', 'test', '--json', `--outputFile=${report}`],
    { ...env, CI: 'true' },
  );
  const seconds = (Date.now() - started) / 1000;
  try {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    const failedSuites = r.numRuntimeErrorTestSuites ?? 0;
    record(
      'unit and integration tests',
      r.numPassedTests,
      r.numFailedTests + failedSuites,
      r.numPendingTests + (r.numTodoTests ?? 0),
      seconds,
    );
    if (code !== 0 && r.numFailedTests + failedSuites === 0) {
      record('jest exit status', 0, 1, 0, 0);
    }
  } catch {
    record('unit and integration tests (no report)', 0, 1, 0, seconds);
  } finally {
    fs.rmSync(report, { force: true });
  }
}

/** The built backend in production mode: its error bodies (see the script). */
async function productionErrors() {
  const report = path.join(
    os.tmpdir(),
    `mesh-posture-production-${process.pid}.json`,
  );
  console.log('\n=== production backend: node scripts/production-errors.mjs');
  const started = Date.now();
  const code = await run(process.execPath, [
    'scripts/production-errors.mjs',
    '--report',
    report,
  ]);
  const seconds = (Date.now() - started) / 1000;
  try {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    record('production backend errors', r.passed, r.failed, 0, seconds);
    if (code !== 0 && r.failed === 0) {
      record('production backend exit status', 0, 1, 0, 0);
    }
  } catch {
    record('production backend errors (no report)', 0, 1, 0, seconds);
  } finally {
    fs.rmSync(report, { force: true });
  }
}

async function endToEnd(executable) {
  const report = path.join(root, 'e2e-test-report/results.json');
  fs.rmSync(report, { force: true });
  console.log('\n=== end-to-end tests: playwright test');
  const started = Date.now();
  const code = await run('yarn', ['playwright', 'test'], {
    PLAYWRIGHT_CHROMIUM: executable,
  });
  const seconds = (Date.now() - started) / 1000;
  try {
    const { stats } = JSON.parse(fs.readFileSync(report, 'utf8'));
    record(
      'end-to-end tests',
      stats.expected + stats.flaky,
      stats.unexpected,
      stats.skipped,
      seconds,
    );
    if (code !== 0 && stats.unexpected === 0) {
      record('playwright exit status', 0, 1, 0, 0);
    }
  } catch {
    record('end-to-end tests (no report)', 0, 1, 0, seconds);
  }
}

const total = Date.now();
await step('type check', 'yarn', ['tsc']);
await step('lint', 'yarn', ['backstage-cli', 'repo', 'lint']);
await step('formatting', 'yarn', ['prettier', '--check', '.']);
// The packages' public APIs as checked in (report*.api.md): a change to
// one is a change to its report, reviewed with it. Reads the declarations
// `yarn tsc` wrote above. `yarn build:api-reports` regenerates them.
await step('API reports', 'yarn', ['build:api-reports', '--ci']);

const postgresEnv = await preparePostgres();
const prometheusEnv = preparePrometheus();
if (postgresEnv && prometheusEnv) {
  await unitAndIntegration({ ...postgresEnv, ...prometheusEnv });
} else {
  record(
    'unit and integration tests (a required service is missing)',
    0,
    1,
    0,
    0,
  );
}

await productionErrors();

const chromium = chromiumPath();
if (chromium) {
  await endToEnd(chromium);
} else {
  record('end-to-end tests (Chromium missing)', 0, 1, 0, 0);
}

const sum = key => results.reduce((n, r) => n + r[key], 0);
console.log('\n=== summary');
for (const r of results) {
  console.log(
    `${r.failed ? 'FAIL' : 'ok  '} ${r.name}: ${r.passed} passed, ${
      r.failed
    } failed` +
      `${r.skipped ? `, ${r.skipped} skipped` : ''} (${r.seconds.toFixed(
        0,
      )} s)`,
  );
}
console.log(`total time ${((Date.now() - total) / 1000).toFixed(0)} s`);
const skipped = sum('skipped');
console.log(
  `${sum('passed')} passed, ${sum('failed')} failed${
    skipped ? `, ${skipped} skipped` : ''
  }`,
);
process.exit(sum('failed') > 0 ? 1 : 0);
