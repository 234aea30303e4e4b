#!/usr/bin/env node
/*
 * Error bodies of the built backend in production mode. Builds the backend
 * bundle (`yarn build:backend`), unpacks it as a deployment would, starts it
 * with NODE_ENV=production (SQLite in memory, the demo mesh, the guest
 * sign-in) and sends it the requests that fail: a bad query, a missing
 * entity, no credentials, a refused write, a body that is not JSON, too
 * large or in another charset, a stale write, a path that is not valid
 * percent-encoding. Every error body must be in Backstage's shape and hold
 * no stack, no file path and nothing of the body that was sent.
 *
 * Usage: node scripts/production-errors.mjs [--no-build] [--report FILE]
 * Prints one line per check and `N passed, N failed`; exits 1 on failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const reportAt = args.includes('--report')
  ? args[args.indexOf('--report') + 1]
  : undefined;
const SENT = 'sesame-7f3a';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The bundle unpacked beside the repository's installed dependencies. */
function unpack(dir) {
  const bundle = path.join(root, 'packages/backend/dist/bundle.tar.gz');
  const tar = spawnSync('tar', ['xzf', bundle, '-C', dir], {
    stdio: 'inherit',
  });
  if (tar.status !== 0) throw new Error(`could not unpack ${bundle}`);
  // The workspace packages come from the bundle, everything else from the
  // repository's node_modules (a deployment runs `yarn install` instead).
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '@mesh-posture'), { recursive: true });
  const workspaces = {};
  for (const folder of ['packages', 'plugins']) {
    for (const name of fs.readdirSync(path.join(dir, folder))) {
      const pkg = path.join(dir, folder, name);
      const { name: id } = JSON.parse(
        fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'),
      );
      workspaces[id] = pkg;
    }
  }
  for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (entry === '@mesh-posture' || workspaces[entry]) continue;
    fs.symlinkSync(
      path.join(root, 'node_modules', entry),
      path.join(modules, entry),
    );
  }
  for (const [id, pkg] of Object.entries(workspaces)) {
    fs.symlinkSync(pkg, path.join(modules, id));
  }
  // The catalog's file locations are relative to packages/backend.
  fs.symlinkSync(path.join(root, 'examples'), path.join(dir, 'examples'));
}

async function waitUntilReady(base, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the backend exited with ${child.exitCode}`);
    }
    try {
      const res = await fetch(`${base}/.backstage/health/v1/readiness`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error('the backend was not ready within 180 s');
}

const results = [];
function check(name, ok, detail) {
  results.push({ name, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
}

/** No stack, no file path, nothing sent; Backstage's error shape. */
function problemsOf(text, status) {
  const problems = [];
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return [`the body is not JSON: ${text.slice(0, 120)}`];
  }
  if (
    typeof body?.error?.name !== 'string' ||
    typeof body?.error?.message !== 'string' ||
    body?.response?.statusCode !== status
  ) {
    problems.push(`not an error body: ${text.slice(0, 160)}`);
  }
  if (/"stack"/.test(text)) problems.push('it holds a stack');
  const paths = text.match(
    /(?:[A-Za-z]:)?(?:\/[\w.@-]+){2,}\.(?:[cm]?js|ts|tsx|json|yaml|pem)\b|node_modules|\/(?:tmp|work|home|root|usr|opt|etc)\//g,
  );
  if (paths) problems.push(`it names files: ${paths.slice(0, 3).join(', ')}`);
  if (text.includes(SENT)) problems.push('it echoes what was sent');
  return problems;
}

async function main() {
  if (build) {
    console.log('=== yarn build:backend');
    const built = spawnSync('yarn', ['build:backend'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('yarn build:backend failed');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-prod-'));
  let child;
  try {
    unpack(dir);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const config = path.join(dir, 'app-config.test.yaml');
    fs.writeFileSync(
      config,
      [
        'app:',
        `  baseUrl: ${base}`,
        'backend:',
        `  baseUrl: ${base}`,
        '  listen:',
        `    port: ${port}`,
        'auth:',
        '  providers:',
        '    guest:',
        '      userEntityRef: user:default/guest',
        '      dangerouslyAllowOutsideDevelopment: true',
        '',
      ].join('\n'),
    );
    const log = fs.openSync(path.join(dir, 'backend.log'), 'w');
    child = spawn(
      process.execPath,
      ['.', '--config', path.join(root, 'app-config.yaml'), '--config', config],
      {
        cwd: path.join(dir, 'packages/backend'),
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', log, log],
        detached: true,
      },
    );
    await waitUntilReady(base, child, Date.now() + 180_000);

    const signIn = () =>
      fetch(`${base}/api/auth/guest/refresh`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      }).then(r => r.json());
    const first = await signIn();
    const auth = {
      Authorization: `Bearer ${first?.backstageIdentity?.token}`,
    };
    const api = `${base}/api/mesh-posture/v1`;
    const entity = `${api}/entities/component/default`;
    const answer = `${entity}/accounts-service/checklists/threat-model/items/operations-logged/answer`;

    // The catalog reads the example entities after the backend is ready.
    let list = {};
    for (const until = Date.now() + 90_000; Date.now() < until; ) {
      const res = await fetch(`${entity}/accounts-service/checklists`, {
        headers: auth,
      });
      list = await res.json();
      if (res.ok) break;
      await new Promise(r => setTimeout(r, 1000));
    }
    // Signed in again now that the catalog knows the guest's groups: the
    // token carries them, and the portal's policy lets owners write.
    const session = await signIn();
    const token = session?.backstageIdentity?.token;
    check(
      'the guest sign-in gives a user token',
      Boolean(token),
      JSON.stringify(session).slice(0, 200),
    );
    auth.Authorization = `Bearer ${token}`;
    const version = list.checklists?.find(
      c => c.template.id === 'threat-model',
    )?.version;
    check(
      'the demo checklists are served',
      typeof version === 'number',
      JSON.stringify(list).slice(0, 200),
    );

    const probes = [
      ['a bad window', 400, `${entity}/payments-api/posture?window=2d`, {}],
      ['a missing entity', 404, `${entity}/no-such-service/posture`, {}],
      [
        'no credentials',
        401,
        `${entity}/payments-api/posture`,
        { noAuth: true },
      ],
      [
        'a path that is not percent-encoding',
        400,
        `${entity}/%E0%A4%A/posture`,
        {},
      ],
      [
        'a body that is not JSON',
        400,
        answer,
        { method: 'PUT', body: `{"baseVersion": 1, "rationale": "${SENT}` },
      ],
      [
        'a body over 100 kB',
        413,
        answer,
        {
          method: 'PUT',
          body: JSON.stringify({
            baseVersion: version,
            value: 'no',
            rationale: `${SENT} ${'x'.repeat(150_000)}`,
          }),
        },
      ],
      [
        'a body in another charset',
        415,
        answer,
        {
          method: 'PUT',
          body: JSON.stringify({ baseVersion: version, rationale: SENT }),
          contentType: 'application/json; charset=latin1',
        },
      ],
      [
        'an invalid answer',
        400,
        answer,
        {
          method: 'PUT',
          body: JSON.stringify({ baseVersion: version, value: SENT }),
        },
      ],
      [
        'a stale answer',
        409,
        answer,
        {
          method: 'PUT',
          body: JSON.stringify({
            baseVersion: version - 1,
            value: 'no',
            rationale: SENT,
          }),
        },
      ],
      [
        'a snapshot the policy refuses the guest',
        403,
        `${api}/snapshots`,
        { method: 'POST' },
      ],
    ];
    for (const [name, status, url, o] of probes) {
      const headers = o.noAuth
        ? {}
        : { ...auth, 'Content-Type': o.contentType ?? 'application/json' };
      const res = await fetch(url, {
        method: o.method ?? 'GET',
        headers,
        body: o.body,
      });
      const text = await res.text();
      const problems = problemsOf(text, status);
      if (res.status !== status) {
        problems.unshift(`status ${res.status}, not ${status}`);
      }
      check(
        `${status} for ${name}: no stack, no paths, nothing sent`,
        problems.length === 0,
        problems.join('; '),
      );
    }
  } finally {
    if (child && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (results.some(r => !r.ok)) {
      const logFile = path.join(dir, 'backend.log');
      if (fs.existsSync(logFile)) {
        console.log('--- backend log (last 40 lines)');
        console.log(
          fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n'),
        );
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  check('the production backend runs', false, error.message);
}
const passed = results.filter(r => r.ok).length;
const failed = results.length - passed;
if (reportAt) fs.writeFileSync(reportAt, JSON.stringify({ passed, failed }));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
