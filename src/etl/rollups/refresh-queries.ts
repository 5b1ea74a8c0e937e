import { fillPlaceholders, type SqlCatalog, timeZoneLiteral } from '../../database/sql-catalog.js';
import type { SqlClient } from '../warehouse/warehouse-session.js';

// The VALUES list of a multi-row INSERT: `rows` rows of `width` parameter markers, "($1, $2), ($3, $4)".
export function valuesList(rows: number, width: number): string {
  const row = (index: number) => `(${Array.from({ length: width }, (_unused, column) => `$${index * width + column + 1}`).join(', ')})`;
  return Array.from({ length: rows }, (_unused, index) => row(index)).join(', ');
}

// The refresh's statements (sql/metrics/<name>.sql) on the merge's connection. A statement that turns
// times into report days names the zone as {report_timezone}, which becomes a literal here; the app and
// channel fragments ({app:a}, {channel:a}) the catalog has already written in.
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

  // A statement whose {placeholders} the code generates (parameter markers of a multi-row INSERT), with
  // its parameters.
  runWith(name: string, placeholders: Record<string, string>, params: unknown[]) {
    return this.client.query(fillPlaceholders(this.sql.get(`metrics/${name}`), placeholders), params);
  }
}

// Writes `rows` of `width` values with a multi-row INSERT whose VALUES list is {rows} (Redshift writes
// single-row INSERTs slowest), `perInsert` rows a statement.
export async function insertValues(
  queries: RefreshQueries,
  name: string,
  width: number,
  rows: unknown[][],
  perInsert: number,
): Promise<void> {
  for (let first = 0; first < rows.length; first += perInsert) {
    const chunk = rows.slice(first, first + perInsert);
    await queries.runWith(name, { rows: valuesList(chunk.length, width) }, chunk.flat());
  }
}
