import type { Granularity } from './date-range.js';

// The klip registry: one entry per klip, read by the controller (its route and handler), the answers
// (how the SQL's rows become buckets and a summary, by kind), the CSV, the Swagger document, the index
// (GET /api/v1/metrics), the dashboard page (through the index) and the benchmarks (through dist/). The
// definitions are the words of the metric definitions, shown in Swagger. A new klip is one SQL file under
// sql/metrics/, one entry here and one test.

// How a klip's daily values become a bucket's and the range's:
// - count: a sum; average: total / number of samples (a weighted mean);
// - active-users: the mean of the daily values, plus the distinct devices of the range;
// - by-channel: a sum per channel, one row per channel (or per bucket and channel with a granularity);
// - revenue: a sum, and the range's revenue per daily active user (ARPDAU);
// - retention: per cohort day, the cohort's size and the shares of it retained after 1, 7 and 30 days.
export const KLIP_KINDS = ['count', 'average', 'active-users', 'by-channel', 'revenue', 'retention'] as const;
export type KlipKind = (typeof KLIP_KINDS)[number];
export type SummaryField = 'total' | 'average' | 'distinct' | 'arpdau' | RetentionField;
export type DataColumn = 'date' | 'channel' | 'value' | RetentionField;
export type RetentionField = 'installs' | 'd1' | 'd7' | 'd30';
const RETENTION_FIELDS: RetentionField[] = ['installs', 'd1', 'd7', 'd30'];

type Common = {
  route: string;
  // the handler's name, hence the Swagger operation id
  operationId: string;
  title: string;
  // a short name for legends and labels (DAU)
  label: string;
  unit: 'count' | 'seconds' | 'devices' | 'usd' | 'share';
  definition: string;
};
// `sql`: the statements under sql/metrics/ the klip reads, by their role for its kind.
export type KlipEntry = Common &
  (
    | { kind: 'count'; sql: { days: string }; defaultGranularity: Granularity }
    | { kind: 'average'; sql: { days: string }; defaultGranularity: Granularity }
    | { kind: 'active-users'; sql: { changes: string; distinct: string }; windowDays: 1 | 7 | 30; defaultGranularity: Granularity }
    | { kind: 'by-channel'; sql: { totals: string; buckets: string }; defaultGranularity: Granularity | null }
    | { kind: 'revenue'; sql: { days: string; changes: string }; defaultGranularity: Granularity }
    | { kind: 'retention'; sql: { cohorts: string }; defaultGranularity: Granularity }
  );

const SUMMARY_FIELDS: Record<KlipKind, SummaryField[]> = {
  count: ['total'],
  average: ['average'],
  'active-users': ['average', 'distinct'],
  'by-channel': ['total'],
  revenue: ['total', 'arpdau'],
  retention: RETENTION_FIELDS,
};

export function summaryFields(kind: KlipKind): SummaryField[] {
  return SUMMARY_FIELDS[kind];
}

// The keys of every row of `data` (and the CSV header) for an answer with this granularity.
export function dataColumns(kind: KlipKind, granularity: Granularity | null): DataColumn[] {
  if (kind === 'retention') return ['date', ...RETENTION_FIELDS];
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
  {
    route: 'sessions',
    operationId: 'getSessions',
    title: 'Sessions',
    label: 'Sessions',
    unit: 'count',
    kind: 'count',
    sql: { days: 'sessions' },
    defaultGranularity: 'day',
    definition: `The number of activities on each day of the kinds that make a device active: session, install, reattribution, reinstall and reattribution_reinstall (Adjust counts an install or reattribution as the device's first session). Buckets and ranges add up. ${PRODUCTION}`,
  },
  {
    route: 'revenue',
    operationId: 'getRevenue',
    title: 'Revenue (USD)',
    label: 'Revenue',
    unit: 'usd',
    kind: 'revenue',
    sql: { days: 'revenue', changes: 'active-users' },
    defaultGranularity: 'day',
    definition: `The revenue in US dollars of the event activities of each day: revenue_usd, or where it is empty revenue_float when currency is USD (any case; Adjust's revenue is in cents); other events add nothing. Values are rounded to 2 decimals; buckets and ranges add up (exactly, before rounding). The summary's arpdau is the range's revenue divided by the sum of its daily DAU under the same filters, rounded to 4 decimals; null when that sum is 0. ${PRODUCTION}`,
  },
  {
    route: 'retention',
    operationId: 'getRetention',
    title: 'Retention',
    label: 'Retention',
    unit: 'share',
    kind: 'retention',
    sql: { cohorts: 'retention' },
    defaultGranularity: 'day',
    definition: `For the cohort of each install day c: the devices whose first install in an app was on c (installs), and the shares of them active in the same app on day c+1, c+7 and c+30 (d1, d7, d30, fractions 0–1 rounded to 4 decimals), whatever os or country that activity reports. ${ACTIVE} A share is null while its day c+N has not ended (report time zone), or for an empty cohort. Buckets and ranges add up installs and take retained devices / cohort devices over the cohort days whose c+N has ended. Filters select the cohort by its install's app, os, country and dynamic channel. ${PRODUCTION}`,
  },
] as const satisfies readonly KlipEntry[];

export type Klip = (typeof KLIP_REGISTRY)[number]['route'];
export const KLIPS: readonly Klip[] = KLIP_REGISTRY.map((entry) => entry.route);
export const KLIP_ENTRIES = Object.fromEntries(KLIP_REGISTRY.map((entry) => [entry.route, entry])) as Record<Klip, KlipEntry>;
