import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SOURCE_DB } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';

@Injectable()
export class DemoRepository {
  private readonly anyActivitySql: string;

  constructor(
    @Inject(SOURCE_DB) private readonly source: DataSource,
    @Inject(SqlCatalog) sql: SqlCatalog,
  ) {
    this.anyActivitySql = sql.get('demo/any-activity');
  }

  async anyActivity(): Promise<boolean> {
    const [row] = await this.source.query<{ any_activity: boolean }[]>(this.anyActivitySql);
    return row.any_activity;
  }
}
