/*
 * The entity page as a browser asks for it, through the HTTP API of a
 * running backend (scripts/bench/benchBackend.ts: catalog, Kubernetes plugin,
 * Mesh Posture) in a process of its own, reading a real Prometheus and the
 * stand-in Kubernetes API: posture, golden signals and canary, cold (each
 * entity asked for the first time, so no cache holds it) and warm (the same
 * entity again within the cache's lifetime), beside a catalog read.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startFakeKubernetesApi } from '../../src/__testUtils__/fakeKubernetesApi';
import { freePort } from '../../src/__testUtils__/realPrometheus';
import {
  ManyServicesLayout,
  manyServicesEntity,
  manyServicesObjects,
} from '../../src/__testUtils__/manyServices';

export interface PageFigures {
  samples: number;
  namespaceServices: number;
  firstCallMs: number;
  rows: Array<{
    name: string;
    p50: number;
    p95: number;
    max: number;
    bytes: number;
  }>;
}

/** Requests per figure; cold ones each go to another entity. */
const SAMPLES = 40;
/** Entities in the catalog: enough for every cold request, all in team-0. */
const CATALOG_ENTITIES = 4 * SAMPLES + 10;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)],
  );
}

export async function measureEntityPage(options: {
  prometheusUrl: string;
  layout: ManyServicesLayout;
  services: number;
  work: string;
}): Promise<PageFigures> {
  const { layout, services, work } = options;
  const k8sToken = 'bench-kubernetes-token';
  const kubernetes = await startFakeKubernetesApi({
    objects: manyServicesObjects(services, layout),
    token: k8sToken,
  });
  const port = await freePort();
  const token = 'mesh-posture-bench-token';
  const entitiesFile = path.join(work, 'entities.yaml');
  fs.writeFileSync(
    entitiesFile,
    Array.from({ length: CATALOG_ENTITIES }, (_, i) => {
      // The catalog computes relations from spec; a file holds none.
      const { relations: _computed, ...entity } = manyServicesEntity(i);
      return JSON.stringify(entity);
    }).join('\n---\n'),
  );
  const config = path.join(work, 'bench-config.yaml');
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
              options: { token, subject: 'mesh-posture-bench' },
            },
          ],
        },
      },
      catalog: {
        rules: [{ allow: ['Component'] }],
        locations: [{ type: 'file', target: entitiesFile }],
      },
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'prod',
                url: kubernetes.url,
                authProvider: 'serviceAccount',
                serviceAccountToken: k8sToken,
                skipTLSVerify: true,
              },
            ],
          },
        ],
      },
      meshPosture: {
        clusters: [
          {
            name: 'prod',
            mesh: 'linkerd',
            prometheus: { url: options.prometheusUrl },
          },
        ],
        // The scheduled snapshot stays out of the page's figures.
        snapshot: { initialDelay: { hours: 6 } },
      },
    }),
  );
  let output = '';
  const child = spawn(
    process.execPath,
    [
      '-r',
      'sucrase/register',
      path.join(__dirname, 'benchBackend.ts'),
      '--config',
      config,
    ],
    {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, NODE_ENV: 'production', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Keep what went wrong, not the request log.
  const keep = (d: Buffer) => {
    for (const line of String(d).split('\n')) {
      if (/"level":"(warn|error)"|Error/.test(line)) {
        output = `${output}\n${line}`.slice(-6000);
      }
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const get = async (url: string) => {
    const started = performance.now();
    const res = await fetch(`${base}${url}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = await res.arrayBuffer();
    const ms = performance.now() - started;
    if (!res.ok) {
      throw new Error(
        `${url}: ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`,
      );
    }
    return { ms, bytes: body.byteLength, body };
  };
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`backend exited with ${child.exitCode}: ${output}`);
      }
      try {
        const last = `/api/catalog/entities/by-name/component/default/svc-${
          CATALOG_ENTITIES - 1
        }`;
        if (
          (
            await fetch(`${base}${last}`, {
              headers: { Authorization: `Bearer ${token}` },
            })
          ).ok
        )
          break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`backend not ready: ${output}`);
      await new Promise(r => setTimeout(r, 500));
    }

    const page = (i: number, part: string) =>
      `/api/mesh-posture/v1/entities/component/default/svc-${i}/${part}`;
    const rows: PageFigures['rows'] = [];
    const measure = async (name: string, urls: string[]) => {
      const times: number[] = [];
      let bytes = 0;
      for (const url of urls) {
        const r = await get(url);
        times.push(r.ms);
        bytes = Math.max(bytes, r.bytes);
      }
      rows.push({
        name,
        p50: percentile(times, 0.5),
        p95: percentile(times, 0.95),
        max: Math.round(Math.max(...times)),
        bytes,
      });
    };
    const range = (from: number) =>
      Array.from({ length: SAMPLES }, (_, i) => from + i);
    const again = (i: number) => Array.from({ length: SAMPLES }, () => i);

    // The first posture call after start: no stall before its first read.
    const first = await get(page(0, 'posture'));
    await measure(
      'catalog read',
      range(1).map(
        i => `/api/catalog/entities/by-name/component/default/svc-${i}`,
      ),
    );
    await measure(
      'posture cold',
      range(1).map(i => page(i, 'posture')),
    );
    await measure(
      'posture warm',
      again(1).map(i => page(i, 'posture')),
    );
    await measure(
      'signals cold',
      range(SAMPLES + 1).map(i => page(i, 'signals')),
    );
    await measure(
      'signals warm',
      again(SAMPLES + 1).map(i => page(i, 'signals')),
    );
    await measure(
      'canary cold',
      range(2 * SAMPLES + 1).map(i => page(i, 'canary')),
    );
    await measure(
      'canary warm',
      again(2 * SAMPLES + 1).map(i => page(i, 'canary')),
    );
    return {
      samples: SAMPLES,
      namespaceServices: Math.min(services, layout.perNamespace ?? services),
      firstCallMs: Math.round(first.ms),
      rows,
    };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await kubernetes.stop();
  }
}
