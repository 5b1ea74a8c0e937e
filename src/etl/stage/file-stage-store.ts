import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished as streamFinished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { StageStore } from './stage-store.js';

// Stages into a local folder. Every object is written as `<key>.partial`, fsynced, then renamed, so a
// crash never leaves a truncated file under the name a manifest lists.
export class FileStageStore implements StageStore {
  readonly location: string;

  constructor(root: string) {
    if (!path.isAbsolute(root)) throw new Error(`File stage folder must be an absolute path, got "${root}"`);
    this.location = path.resolve(root);
  }

  urlOf(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  createWriteStream(key: string): { stream: Writable; finished: Promise<void> } {
    const target = this.pathOf(key);
    const partial = `${target}.partial`;
    // sync because the caller gets the stream back synchronously; it is one cheap syscall per part
    mkdirSync(path.dirname(target), { recursive: true });
    const stream = createWriteStream(partial, { flush: true });
    const finished = streamFinished(stream).then(
      () => publish(partial, target),
      async (error: unknown) => {
        await rm(partial, { force: true });
        throw error;
      },
    );
    // the failure reaches the caller through `finished`; this keeps a caller that only awaits its own
    // pipeline from crashing the process with an unhandled rejection
    finished.catch(() => undefined);
    return { stream, finished };
  }

  async putObject(key: string, body: string): Promise<void> {
    const target = this.pathOf(key);
    const partial = `${target}.partial`;
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await writeFile(partial, body, { flush: true });
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    await publish(partial, target);
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const folder = asFolder(prefix);
    try {
      const entries = await readdir(this.pathOf(folder), { withFileTypes: true });
      return entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${folder}${entry.name}/`)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    // refusing the root keeps a bug (an empty run id) from wiping the whole stage
    if (prefix.replace(/\/+$/, '') === '') throw new Error(`File stage ${this.location} refuses to delete its whole root`);
    await rm(this.pathOf(asFolder(prefix)), { recursive: true, force: true });
  }

  private pathOf(key: string): string {
    return this.inside(path.resolve(this.location, key), key);
  }

  private inside(file: string, asGiven: string): string {
    const relative = path.relative(this.location, file);
    if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw new Error(`File stage ${this.location} refuses "${asGiven}": it is outside the stage folder`);
    }
    return file;
  }
}

// a prefix names a folder: "runs" and "runs/" both mean the folder runs
function asFolder(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

async function publish(partial: string, target: string): Promise<void> {
  await rename(partial, target);
  // fsync the folder too, or the rename itself may not survive a crash
  const folder = await open(path.dirname(target), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
