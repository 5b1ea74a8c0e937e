import { OperatorError } from '../common/operator-error.js';
import type { SqlCatalog } from './sql-catalog.js';

type Query = (statement: string) => Promise<Record<string, unknown>[]>;

// The zone names the warehouse knows. A row is a record as text, `(Europe/Berlin,CET,01:00:00,f)`; a
// name with a comma, quote or blank in it would be quoted (none of the IANA names has one).
export async function warehouseZoneNames(query: Query, sql: SqlCatalog): Promise<string[]> {
  const rows = await query(sql.get('check/timezone-names'));
  return rows.map((row) => zoneNameOf(String(row.zone)));
}

export function zoneNameOf(record: string): string {
  const quoted = /^\("((?:[^"\\]|""|\\.)*)",/.exec(record);
  if (quoted) return quoted[1].replace(/""/g, '"').replace(/\\(.)/g, '$1');
  const plain = /^\(([^,]*),/.exec(record);
  if (!plain) throw new Error(`unexpected pg_timezone_names() row: ${record.slice(0, 80)}`);
  return plain[1];
}

// REPORT_TIMEZONE must be a name the warehouse knows, spelled as it spells it: the rollups turn times
// into report days with AT TIME ZONE on the warehouse, and an unknown name would fail every load.
export async function checkReportTimezone(query: Query, sql: SqlCatalog, zone: string): Promise<void> {
  const names = await warehouseZoneNames(query, sql);
  if (names.includes(zone)) return;
  const spelled = names.find((name) => name.toLowerCase() === zone.toLowerCase());
  const hint = spelled ? `; the warehouse spells it ${spelled}` : '';
  throw new OperatorError(
    `REPORT_TIMEZONE ${zone} is not a time zone the warehouse knows${hint}. ` +
      'Its zones are listed by SELECT pg_timezone_names(); on the warehouse: set REPORT_TIMEZONE to one of them.',
  );
}
