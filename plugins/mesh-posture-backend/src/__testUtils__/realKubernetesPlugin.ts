import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './realPrometheus';

/*
 * Runs the Backstage Kubernetes plugin in a real backend process, configured
 * with clusters that point at (fake) API servers, and with a static
 * external-access token standing in for a plugin's service token.
 */

export interface RealKubernetesPlugin {
  /** Base URL of the plugin, as discovery would return it. */
  baseUrl: string;
  /** A token the plugin accepts as a service caller. */
  token: string;
  stop(): Promise<void>;
}

export async function startKubernetesPlugin(
  clusters: Array<{ name: string; url: string; serviceAccountToken: string }>,
): Promise<RealKubernetesPlugin> {
  const port = await freePort();
  const token = `mesh-posture-test-${Math.random().toString(36).slice(2)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-k8s-'));
  const config = path.join(dir, 'app-config.yaml');
  fs.writeFileSync(
    config,
    JSON.stringify({
      backend: {
        baseUrl: `http://127.0.0.1:${port}`,
        listen: { host: '127.0.0.1', port },
        database: { client: 'better-sqlite3', connection: ':memory:' },
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: { token, subject: 'mesh-posture-test' },
            },
          ],
        },
      },
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: clusters.map(c => ({
              ...c,
              authProvider: 'serviceAccount',
              skipTLSVerify: true,
            })),
          },
        ],
      },
    }),
  );
  let output = '';
  const child = spawn(
    process.execPath,
    [path.join(__dirname, 'kubernetesPluginBackend.js'), '--config', config],
    {
      // Inside the monorepo: the backend looks for its package.json upwards.
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, NODE_ENV: 'development', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', d => (output += d));
  child.stderr?.on('data', d => (output += d));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `backend exited with ${child.exitCode}: ${output.slice(-3000)}`,
      );
    }
    try {
      const res = await fetch(`${base}/.backstage/health/v1/readiness`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`backend did not become ready: ${output.slice(-3000)}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }

  return {
    baseUrl: `${base}/api/kubernetes`,
    token,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
