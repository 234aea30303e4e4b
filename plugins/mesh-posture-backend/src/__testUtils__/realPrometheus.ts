import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * A real Prometheus for tests: series written as OpenMetrics are backfilled
 * with `promtool tsdb create-blocks-from openmetrics`, and a Prometheus
 * started on a free loopback port serves them through the real HTTP API and
 * PromQL engine. Needs `prometheus` and `promtool` on PATH (Debian package
 * `prometheus`). Without them the tests are skipped locally, but fail when
 * MESH_POSTURE_REQUIRE_PROMETHEUS=1 (the full test run and CI set it).
 */

export interface RealPrometheus {
  url: string;
  stop(): Promise<void>;
}

function which(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

export function prometheusAvailable(): boolean {
  const available = which('prometheus') && which('promtool');
  if (!available && process.env.MESH_POSTURE_REQUIRE_PROMETHEUS === '1') {
    throw new Error(
      'MESH_POSTURE_REQUIRE_PROMETHEUS=1 but prometheus/promtool are not on PATH (Debian: apt-get install prometheus)',
    );
  }
  return available;
}

function describeIfPrometheus(): jest.Describe {
  // Benchmark scripts import this module outside jest, without `describe`.
  if (typeof describe === 'undefined') return undefined as never;
  return prometheusAvailable() ? describe : describe.skip;
}

/** `describe` when a real Prometheus can run here, `describe.skip` otherwise. */
export const describeWithPrometheus = describeIfPrometheus();

/** A loopback port nothing listens on, for a server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with ${child.exitCode}: ${log()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`prometheus did not become ready: ${log()}`);
}

/**
 * Writes the series of one OpenMetrics file into blocks under `tsdb`.
 * Several files may go into one `tsdb` (the benchmark backfills in parts,
 * so promtool's memory stays bounded by one part); Prometheus merges the
 * overlapping blocks.
 */
export function backfillOpenMetrics(file: string, tsdb: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', file, tsdb],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', d => (output = (output + d).slice(-4000)));
    child.stderr?.on('data', d => (output = (output + d).slice(-4000)));
    child.on('error', reject);
    child.on('exit', code =>
      code === 0
        ? resolve()
        : reject(new Error(`promtool failed (${code}): ${output}`)),
    );
  });
}

/** Starts Prometheus on blocks already written to `tsdb`. */
export async function servePrometheus(
  tsdb: string,
  options: {
    /** Prometheus logs every query here with its timings (JSON lines). */
    queryLogFile?: string;
  } = {},
): Promise<RealPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-prom-'));
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    options.queryLogFile
      ? `global:\n  query_log_file: ${JSON.stringify(options.queryLogFile)}\n`
      : 'global: {}\n',
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(
    'prometheus',
    [
      `--storage.tsdb.path=${tsdb}`,
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=3650d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', d => (output = (output + d).slice(-4000)));
  child.stderr?.on('data', d => (output = (output + d).slice(-4000)));
  await waitReady(url, child, () => output.slice(-2000));

  return {
    url,
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

/** Backfills the OpenMetrics text and starts Prometheus on it. */
export async function startPrometheus(
  openMetrics: string,
): Promise<RealPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-prom-'));
  const data = path.join(dir, 'data.om');
  const tsdb = path.join(dir, 'tsdb');
  fs.writeFileSync(data, openMetrics);
  await backfillOpenMetrics(data, tsdb);
  fs.rmSync(data);
  const prometheus = await servePrometheus(tsdb);
  return {
    url: prometheus.url,
    async stop() {
      await prometheus.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
