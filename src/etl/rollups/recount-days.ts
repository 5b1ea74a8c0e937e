import { addDays, datesBetween, zonedMidnight } from '../../common/zoned-time.js';
import { utcTimestamp } from '../../database/pg-client.js';
import { type RefreshQueries, valuesList } from './refresh-queries.js';

// Rows per INSERT of refresh/add-days.sql: a few years of days in a handful of statements, far below any
// driver's limit on parameters (five a row).
const ROWS_PER_INSERT = 200;

type DayRow = [day: string, bucket: string, startsAt: string, endsAt: string, activities: boolean];

// Fills refresh_day with the days a recount counts again (`activities`: all their activities, else only
// their installs), one row per day and UTC date the day overlaps, in multi-row INSERTs: the recount's
// statements then join stg.adjust on that date, an equality, instead of on the day's instants alone.
export async function addRecountDays(
  queries: RefreshQueries,
  days: { activities: string[]; installs: string[] },
  timezone: string,
): Promise<void> {
  const rows = [
    ...days.activities.flatMap((day) => dayRows(day, timezone, true)),
    ...days.installs.flatMap((day) => dayRows(day, timezone, false)),
  ];
  for (let first = 0; first < rows.length; first += ROWS_PER_INSERT) {
    const chunk = rows.slice(first, first + ROWS_PER_INSERT);
    await queries.runWith('refresh/add-days', { rows: valuesList(chunk.length, 5) }, chunk.flat());
  }
}

// A report day's rows: its first instant and the next day's (UTC), once per UTC date between them.
export function dayRows(day: string, timezone: string, activities: boolean): DayRow[] {
  const startsAt = zonedMidnight(day, timezone);
  const endsAt = zonedMidnight(addDays(day, 1), timezone);
  const lastUtcDate = new Date(endsAt.getTime() - 1).toISOString().slice(0, 10);
  return datesBetween(startsAt.toISOString().slice(0, 10), lastUtcDate).map((bucket) => [
    day,
    bucket,
    utcTimestamp(startsAt),
    utcTimestamp(endsAt),
    activities,
  ]);
}
