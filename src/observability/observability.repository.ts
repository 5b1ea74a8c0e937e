import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SOURCE_DB } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';

// What GET /metrics reads from the source database at scrape time.
@Injectable()
export class ObservabilityRepository {
  private readonly failedRunsSql: string;

  constructor(
    @Inject(SOURCE_DB) private readonly source: DataSource,
    @Inject(SqlCatalog) sql: SqlCatalog,
  ) {
    this.failedRunsSql = sql.get('observability/failed-runs-in-a-row');
  }

  async failedRunsInARow(): Promise<number> {
    const rows: { failed: string }[] = await this.source.query(this.failedRunsSql);
    return Number(rows[0].failed);
  }
}
