import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';
import { waitUntil } from './service-process.js';

// Debian's prometheus package (2.42, which .ci/run installs) puts both binaries on the PATH.
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  const found = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(`${name} is not on the PATH: install Debian's prometheus package (apt-get install prometheus), as .ci/run does`);
  }
  return name;
}

export function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(prometheusBinary('promtool'), args, { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export type Scrape = { target: string; credentials: string; intervalSeconds: number; ruleFiles: string[] };

// A real Prometheus server on a free port, with a throwaway data folder and a configuration that scrapes
// one target's /metrics with a bearer key read from a file (never on the command line).
export class PrometheusServer {
  output = '';
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start({ target, credentials, intervalSeconds, ruleFiles }: Scrape): Promise<PrometheusServer> {
    const binary = prometheusBinary('prometheus');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kpi-prometheus-'));
    const keyFile = path.join(dir, 'kpi-admin-key');
    await writeFile(keyFile, credentials, { mode: 0o600 });
    const config = {
      global: { scrape_interval: `${intervalSeconds}s`, scrape_timeout: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s` },
      rule_files: ruleFiles,
      scrape_configs: [
        {
          job_name: 'kpi',
          metrics_path: '/metrics',
          authorization: { type: 'Bearer', credentials_file: keyFile },
          static_configs: [{ targets: [target] }],
        },
      ],
    };
    // JSON is YAML: no YAML writer needed
    await writeFile(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, dir, child, exited);
    child.stdout!.on('data', (chunk: Buffer) => (server.output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (server.output += chunk.toString('utf8')));
    try {
      await waitUntil(
        async () => (await fetch(`${server.url}/-/ready`).catch(() => undefined))?.ok === true,
        30_000,
        'Prometheus is ready',
      );
    } catch (error) {
      await server.stop();
      throw new Error(`${(error as Error).message}\n${server.output}`, { cause: error });
    }
    return server;
  }

  // GET /api/v1/<path> of the HTTP API: the `data` of a successful answer.
  async api<T>(pathAndQuery: string): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${pathAndQuery}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus refused ${pathAndQuery}: ${body.error}`);
    return body.data;
  }

  // An instant query's samples: their labels and value.
  async query(expression: string): Promise<{ metric: Record<string, string>; value: number }[]> {
    const data = await this.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      `query?query=${encodeURIComponent(expression)}`,
    );
    return data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
    await rm(this.dir, { recursive: true, force: true });
  }
}
