import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlCatalog } from '../../database/sql-catalog.js';
import type { StageStore } from '../stage/stage-store.js';
import { type StageLoad, WarehouseSession } from './warehouse-session.js';

// The PostgreSQL stand-in. It cannot read S3 itself, so it reads the staged parts back from the store
// and streams them through gunzip into COPY … FROM STDIN: the same files, read the same way Redshift
// reads them. It starts with the first part while the extract is still writing the next ones, so that
// the source's COPY and this one run on two cores at once; the manifest lists the same parts.
export class PostgresWarehouseSession extends WarehouseSession {
  constructor(
    protected override readonly client: pg.PoolClient,
    sql: SqlCatalog,
    private readonly store: StageStore,
  ) {
    super(client, sql);
  }

  beginLoad(): StageLoad {
    const urls = new PassThrough({ objectMode: true });
    const copied = this.copyParts(urls);
    // a failure surfaces through complete(); until then, keep it from being unhandled
    copied.catch(() => undefined);
    return {
      partWritten: (url) => urls.write(url),
      complete: async () => {
        urls.end();
        await copied;
      },
      abort: (error) => urls.destroy(error),
    };
  }

  private async copyParts(urls: AsyncIterable<string>): Promise<void> {
    const store = this.store;
    async function* parts() {
      for await (const url of urls) yield* (await store.readStream(url)).pipe(createGunzip()) as Readable;
    }
    await pipeline(parts, this.client.query(copyFrom(this.sql.get('etl/warehouse/postgres/copy-stage'))));
  }

  protected lockLoadsStatement(): string {
    return this.sql.get('etl/warehouse/postgres/lock-loads');
  }

  protected maintenanceStatements(): string[] {
    return [this.sql.get('etl/warehouse/postgres/maintain')];
  }
}
