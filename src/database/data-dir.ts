import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../common/operator-error.js';
import { programOf } from './processes.js';

// Files the embedded default keeps next to its database: generated secrets and an instance lock.

// The secret is written to a private temporary file first and then linked into place, so a concurrent
// first start never reads a half-written file: link() either publishes the whole file or finds one.
export async function readOrCreateSecret(dataDir: string, name: string): Promise<{ value: string; created: boolean }> {
  await mkdir(dataDir, { recursive: true });
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
  await mkdir(dataDir, { recursive: true });
  const file = lockFile(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
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
