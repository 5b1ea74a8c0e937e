import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { OperatorError } from '../common/operator-error.js';
import { listSqlFiles } from './sql-catalog.js';
import { SQL_ROOT } from './project-paths.js';

export type MigrationSet = 'source' | 'warehouse/postgres' | 'warehouse/redshift';

// Named for this service: the source may be an application's own database, with its own schema_migrations.
const CREATE_LEDGER =
  'CREATE TABLE IF NOT EXISTS kpi_migrations (name VARCHAR(255) NOT NULL PRIMARY KEY, checksum CHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL)';

// Applies the numbered files of sql/migrations/<set>/ that this database has not seen, in one
// transaction that first locks the ledger table: concurrent starters wait, then find nothing to do.
// LOCK and transactional DDL work on both PostgreSQL and Redshift (which has no advisory locks).
export async function migrate(db: DataSource, set: MigrationSet): Promise<string[]> {
  const files = listSqlFiles(path.join(SQL_ROOT, 'migrations', set));
  // IF NOT EXISTS is not atomic: of two starters on a fresh database one fails on the catalog's unique
  // index once the other has committed the table, so its second attempt finds the table there.
  await db.query(CREATE_LEDGER).catch(() => db.query(CREATE_LEDGER));
  const runner = db.createQueryRunner();
  try {
    await runner.startTransaction();
    // a migration may wait for a replica's or build an index for long: no session timeout applies here
    if (set !== 'warehouse/redshift') await runner.query('SET LOCAL statement_timeout = 0');
    await runner.query('LOCK kpi_migrations');
    const applied = new Map<string, string>(
      (await runner.query('SELECT name, checksum FROM kpi_migrations')).map((row: { name: string; checksum: string }) => [
        row.name,
        row.checksum,
      ]),
    );
    const pending: string[] = [];
    for (const file of files) {
      const name = path.basename(file, '.sql');
      const sql = readFileSync(file, 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const known = applied.get(name);
      if (known !== undefined && known !== checksum) {
        throw new OperatorError(`Migration ${set}/${name}.sql was changed after it was applied; add a new migration instead`);
      }
      if (known !== undefined) continue;
      await runner.query(sql);
      await runner.query('INSERT INTO kpi_migrations (name, checksum, applied_at) VALUES ($1, $2, $3)', [name, checksum, new Date()]);
      pending.push(name);
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
