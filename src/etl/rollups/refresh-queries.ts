import { fillPlaceholders, type SqlCatalog, timeZoneLiteral } from '../../database/sql-catalog.js';
import type { SqlClient } from '../warehouse/warehouse-session.js';

// The refresh's statements (sql/metrics/<name>.sql) on the merge's connection. A statement that turns
// times into report days names the zone as {report_timezone}, which becomes a literal here.
export class RefreshQueries {
  private readonly zone: string;

  constructor(
    private readonly client: SqlClient,
    private readonly sql: SqlCatalog,
    timezone: string,
  ) {
    this.zone = timeZoneLiteral(timezone);
  }

  run(name: string, params: unknown[] = []) {
    return this.client.query(this.sql.get(`metrics/${name}`).replaceAll('{report_timezone}', this.zone), params);
  }

  // A statement whose {placeholders} name tables and columns, from the constants of rollup-tables.ts.
  runFilled(name: string, placeholders: Record<string, string>) {
    return this.client.query(fillPlaceholders(this.sql.get(`metrics/${name}`), placeholders));
  }
}
