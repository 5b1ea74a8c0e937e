import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../common/operator-error.js';
import { programOf } from './processes.js';

// Files the embedded default keeps next to its database: generated secrets and an instance lock.

// What the service writes (logs, staged parts with device ids, secrets, the demo's plan) is its
// owner's alone: files 0600, folders 0700, whichever module writes them.
export function writeOwnerOnly(): void {
  process.umask(0o077);
}

// The data folder and what lies in it, made its owner's only at every start (a folder from an older
// version may hold files other users could read). PostgreSQL keeps its cluster as it needs (0700, its
// own user's). `traversable`: PostgreSQL runs as another user (when the service runs as root), which
// must pass through the folder to its cluster, so the folder keeps --x for others, and nothing more.
export async function restrictDataDir(dataDir: string, traversable: boolean, clusterName: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, traversable ? 0o711 : 0o700);
  for (const entry of await readdir(dataDir, { withFileTypes: true })) {
    if (entry.name !== clusterName) await chmod(path.join(dataDir, entry.name), entry.isDirectory() ? 0o700 : 0o600);
  }
}

// The secret is written to a private temporary file first and then linked into place, so a concurrent
// first start never reads a half-written file: link() either publishes the whole file or finds one.
export async function readOrCreateSecret(dataDir: string, name: string): Promise<{ value: string; created: boolean }> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, name);
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const value = randomBytes(24).toString('base64url');
  await writeFile(draft, value, { mode: 0o600 });
  try {
    await link(draft, file);
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: (await readFile(file, 'utf8')).trim(), created: false };
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

export class DataDirInUseError extends OperatorError {
  constructor(dataDir: string, pid: number) {
    super(`The data folder ${dataDir} is in use by another running instance (pid ${pid}); stop it or set DATA_DIR to another folder.`);
  }
}

// One service per data folder: a second start must not open the same PostgreSQL cluster.
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = lockFile(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => unlink(file).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await assertDataDirFree(dataDir);
      await unlink(file).catch(() => undefined);
    }
  }
  throw new Error(`Could not lock the data folder ${dataDir}`);
}

// Throws when another running instance of this program (node) holds the data folder.
export async function assertDataDirFree(dataDir: string): Promise<void> {
  const owner = Number((await readFile(lockFile(dataDir), 'utf8').catch(() => '')).trim());
  if (owner > 0 && owner !== process.pid && programOf(owner) === programOf(process.pid)) throw new DataDirInUseError(dataDir, owner);
}

const lockFile = (dataDir: string) => path.join(dataDir, 'service.pid');
