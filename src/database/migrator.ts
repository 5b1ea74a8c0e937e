import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource, QueryRunner } from 'typeorm';
import { OperatorError } from '../common/operator-error.js';
import { listSqlFiles } from './sql-catalog.js';
import { SQL_ROOT } from './project-paths.js';

export type MigrationSet = 'source' | 'warehouse/postgres' | 'warehouse/redshift';

// Named for this service: the source may be an application's own database, with its own schema_migrations.
const CREATE_LEDGER =
  'CREATE TABLE IF NOT EXISTS kpi_migrations (name VARCHAR(255) NOT NULL PRIMARY KEY, checksum CHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL)';

// A file that starts with this line runs outside a transaction, one statement at a time: CREATE INDEX
// CONCURRENTLY (which never blocks the collector's inserts) refuses to run inside one. Source only.
export const OUTSIDE_TRANSACTION = '-- migrate: outside a transaction';
// Serialises such files across replicas, as the ledger's LOCK does for the others (any constant works).
const OUTSIDE_TRANSACTION_LOCK = '7326510045413';
// A migration that waits for a lock on a busy table gives up after its own lock_timeout rather than
// queueing every insert behind it; the whole batch is then tried again after a pause.
const LOCK_TIMEOUT_ATTEMPTS = 5;
const LOCK_TIMEOUT_RETRY_MS = 2_000;
const ADVISORY_LOCK_RETRY_MS = 100;

type Migration = { name: string; sql: string; checksum: string; outsideTransaction: boolean };

// Applies the numbered files of sql/migrations/<set>/ that this database has not seen, in order. Runs of
// ordinary files go in one transaction that first locks the ledger table: concurrent starters wait, then
// find nothing to do. LOCK and transactional DDL work on both PostgreSQL and Redshift (which has no
// advisory locks).
export async function migrate(db: DataSource, set: MigrationSet): Promise<string[]> {
  const migrations = listSqlFiles(path.join(SQL_ROOT, 'migrations', set)).map(readMigration);
  // IF NOT EXISTS is not atomic: of two starters on a fresh database one fails on the catalog's unique
  // index once the other has committed the table, so its second attempt finds the table there.
  await db.query(CREATE_LEDGER).catch(() => db.query(CREATE_LEDGER));
  const applied: string[] = [];
  for (const batch of batches(migrations)) {
    if (batch[0].outsideTransaction) {
      if (set === 'warehouse/redshift') throw new Error(`${batch[0].name}: Redshift migrations always run in a transaction`);
      for (const migration of batch) applied.push(...(await applyOutsideTransaction(db, set, migration)));
    } else {
      applied.push(...(await retryOnLockTimeout(() => applyInTransaction(db, set, batch))));
    }
  }
  return applied;
}

function readMigration(file: string): Migration {
  const sql = readFileSync(file, 'utf8');
  return {
    name: path.basename(file, '.sql'),
    sql,
    checksum: createHash('sha256').update(sql).digest('hex'),
    outsideTransaction: sql.startsWith(OUTSIDE_TRANSACTION),
  };
}

// Consecutive files of the same kind, in order.
function batches(migrations: Migration[]): Migration[][] {
  const result: Migration[][] = [];
  for (const migration of migrations) {
    const last = result.at(-1);
    if (last && last[0].outsideTransaction === migration.outsideTransaction) last.push(migration);
    else result.push([migration]);
  }
  return result;
}

async function applyInTransaction(db: DataSource, set: MigrationSet, batch: Migration[]): Promise<string[]> {
  const runner = db.createQueryRunner();
  try {
    await runner.startTransaction();
    // a migration may wait for a replica's or build an index for long: no session timeout applies here
    if (set !== 'warehouse/redshift') await runner.query('SET LOCAL statement_timeout = 0');
    await runner.query('LOCK kpi_migrations');
    const pending: string[] = [];
    for (const migration of batch) {
      if (await isApplied(runner, set, migration)) continue;
      await runner.query(migration.sql);
      await record(runner, migration);
      pending.push(migration.name);
    }
    await runner.commitTransaction();
    return pending;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

// Statement by statement under a session advisory lock. Each statement must be safe to run again: a
// process that stops half-way leaves the file unrecorded, and the next start runs it whole.
async function applyOutsideTransaction(db: DataSource, set: MigrationSet, migration: Migration): Promise<string[]> {
  const runner = db.createQueryRunner();
  try {
    await runner.query('SET statement_timeout = 0');
    await takeAdvisoryLock(runner);
    try {
      if (await isApplied(runner, set, migration)) return [];
      for (const statement of statements(migration.sql)) await runner.query(statement);
      await record(runner, migration);
      return [migration.name];
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [OUTSIDE_TRANSACTION_LOCK]);
      await runner.query('RESET statement_timeout');
    }
  } finally {
    await runner.release();
  }
}

// Asks again rather than waiting inside pg_advisory_lock: a session that waits in a statement holds a
// snapshot, and CREATE INDEX CONCURRENTLY in the holder's session waits for every older snapshot to end.
async function takeAdvisoryLock(runner: QueryRunner): Promise<void> {
  for (;;) {
    const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [OUTSIDE_TRANSACTION_LOCK])) as { locked: boolean }[];
    if (row.locked) return;
    await new Promise((resolve) => setTimeout(resolve, ADVISORY_LOCK_RETRY_MS));
  }
}

async function isApplied(runner: QueryRunner, set: MigrationSet, migration: Migration): Promise<boolean> {
  const [row] = (await runner.query('SELECT checksum FROM kpi_migrations WHERE name = $1', [migration.name])) as { checksum: string }[];
  if (row && row.checksum !== migration.checksum) {
    throw new OperatorError(`Migration ${set}/${migration.name}.sql was changed after it was applied; add a new migration instead`);
  }
  return row !== undefined;
}

async function record(runner: QueryRunner, migration: Migration): Promise<void> {
  await runner.query('INSERT INTO kpi_migrations (name, checksum, applied_at) VALUES ($1, $2, $3)', [
    migration.name,
    migration.checksum,
    new Date(),
  ]);
}

// The statements of a file, split after each semicolon that ends a line; comments travel with them.
function statements(sql: string): string[] {
  return sql
    .split(/;[ \t]*$/m)
    .filter((chunk) => chunk.replace(/--.*$/gm, '').trim() !== '')
    .map((chunk) => chunk.trim());
}

async function retryOnLockTimeout<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const lockTimeout = (error as { code?: string }).code === '55P03';
      if (!lockTimeout || attempt === LOCK_TIMEOUT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, LOCK_TIMEOUT_RETRY_MS));
    }
  }
}
