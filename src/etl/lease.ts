import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { checkoutClient } from '../database/pg-client.js';
import type { SqlCatalog } from '../database/sql-catalog.js';

// Any constants work, as long as every replica and the CLI use the same ones: the ETL lease, the
// warehouse maintenance's own lock (a VACUUM runs after its run has released the lease, one at a time),
// and the repairs' (a window run or a rebuild holds it for its whole life, the ETL lease only to swap).
const LEASE_KEY = '7326510045412';
export const MAINTENANCE_KEY = '7326510045413';
export const REPAIR_KEY = '7326510045414';

// One ETL run at a time across every replica and the CLI: a session-level advisory lock on the source
// database, on a connection kept for the whole run. If the process dies, PostgreSQL ends the session
// and the lock with it.
export class EtlLease {
  private constructor(
    private readonly client: pg.PoolClient,
    private readonly sql: SqlCatalog,
    private readonly key: string,
  ) {}

  static async tryAcquire(db: DataSource, sql: SqlCatalog, key: string = LEASE_KEY): Promise<EtlLease | null> {
    const client = await checkoutClient(db);
    try {
      const { rows } = await client.query<{ acquired: boolean }>(sql.get('etl/lease/try-acquire'), [key]);
      if (rows[0].acquired) return new EtlLease(client, sql, key);
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
      await this.client.query(this.sql.get('etl/lease/release'), [this.key]);
      this.client.release();
    } catch {
      // a broken connection has already released the lock; drop it from the pool
      this.client.release(true);
    }
  }
}
