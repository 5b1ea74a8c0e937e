import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { Connections } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';

export const DIMENSIONS = ['app', 'os', 'country', 'channel'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type DimensionValues = Record<Dimension, string[]>;

// Runs sql/dashboard/dimensions.sql on the warehouse.
@Injectable()
export class DimensionsRepository {
  private readonly logger = new Logger('Dashboard');

  constructor(
    @Inject(Connections) private readonly connections: Connections,
    @Inject(SqlCatalog) private readonly sql: SqlCatalog,
  ) {}

  // The values of each dimension seen on `since` or later, in the statement's order.
  async valuesSince(since: string): Promise<DimensionValues> {
    if (!this.connections.warehouseReady) throw new DomainError('UNAVAILABLE', 'The warehouse is not reachable yet; try again shortly');
    let rows: { dimension: Dimension; value: string }[];
    try {
      rows = await this.connections.warehouse.query(this.sql.get('dashboard/dimensions'), [since]);
    } catch (error) {
      this.logger.warn(`sql/dashboard/dimensions.sql failed: ${(error as Error).message}`);
      throw new DomainError('UNAVAILABLE', 'The warehouse did not answer; try again shortly');
    }
    const values: DimensionValues = { app: [], os: [], country: [], channel: [] };
    for (const row of rows) values[row.dimension].push(row.value);
    return values;
  }
}
