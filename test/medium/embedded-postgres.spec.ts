import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { isAlive, postmaster, waitUntil } from '../support/service-process.js';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe(EmbeddedPostgres.name, () => {
  let dir: string;
  let server: EmbeddedPostgres;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kpi-embedded-'));
    server = new EmbeddedPostgres(path.join(dir, 'postgres'), 'embedded-password', ['-c', 'fsync=off']);
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a cluster in an empty folder and keeps its data across a restart', async () => {
    await server.start();
    await query(server.url, 'CREATE TABLE kept (id INT); INSERT INTO kept VALUES (7)');
    await server.stop();

    await server.start();

    await expect(query(server.url, 'SELECT id FROM kept')).resolves.toEqual([{ id: 7 }]);
  });

  it('keeps WAL for crash recovery only (minimal level, no senders), and the flags it was given', async () => {
    await expect(
      query(
        server.url,
        "SELECT current_setting('wal_level') AS wal_level, current_setting('max_wal_senders') AS senders, current_setting('fsync') AS fsync",
      ),
    ).resolves.toEqual([{ wal_level: 'minimal', senders: '0', fsync: 'off' }]);
  });

  it('stops at once when its server was already killed, instead of waiting for it forever', async () => {
    const { pid } = (await postmaster(dir))!;
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid), 10_000, 'the killed server is gone');

    await expect(server.stop()).resolves.toBeUndefined();
  }, 15_000);

  it('starts again on the folder of a killed server', async () => {
    await server.start();
    await expect(query(server.url, 'SELECT id FROM kept')).resolves.toEqual([{ id: 7 }]);
  });
});
