import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlCatalog } from '../../database/sql-catalog.js';
import type { Manifest } from '../stage/manifest.js';
import type { StageStore } from '../stage/stage-store.js';
import { WarehouseSession } from './warehouse-session.js';

// The PostgreSQL stand-in. It cannot read S3 itself, so the parts the manifest lists are streamed
// through gunzip into COPY … FROM STDIN: the same files, read the same way Redshift reads them.
export class PostgresWarehouseSession extends WarehouseSession {
  constructor(
    protected override readonly client: pg.PoolClient,
    sql: SqlCatalog,
    private readonly store: StageStore,
  ) {
    super(client, sql);
  }

  async copyStage(_manifestUrl: string, manifest: Manifest): Promise<void> {
    const store = this.store;
    async function* parts() {
      for (const entry of manifest.entries) yield* (await store.readStream(entry.url)).pipe(createGunzip()) as Readable;
    }
    await pipeline(parts, this.client.query(copyFrom(this.sql.get('etl/warehouse/postgres/copy-stage'))));
    await this.client.query(this.sql.get('etl/warehouse/postgres/analyze-stage'));
  }

  protected lockLoadsStatement(): string {
    return this.sql.get('etl/warehouse/postgres/lock-loads');
  }

  protected maintenanceStatements(): string[] {
    return [this.sql.get('etl/warehouse/postgres/maintain')];
  }
}
