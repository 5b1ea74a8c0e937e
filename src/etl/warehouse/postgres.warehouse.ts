import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlCatalog } from '../../database/sql-catalog.js';
import type { StageStore } from '../stage/stage-store.js';
import { type MergePlan, type ReplaceBounds, type WarehouseLoad, WarehouseSession } from './warehouse-session.js';

// The PostgreSQL stand-in. It cannot read S3, so it reads the staged parts back from the store and
// streams them through gunzip into COPY … FROM STDIN: the same files, read the same way Redshift reads
// them. Its transactions hold a COPY, so it needs no staging table: the merge transaction opens first,
// deletes the rows the run replaces, and copies each part straight into stg.adjust as soon as it is
// written — the source's COPY and this one run on two cores at once, and every row is written once.
// Loads smaller than this leave the table's statistics about right; autovacuum catches up after them.
const ANALYZE_AT_ROWS = 100_000;

export class PostgresWarehouseSession extends WarehouseSession {
  constructor(
    protected override readonly client: pg.PoolClient,
    sql: SqlCatalog,
    private readonly store: StageStore,
  ) {
    super(client, sql);
  }

  async beginLoad(bounds: ReplaceBounds): Promise<WarehouseLoad> {
    await this.openMerge(bounds);
    const urls = new PassThrough({ objectMode: true });
    const copied = this.copyParts(urls);
    // a failed COPY stops the extract at its next part, rather than after minutes of wasted work; it
    // surfaces through partWritten() or loadStaged(), so it is never left unhandled
    let failure: Error | undefined;
    copied.catch((error: Error) => (failure = error));
    return {
      partWritten: (url) => {
        if (failure) throw failure;
        urls.write(url);
      },
      loadStaged: async () => {
        urls.end();
        await copied;
      },
      commit: (plan, beforeCommit) => this.closeMerge(plan, beforeCommit),
      // the session is then released broken, which ends the open transaction
      abort: (error) => urls.destroy(error),
    };
  }

  async cleanUp(): Promise<void> {}

  private async copyParts(urls: AsyncIterable<string>): Promise<void> {
    const store = this.store;
    async function* parts() {
      for await (const url of urls) yield* (await store.readStream(url)).pipe(createGunzip({ chunkSize: 256 * 1024 })) as Readable;
    }
    await pipeline(parts, this.client.query(copyFrom(this.sql.get('etl/warehouse/postgres/copy-parts'))));
  }

  protected lockLoadsStatement(): string {
    return this.sql.get('etl/warehouse/postgres/lock-loads');
  }

  // A large load changes the table's statistics, which the rollups' plans need in the same transaction.
  protected statisticsStatements(plan: MergePlan): string[] {
    return plan.stagedRows >= ANALYZE_AT_ROWS ? [this.sql.get('etl/warehouse/postgres/analyze-loaded')] : [];
  }

  // PostgreSQL's autovacuum (on by default) already vacuums and analyses stg.adjust on its own cadence,
  // after enough rows changed; nothing to add after a load.
  protected maintenanceStatements(): string[] {
    return [];
  }
}
