import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { readPostmasterPid } from '../../src/database/embedded-postgres.js';
import { fileURLToPath } from 'node:url';

// The built entry points, as `npm start` and the npm scripts of the command-line tasks run them (`npm test` builds first).
// Absolute, so that a child can run in a folder of its own, without the project's .env.
export const ENTRY_POINT = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const REPLAY_ENTRY_POINT = fileURLToPath(new URL('../../dist/cli/replay-callbacks.js', import.meta.url));
export const ETL_ENTRY_POINT = fileURLToPath(new URL('../../dist/cli/etl.js', import.meta.url));
export const DEMO_ENTRY_POINT = fileURLToPath(new URL('../../dist/cli/demo.js', import.meta.url));
export const WAREHOUSE_CHECK_ENTRY_POINT = fileURLToPath(new URL('../../dist/cli/warehouse-check.js', import.meta.url));

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

// The real service (or one of its commands) as a child process, with its output collected for assertions.
export class ServiceProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;

  // `env` is the child's whole environment; a variable set to undefined is left out (spawn skips it).
  constructor(env: Record<string, string | undefined>, cwd: string, entryPoint = ENTRY_POINT, args: string[] = []) {
    // no demo traffic unless a test asks for it (DEMO is on by default on the embedded default), or
    // leaves DEMO out ({ DEMO: undefined }) to see the default
    this.child = spawn(process.execPath, [entryPoint, ...args], { env: { DEMO: 'false', ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // 'close', not 'exit': only then has all of the child's output been read
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  // Resolves with the first match of `pattern` in stdout; rejects when the process ends or time runs out.
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (!this.running) throw new Error(`the service ended before printing ${pattern}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`the service did not print ${pattern} in ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
      await sleep(50);
    }
  }

  // The port of the start banner's "listening on" line: with PORT=0, the one the system chose.
  async listeningPort(timeoutMs = 30_000): Promise<number> {
    const [, port] = await this.waitForOutput(/listening on http:\/\/localhost:(\d+)/, timeoutMs);
    return Number(port);
  }

  // The exit, or an error when the process is still running after `timeoutMs`.
  async exit(timeoutMs = 10_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the service did not exit within ${timeoutMs} ms:\n${this.stderr}`)), timeoutMs);
    });
    return Promise.race([this.exited, timeout]).finally(() => clearTimeout(timer));
  }

  // For afterAll: whatever a failed test left running.
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

export { isAlive } from '../../src/database/processes.js';

// The pid and port of the embedded PostgreSQL of a service's data folder, while its pid file exists.
export async function postmaster(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const running = await readPostmasterPid(path.join(dataDir, 'postgres'));
  return running.pid > 0 ? running : undefined;
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
