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

const CREATE_LEDGER_SQL =
  'CREATE TABLE kpi_migrations (name VARCHAR(255) NOT NULL PRIMARY KEY, checksum CHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL)';

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

    // each file once, by one starter or the other: the second waited on the ledger's lock (or, for a
    // file that runs outside a transaction, on the advisory lock) and found it applied
    expect(results.flat().sort()).toEqual(expected.map((file) => file.name));
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
      expect(applied.flat().sort()).toEqual(migrationFiles('source').map((file) => file.name));
      expect(await ledger(first)).toEqual(migrationFiles('source'));
    } finally {
      await blocker.end();
    }
  });

  describe('the upgrade that gives mob.adjust its transaction column (0004, 0005)', () => {
    // an installation from before it: the first three source migrations applied, callbacks stored
    async function olderSource(): Promise<{ db: DataSource; raw: pg.Client }> {
      const db = await connect(databases.sourceUrl);
      const raw = new pg.Client({ connectionString: databases.sourceUrl });
      await raw.connect();
      await db.query(CREATE_LEDGER_SQL);
      for (const file of migrationFiles('source').slice(0, 3)) {
        await raw.query(readFileSync(path.join(SQL_ROOT, 'migrations', 'source', `${file.name}.sql`), 'utf8'));
        await raw.query('INSERT INTO kpi_migrations (name, checksum, applied_at) VALUES ($1, $2, now())', [file.name, file.checksum]);
      }
      await raw.query(
        `INSERT INTO mob.adjust (dedup_key, activity_kind, created_at, adid)
         SELECT decode(md5(n::text), 'hex'), 'session', now(), 'device-' || n FROM generate_series(1, 1000) AS n`,
      );
      return { db, raw };
    }
    const filenode = async (raw: pg.Client) => (await raw.query("SELECT pg_relation_filenode('mob.adjust') AS node")).rows[0].node;

    it('adds the column without rewriting the table, fills it for new rows only, and builds a valid index', async () => {
      const { db, raw } = await olderSource();
      try {
        const before = await filenode(raw);
        await expect(migrate(db, 'source')).resolves.toEqual([
          '0004_adjust_transaction',
          '0005_adjust_transaction_index',
          '0006_etl_run_progress',
          '0007_fit_text',
        ]);
        expect(await filenode(raw)).toBe(before);
        const [old] = (await raw.query('SELECT count(*)::int AS n FROM mob.adjust WHERE xact_id IS NULL')).rows;
        expect(old.n).toBe(1000);
        await raw.query('BEGIN');
        await raw.query(`INSERT INTO mob.adjust (dedup_key, activity_kind, created_at, adid) VALUES ('\\x01', 'session', now(), 'new')`);
        const [inserted] = (await raw.query("SELECT xact_id = pg_current_xact_id() AS own FROM mob.adjust WHERE adid = 'new'")).rows;
        await raw.query('COMMIT');
        expect(inserted.own).toBe(true);
        const [index] = (await raw.query("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'mob.adjust_xact_id'::regclass"))
          .rows;
        expect(index.valid).toBe(true);
      } finally {
        await raw.end();
      }
    });

    it('gives up on a lock held by a long transaction rather than queue the inserts behind it, and applies once it is free', async () => {
      const { db, raw } = await olderSource();
      const writer = new pg.Client({ connectionString: databases.sourceUrl });
      await writer.connect();
      try {
        // a writer's transaction holds mob.adjust for longer than the migration's lock timeout (2 s)
        await writer.query('BEGIN');
        await writer.query(
          `INSERT INTO mob.adjust (dedup_key, activity_kind, created_at, adid) VALUES ('\\x02', 'session', now(), 'held')`,
        );
        const migrated = migrate(db, 'source');
        await waitForLockWaiters(raw, 1);
        // meanwhile other inserts are held up for at most the lock timeout
        const started = Date.now();
        await raw.query(`INSERT INTO mob.adjust (dedup_key, activity_kind, created_at, adid) VALUES ('\\x03', 'session', now(), 'other')`);
        expect(Date.now() - started).toBeLessThan(2_500);
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        await writer.query('COMMIT');
        await expect(migrated).resolves.toEqual([
          '0004_adjust_transaction',
          '0005_adjust_transaction_index',
          '0006_etl_run_progress',
          '0007_fit_text',
        ]);
      } finally {
        await writer.end();
        await raw.end();
      }
    });
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
