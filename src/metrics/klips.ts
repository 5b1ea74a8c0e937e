import type { Granularity } from './date-range.js';

// The klip registry: one entry per klip, read by the controller (its route and handler), the answers
// (how the SQL's rows become buckets and a summary, by kind), the CSV, the Swagger document, the index
// (GET /api/v1/metrics), the dashboard page (through the index) and the benchmarks (through dist/). The
// definitions are the words of the metric definitions, shown in Swagger. A new klip is one SQL file under
// sql/metrics/, one entry here and one test.

// How a klip's daily values become a bucket's and the range's:
// - count: a sum; average: total / number of samples (a weighted mean);
// - active-users: the mean of the daily values, plus the distinct devices of the range;
// - by-channel: a sum per channel, one row per channel (or per bucket and channel with a granularity).
export const KLIP_KINDS = ['count', 'average', 'active-users', 'by-channel'] as const;
export type KlipKind = (typeof KLIP_KINDS)[number];
export type SummaryField = 'total' | 'average' | 'distinct';
export type DataColumn = 'date' | 'channel' | 'value';

type Common = {
  route: string;
  // the handler's name, hence the Swagger operation id
  operationId: string;
  title: string;
  // a short name for legends and labels (DAU)
  label: string;
  unit: 'count' | 'seconds' | 'devices';
  definition: string;
};
// `sql`: the statements under sql/metrics/ the klip reads, by their role for its kind.
export type KlipEntry = Common &
  (
    | { kind: 'count'; sql: { days: string }; defaultGranularity: Granularity }
    | { kind: 'average'; sql: { days: string }; defaultGranularity: Granularity }
    | { kind: 'active-users'; sql: { changes: string; distinct: string }; windowDays: 1 | 7 | 30; defaultGranularity: Granularity }
    | { kind: 'by-channel'; sql: { totals: string; buckets: string }; defaultGranularity: Granularity | null }
  );

const SUMMARY_FIELDS: Record<KlipKind, SummaryField[]> = {
  count: ['total'],
  average: ['average'],
  'active-users': ['average', 'distinct'],
  'by-channel': ['total'],
};

export function summaryFields(kind: KlipKind): SummaryField[] {
  return SUMMARY_FIELDS[kind];
}

// The keys of every row of `data` (and the CSV header) for an answer with this granularity.
export function dataColumns(kind: KlipKind, granularity: Granularity | null): DataColumn[] {
  if (kind !== 'by-channel') return ['date', 'value'];
  return granularity ? ['date', 'channel', 'value'] : ['channel', 'value'];
}

const PRODUCTION =
  'Production activities only: environment=sandbox never counts, nor activity kinds starting with rejected_ (fraud rejections). Duplicates are stored once.';
const ACTIVE =
  'A device (adid) is active on a day when it has an install, session, reattribution, reinstall or reattribution_reinstall activity that day; events, clicks, impressions and attribution updates alone do not count.';
const ACTIVE_RANGE =
  'A bucket or range shows the mean of its daily values (as Adjust does), rounded to 2 decimals; the summary also gives `distinct`, the devices active on any day of the range.';
const ACTIVE_SQL = { changes: 'active-users', distinct: 'distinct-devices' };

export const KLIP_REGISTRY = [
  {
    route: 'installs',
    operationId: 'getInstalls',
    title: 'Installs',
    label: 'Installs',
    unit: 'count',
    kind: 'count',
    sql: { days: 'installs' },
    defaultGranularity: 'day',
    definition: `The number of install activities on each day (report time zone). Buckets and ranges add up. ${PRODUCTION} With channel=X, an install counts under its dynamic channel (the latest install_update's), so it always equals the X row of installs-by-channel.`,
  },
  {
    route: 'session-duration',
    operationId: 'getAverageSessionDuration',
    title: 'Average session duration',
    label: 'Session',
    unit: 'seconds',
    kind: 'average',
    sql: { days: 'session-duration' },
    defaultGranularity: 'day',
    definition: `The mean length of the sessions that belong to each day. A session callback reports the length of the device's previous session (last_time_spent, a whole number > 0; SESSION_LENGTH_FIELD=time_spent reads the current session's instead), and that length belongs to the day of last_session_time (created_at's day when it is empty; with time_spent, the session's own day). Buckets and ranges take the weighted mean, total seconds / number of lengths, never a mean of daily means; rounded to 2 decimals; null when there is no length. ${PRODUCTION}`,
  },
  {
    route: 'registrations',
    operationId: 'getRegistrations',
    title: 'Registrations',
    label: 'Registrations',
    unit: 'count',
    kind: 'count',
    sql: { days: 'registrations' },
    defaultGranularity: 'day',
    definition: `The number of event activities on each day whose event token (event) or event name (event_name) is listed in REGISTRATION_EVENTS (default: registration). Buckets and ranges add up. ${PRODUCTION}`,
  },
  {
    route: 'dau',
    operationId: 'getDailyActiveUsers',
    title: 'Daily active users',
    label: 'DAU',
    unit: 'devices',
    kind: 'active-users',
    sql: ACTIVE_SQL,
    windowDays: 1,
    defaultGranularity: 'day',
    definition: `The distinct devices active on each day. ${ACTIVE} ${ACTIVE_RANGE} ${PRODUCTION}`,
  },
  {
    route: 'wau',
    operationId: 'getWeeklyActiveUsers',
    title: 'Weekly active users',
    label: 'WAU',
    unit: 'devices',
    kind: 'active-users',
    sql: ACTIVE_SQL,
    windowDays: 7,
    defaultGranularity: 'day',
    definition: `For each day d, the distinct devices active in the 7 days d-6 … d. ${ACTIVE} ${ACTIVE_RANGE} ${PRODUCTION}`,
  },
  {
    route: 'mau',
    operationId: 'getMonthlyActiveUsers',
    title: 'Monthly active users',
    label: 'MAU',
    unit: 'devices',
    kind: 'active-users',
    sql: ACTIVE_SQL,
    windowDays: 30,
    defaultGranularity: 'day',
    definition: `For each day d, the distinct devices active in the 30 days d-29 … d. ${ACTIVE} ${ACTIVE_RANGE} ${PRODUCTION}`,
  },
  {
    route: 'installs-by-channel',
    operationId: 'getInstallsByChannel',
    title: 'Installs by channel',
    label: 'Installs',
    unit: 'count',
    kind: 'by-channel',
    sql: { totals: 'installs-by-channel', buckets: 'installs-by-bucket-and-channel' },
    defaultGranularity: null,
    definition: `Installs of the range grouped by channel, largest first: one row per channel, or with granularity one row per bucket and channel (every channel with installs in the range, 0 where it had none). The channel is Adjust's network (network_name, trimmed); without one, the first :: segment of tracker_name; still empty, Organic when is_organic=1, else Unknown. Dynamic attribution, as Adjust's default: an install counts under the channel of the latest install_update for the same app and device (by created_at), and under its own when there is none; it keeps its own day. ${PRODUCTION}`,
  },
] as const satisfies readonly KlipEntry[];

export type Klip = (typeof KLIP_REGISTRY)[number]['route'];
export const KLIPS: readonly Klip[] = KLIP_REGISTRY.map((entry) => entry.route);
export const KLIP_ENTRIES = Object.fromEntries(KLIP_REGISTRY.map((entry) => [entry.route, entry])) as Record<Klip, KlipEntry>;
