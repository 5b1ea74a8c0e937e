import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { checkoutClient } from '../database/pg-client.js';
import type { SqlCatalog } from '../database/sql-catalog.js';

// Any constant works, as long as every replica and the CLI use the same one.
const LEASE_KEY = '7326510045412';

// One ETL run at a time across every replica and the CLI: a session-level advisory lock on the source
// database, on a connection kept for the whole run. If the process dies, PostgreSQL ends the session
// and the lock with it.
export class EtlLease {
  private constructor(
    private readonly client: pg.PoolClient,
    private readonly sql: SqlCatalog,
  ) {}

  static async tryAcquire(db: DataSource, sql: SqlCatalog): Promise<EtlLease | null> {
    const client = await checkoutClient(db);
    try {
      const { rows } = await client.query<{ acquired: boolean }>(sql.get('etl/lease/try-acquire'), [LEASE_KEY]);
      if (rows[0].acquired) return new EtlLease(client, sql);
      client.release();
      return null;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  // Before the merge: a lease lost with its connection may already be someone else's.
  async assertHeld(): Promise<void> {
    try {
      await this.client.query('SELECT 1');
    } catch (error) {
      throw new Error(`the ETL lease was lost with its source connection (${(error as Error).message})`, { cause: error });
    }
  }

  async release(): Promise<void> {
    try {
      await this.client.query(this.sql.get('etl/lease/release'), [LEASE_KEY]);
      this.client.release();
    } catch {
      // a broken connection has already released the lock; drop it from the pool
      this.client.release(true);
    }
  }
}
