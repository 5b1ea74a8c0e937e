import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readOrCreateSecret } from '../../src/database/data-dir.js';

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
