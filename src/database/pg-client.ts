import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

// A connection of its own from a DataSource's pool, for work that needs one session: an advisory lock,
// a transaction over several statements, temporary tables, COPY streams. The caller releases it.
export function checkoutClient(dataSource: DataSource): Promise<pg.PoolClient> {
  return ((dataSource.driver as PostgresDriver).master as pg.Pool).connect();
}

// A UTC wall-clock time as a TIMESTAMP (without time zone) parameter. A Date would be sent with the
// process's local offset, which PostgreSQL drops for TIMESTAMP columns.
export function utcTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
