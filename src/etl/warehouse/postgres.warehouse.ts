import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { fillPlaceholders, type SqlCatalog } from '../../database/sql-catalog.js';
import type { StageStore } from '../stage/stage-store.js';
import { type MergePlan, type ReplaceBounds, type WarehouseLoad, WarehouseSession } from './warehouse-session.js';

// The PostgreSQL stand-in. It cannot read S3, so it reads the staged parts back from the store and
// streams them through gunzip into COPY … FROM STDIN: the same files, read the same way Redshift reads
// them. Its transactions hold a COPY, so the merge transaction opens first, deletes the rows the run
// replaces, and copies each part in as soon as it is written — the source's COPY and this one run on two
// cores at once. A first load, a window run or a rebuild copies straight into stg.adjust (every row
// written once); an arrival load copies into the session's stage_adjust, whose rows the rollups add up,
// then inserts them.
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
    if (bounds.keepLoadRows) await this.inMerge(() => this.run('etl/warehouse/create-stage'));
    const urls = new PassThrough({ objectMode: true });
    const copied = this.copyParts(urls, bounds.keepLoadRows ? 'stage_adjust' : 'stg.adjust');
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
      commit: async (plan, beforeCommit) => {
        if (bounds.keepLoadRows && plan.stagedRows > 0) await this.inMerge(() => this.run('etl/warehouse/insert-staged'));
        await this.closeMerge(plan, beforeCommit);
      },
      // the session is then released broken, which ends the open transaction
      abort: (error) => urls.destroy(error),
    };
  }

  private async copyParts(urls: AsyncIterable<string>, target: 'stg.adjust' | 'stage_adjust'): Promise<void> {
    const store = this.store;
    async function* parts() {
      for await (const url of urls) yield* (await store.readStream(url)).pipe(createGunzip({ chunkSize: 256 * 1024 })) as Readable;
    }
    const copy = fillPlaceholders(this.sql.get('etl/warehouse/postgres/copy-parts'), { target });
    await pipeline(parts, this.client.query(copyFrom(copy)));
  }

  private async run(name: string): Promise<void> {
    await this.client.query(this.sql.get(name));
  }

  protected createShadowStatement(): string {
    return this.sql.get('etl/warehouse/postgres/create-shadow');
  }

  protected snapshotTransactionStatement(): string {
    return this.sql.get('etl/warehouse/postgres/begin-snapshot');
  }

  protected analyzeShadowStatement(): string {
    return this.sql.get('etl/warehouse/postgres/analyze-shadow');
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
