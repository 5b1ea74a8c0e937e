import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { SOURCE_DB } from '../../database/connections.js';
import { withClient } from '../../database/pg-client.js';
import { fillPlaceholders, SqlCatalog } from '../../database/sql-catalog.js';

// Which rows an extract reads: every row after an id and every row the previous extract's snapshot could
// not see (null: none, a first load or a rebuild), plus (window mode) every row created since a time.
export type ExtractBounds = { afterId: string; afterSnapshot: string | null; windowStart: Date | null };

export type ExtractSummary = {
  rows: number;
  // the newest arrival among the extracted rows
  dataThrough: Date | null;
  // report-time-zone days of the rows' created_at and last_session_time, sorted
  days: string[];
  // the rows' own (created_at) days alone, sorted: what the rollups recount
  createdDays: string[];
  // where the next arrival-mode extract resumes (see sql/etl/extract/resume-point.sql)
  resumeAfterId: string;
  resumeSnapshot: string;
};

type BoundsRow = { after_id: string; in_flight_after: string; in_flight: string };
type SummaryRow = { created_day: string; session_day: string | null; row_count: string; data_through: Date };

// Streams one consistent snapshot of the source's activities in the staged file format's raw form (COPY
// text), and describes them (row count, days, newest arrival, where the next run resumes). The
// description reads the same snapshot on a connection of its own while the COPY streams: a scan of the
// whole table at a first load (about a second at two million rows) that no longer comes before it. Its
// row count, the progress bar's total, comes to `consume` when it is known.
@Injectable()
export class SourceExtractor {
  constructor(
    @Inject(SOURCE_DB) private readonly db: DataSource,
    @Inject(SqlCatalog) private readonly sql: SqlCatalog,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  // `consume` must read the stream to its end before it resolves: the snapshot closes afterwards.
  async extract<T>(
    bounds: ExtractBounds,
    consume: (rows: Readable, rowCount: Promise<number>) => Promise<T>,
  ): Promise<{ summary: ExtractSummary; result: T }> {
    // a failed COPY can leave the session mid-protocol: withClient closes it
    return withClient(this.db, async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows: limits } = await client.query<BoundsRow>(this.sql.get('etl/extract/set-bounds'), [
        bounds.afterId,
        bounds.afterSnapshot,
      ]);
      const where = boundLiterals(limits[0], bounds.windowStart);
      const { rows: exported } = await client.query<{ snapshot: string }>(this.sql.get('etl/extract/export-snapshot'));
      const described = this.describe(exported[0].snapshot, where);
      const rowCount = described.then((summary) => summary.rows);
      // both are awaited below, unless the COPY fails first
      described.catch(() => undefined);
      rowCount.catch(() => undefined);
      const result = await consume(client.query(copyTo(fillPlaceholders(this.sql.get('etl/extract/activities'), where))), rowCount);
      // the snapshot must stay exported until the description has imported it
      const summary = await described;
      const { rows: resume } = await client.query(this.sql.get('etl/extract/resume-point'));
      await client.query('COMMIT');
      const resumePoint = {
        resumeAfterId: maxId(resume[0].resume_after_id ?? '0', bounds.afterId),
        resumeSnapshot: resume[0].resume_snapshot,
      };
      return { summary: { ...summary, ...resumePoint }, result };
    });
  }

  // The snapshot's rows by day, on a second connection in the extract's snapshot.
  private async describe(
    snapshot: string,
    where: Record<string, string>,
  ): Promise<Omit<ExtractSummary, 'resumeAfterId' | 'resumeSnapshot'>> {
    if (!/^[0-9A-F]+(-[0-9A-F]+)+$/i.test(snapshot)) throw new Error(`the extract's snapshot name is not one: ${JSON.stringify(snapshot)}`);
    return withClient(this.db, async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(fillPlaceholders(this.sql.get('etl/extract/import-snapshot'), { snapshot: `'${snapshot}'` }));
      const { rows: groups } = await client.query<SummaryRow>(fillPlaceholders(this.sql.get('etl/extract/summary'), where), [
        this.config.report.timezone,
      ]);
      await client.query('COMMIT');
      return summarize(groups);
    });
  }
}

// The bounds as SQL literals, each checked to be what set-bounds.sql returns (digits, or digits joined
// by commas): the extract's statements compare each row with constants, which the planner also sees.
export function boundLiterals(row: BoundsRow, windowStart: Date | null): Record<string, string> {
  const digits = (value: string, what: string) => {
    if (!/^\d+$/.test(value)) throw new Error(`the extract's ${what} is not a number: ${JSON.stringify(value)}`);
    return value;
  };
  const inFlight = row.in_flight === '' ? [] : row.in_flight.split(',').map((id) => digits(id, 'transaction in flight'));
  return {
    after_id: digits(row.after_id, 'resume id'),
    in_flight_after: row.in_flight_after === '' ? 'NULL' : `CAST('${digits(row.in_flight_after, 'snapshot xmax')}' AS xid8)`,
    in_flight: `CAST('{${inFlight.join(',')}}' AS xid8[])`,
    window_start: `CAST('${windowStart?.toISOString() ?? 'infinity'}' AS TIMESTAMPTZ)`,
  };
}

function summarize(groups: SummaryRow[]): Omit<ExtractSummary, 'resumeAfterId' | 'resumeSnapshot'> {
  const days = new Set<string>();
  const createdDays = new Set<string>();
  let rows = 0;
  let dataThrough: Date | null = null;
  for (const group of groups) {
    rows += Number(group.row_count);
    days.add(group.created_day);
    createdDays.add(group.created_day);
    if (group.session_day) days.add(group.session_day);
    if (!dataThrough || group.data_through > dataThrough) dataThrough = group.data_through;
  }
  return { rows, dataThrough, days: [...days].sort(), createdDays: [...createdDays].sort() };
}

const maxId = (a: string, b: string) => (BigInt(a) > BigInt(b) ? a : b);
