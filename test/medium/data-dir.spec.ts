import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readOrCreateSecret, restrictDataDir } from '../../src/database/data-dir.js';

describe(readOrCreateSecret.name, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kpi-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a private secret once and returns the same one afterwards', async () => {
    const first = await readOrCreateSecret(dir, 'api-key');
    const again = await readOrCreateSecret(dir, 'api-key');
    expect(first.created).toBe(true);
    expect(again).toEqual({ value: first.value, created: false });
    expect((await stat(path.join(dir, 'api-key'))).mode & 0o777).toBe(0o600);
  });

  it('gives every concurrent first caller the same complete secret and leaves no draft behind', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => readOrCreateSecret(dir, 'api-key')));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.value)).size).toBe(1);
    expect(results[0].value).toMatch(/^[\w-]{32}$/);
    expect(await readdir(dir)).toEqual(['api-key']);
  });
});

describe(restrictDataDir.name, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kpi-data-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const modeOf = async (name = '') => ((await stat(path.join(dir, name))).mode & 0o777).toString(8);

  // a data folder of an older version, written with the usual umask 022
  async function olderFolder(): Promise<void> {
    await chmod(dir, 0o755);
    await writeFile(path.join(dir, 'postgres.log'), 'log', { mode: 0o644 });
    await mkdir(path.join(dir, 'stage', 'runs'), { recursive: true, mode: 0o755 });
    await mkdir(path.join(dir, 'postgres'), { mode: 0o750 });
  }

  it('makes the folder and what lies in it its owner’s only, leaving PostgreSQL’s cluster as it is', async () => {
    await olderFolder();
    await restrictDataDir(dir, false, 'postgres');
    expect([await modeOf(), await modeOf('postgres.log'), await modeOf('stage'), await modeOf('postgres')]).toEqual([
      '700',
      '600',
      '700',
      '750',
    ]);
  });

  it('leaves the folder passable (--x) when PostgreSQL runs as another user, nothing more', async () => {
    await olderFolder();
    await restrictDataDir(dir, true, 'postgres');
    expect([await modeOf(), await modeOf('postgres.log')]).toEqual(['711', '600']);
  });

  it('creates a missing folder owner-only', async () => {
    const fresh = path.join(dir, 'new');
    await restrictDataDir(fresh, false, 'postgres');
    expect(((await stat(fresh)).mode & 0o777).toString(8)).toBe('700');
  });
});
