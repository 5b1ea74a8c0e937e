import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Connections } from '../../database/connections.js';
import { checkoutClient } from '../../database/pg-client.js';
import { SqlCatalog } from '../../database/sql-catalog.js';
import { PostgresWarehouseSession } from './postgres.warehouse.js';
import { RedshiftWarehouseSession } from './redshift.warehouse.js';
import { besideLive } from './shadow-tables.js';
import type { WarehouseSession } from './warehouse-session.js';

// Opens one run's session on the configured warehouse engine.
@Injectable()
export class Warehouse {
  constructor(
    @Inject(Connections) private readonly connections: Connections,
    @Inject(SqlCatalog) private readonly sql: SqlCatalog,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  // `besideLive`: the session's statements go to the tables a repair builds beside the live ones.
  async withSession<T>(work: (session: WarehouseSession) => Promise<T>, { besideLive: beside = false } = {}): Promise<T> {
    if (!this.connections.warehouseReady) {
      throw new Error(`warehouse unreachable (${this.connections.describe.warehouse}): it has not answered since the service started`);
    }
    const client = await checkoutClient(this.connections.warehouse).catch((error: Error) => {
      throw new Error(`warehouse unreachable (${this.connections.describe.warehouse}): ${error.message}`, { cause: error });
    });
    const sessionClient = beside ? besideLive(client) : client;
    const session =
      this.config.warehouse.engine === 'redshift'
        ? new RedshiftWarehouseSession(sessionClient, this.sql, { iamRole: this.config.redshiftIamRole!, region: this.config.s3.region })
        : new PostgresWarehouseSession(sessionClient, this.sql);
    let broken = false;
    try {
      return await work(session);
    } catch (error) {
      broken = true;
      const lost = client.connectionLost();
      if (lost && error instanceof Error)
        error.message += ` (warehouse connection lost, ${this.connections.describe.warehouse}: ${lost.message})`;
      throw error;
    } finally {
      // after a failure the session may be mid-COPY or mid-transaction: close it rather than reuse it
      if (!broken) await session.cleanUp().catch(() => (broken = true));
      client.release(broken);
    }
  }
}
