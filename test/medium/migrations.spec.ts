import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config.js';
import { Connections } from '../../src/database/connections.js';
import { migrate, type MigrationSet } from '../../src/database/migrator.js';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { listSqlFiles } from '../../src/database/sql-catalog.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';

// Resolves once `count` other sessions of the database wait for a lock (the blocker's transaction).
async function waitForLockWaiters(client: pg.Client, count: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    // inside a transaction, pg_stat_activity would keep showing its first snapshot
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    );
    if (rows[0].n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} sessions ever waited for the lock`);
}

type LedgerRow = { name: string; checksum: string };

// What the migrator should apply: every numbered file of the set, in order, with its checksum.
function migrationFiles(set: MigrationSet): LedgerRow[] {
  return listSqlFiles(path.join(SQL_ROOT, 'migrations', set)).map((file) => ({
    name: path.basename(file, '.sql'),
    checksum: createHash('sha256').update(readFileSync(file, 'utf8')).digest('hex'),
  }));
}

describe('migrate', () => {
  const opened: DataSource[] = [];
  const created: TestDatabases[] = [];
  let databases: TestDatabases;

  async function connect(url: string): Promise<DataSource> {
    const db = await new DataSource({ type: 'postgres', url, poolSize: 2 }).initialize();
    opened.push(db);
    return db;
  }

  const ledger = (db: DataSource): Promise<LedgerRow[]> => db.query('SELECT name, checksum FROM kpi_migrations ORDER BY name');

  beforeEach(async () => {
    databases = await createTestDatabases();
    created.push(databases);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  });
  afterAll(async () => {
    await Promise.all(created.map((pair) => pair.drop()));
  });

  it('applies every source migration once on a fresh database and records it with its checksum', async () => {
    const db = await connect(databases.sourceUrl);
    const expected = migrationFiles('source');
    expect(expected.length).toBeGreaterThan(0);

    await expect(migrate(db, 'source')).resolves.toEqual(expected.map((file) => file.name));

    expect(await ledger(db)).toEqual(expected);
    // the schema the first migration creates is really there
    await expect(db.query('SELECT count(*)::int AS n FROM mob.etl_run')).resolves.toEqual([{ n: 0 }]);
  });

  it('applies the warehouse migrations of the PostgreSQL stand-in to the warehouse database', async () => {
    const db = await connect(databases.warehouseUrl);
    const expected = migrationFiles('warehouse/postgres');

    await expect(migrate(db, 'warehouse/postgres')).resolves.toEqual(expected.map((file) => file.name));

    expect(await ledger(db)).toEqual(expected);
    await expect(db.query("SELECT nspname FROM pg_namespace WHERE nspname = 'stg'")).resolves.toEqual([{ nspname: 'stg' }]);
  });

  it('applies nothing on a restart and leaves the ledger as it was', async () => {
    const db = await connect(databases.sourceUrl);
    await migrate(db, 'source');
    const before: (LedgerRow & { applied_at: Date })[] = await db.query(
      'SELECT name, checksum, applied_at FROM kpi_migrations ORDER BY name',
    );

    await expect(migrate(db, 'source')).resolves.toEqual([]);

    await expect(db.query('SELECT name, checksum, applied_at FROM kpi_migrations ORDER BY name')).resolves.toEqual(before);
  });

  it('applies each file exactly once when two replicas start at the same time', async () => {
    const [first, second] = await Promise.all([connect(databases.sourceUrl), connect(databases.sourceUrl)]);
    const expected = migrationFiles('source');

    const results = await Promise.all([migrate(first, 'source'), migrate(second, 'source')]);

    // one starter applied everything, the other waited on the ledger lock and found nothing to do
    expect([...results].sort((a, b) => b.length - a.length)).toEqual([expected.map((file) => file.name), []]);
    expect(await ledger(first)).toEqual(expected);
  });

  it('waits for a replica that is creating the ledger at the same moment instead of failing', async () => {
    // a third starter has created the ledger table but not committed yet: both starters below pass
    // IF NOT EXISTS and then wait for it, which is the window where two fresh starts collide
    const blocker = new pg.Client({ connectionString: databases.sourceUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(
        'CREATE TABLE kpi_migrations (name VARCHAR(255) NOT NULL PRIMARY KEY, checksum CHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL)',
      );
      const [first, second] = await Promise.all([connect(databases.sourceUrl), connect(databases.sourceUrl)]);
      const runs = Promise.allSettled([migrate(first, 'source'), migrate(second, 'source')]);
      await waitForLockWaiters(blocker, 2);
      await blocker.query('COMMIT');

      const results = await runs;

      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
      const applied = results.map((result) => (result as PromiseFulfilledResult<string[]>).value);
      expect(applied.sort((a, b) => b.length - a.length)).toEqual([migrationFiles('source').map((file) => file.name), []]);
      expect(await ledger(first)).toEqual(migrationFiles('source'));
    } finally {
      await blocker.end();
    }
  });

  it('refuses to run when an applied migration file was changed afterwards', async () => {
    const db = await connect(databases.sourceUrl);
    await migrate(db, 'source');
    const [first] = migrationFiles('source');
    await db.query('UPDATE kpi_migrations SET checksum = $1 WHERE name = $2', ['0'.repeat(64), first.name]);

    await expect(migrate(db, 'source')).rejects.toThrow(
      `Migration source/${first.name}.sql was changed after it was applied; add a new migration instead`,
    );
  });

  it('stops the start of the service when an applied migration was changed', async () => {
    const config = loadConfig({
      DATABASE_URL: databases.sourceUrl,
      WAREHOUSE_URL: databases.warehouseUrl,
      ADMIN_API_KEYS: 'admin-key-0123456789abcdef',
      CALLBACK_TOKEN: 'none',
    });
    const connections = await Connections.open(config);
    await connections.close();
    const db = await connect(databases.warehouseUrl);
    const [first] = migrationFiles('warehouse/postgres');
    await db.query('UPDATE kpi_migrations SET checksum = $1 WHERE name = $2', ['f'.repeat(64), first.name]);

    await expect(Connections.open(config)).rejects.toThrow(/^Migration warehouse\/postgres\/.+ was changed after it was applied/);
  });
});
