import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Connections, SOURCE_DB } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';

@Injectable()
export class HealthRepository {
  private readonly lastLoadSql: string;
  private readonly lastRunSql: string;

  constructor(
    @Inject(SOURCE_DB) private readonly source: DataSource,
    @Inject(Connections) private readonly connections: Connections,
    @Inject(SqlCatalog) sql: SqlCatalog,
  ) {
    this.lastLoadSql = sql.get('health/last-successful-load');
    this.lastRunSql = sql.get('health/last-run');
  }

  async pingSource(): Promise<void> {
    await this.source.query('SELECT 1');
  }

  async pingWarehouse(): Promise<void> {
    // connected and migrated: until then the service keeps retrying in the background
    if (!this.connections.warehouseReady) throw new Error('the warehouse is not connected yet');
    await this.connections.warehouse.query('SELECT 1');
  }

  async lastSuccessfulLoad(): Promise<Date | null> {
    const rows: { finished_at: Date }[] = await this.source.query(this.lastLoadSql);
    return rows[0]?.finished_at ?? null;
  }

  async lastRun(): Promise<{ id: number; status: string; startedAt: string; finishedAt: string | null } | null> {
    const rows: { id: string; status: string; started_at: Date; finished_at: Date | null }[] = await this.source.query(this.lastRunSql);
    const row = rows[0];
    return row
      ? {
          id: Number(row.id),
          status: row.status,
          startedAt: row.started_at.toISOString(),
          finishedAt: row.finished_at?.toISOString() ?? null,
        }
      : null;
  }
}
