import type { RollupSettings } from '../etl/rollups/rollup-refresh.js';
import type { MetricAnswer, MetricRequest } from '../metrics/metric-answers.js';

// The warehouse check's small known file: thirteen activities of one app over three days, on two channels,
// and what every klip must answer for them, worked out by hand below. The rollups run with these
// settings whatever the configuration says, so the answer never changes; Europe/Berlin (UTC+1 in
// November) puts one install a day later than UTC does, which checks the warehouse's zone arithmetic.
export const CHECK_SETTINGS: RollupSettings = {
  timezone: 'Europe/Berlin',
  registrationEvents: ['registration'],
  sessionLengthField: 'last_time_spent',
};

type Activity = {
  kind: string;
  createdAt: string;
  adid: string;
  network?: string;
  organic?: boolean;
  event?: string;
  lastTimeSpent?: number;
  lastSessionTime?: string;
  environment?: string;
  revenue?: { usd?: string; float?: string; currency?: string };
};

// Devices A, B, C (and D, a test phone); times UTC.
const ACTIVITIES: Activity[] = [
  { kind: 'install', createdAt: '2026-11-02 09:00:00', adid: 'check-device-a', network: 'Facebook' },
  { kind: 'event', createdAt: '2026-11-02 09:05:00', adid: 'check-device-a', event: 'registration' },
  // 00:30 on 3 November in Berlin
  { kind: 'install', createdAt: '2026-11-02 23:30:00', adid: 'check-device-b', organic: true },
  { kind: 'session', createdAt: '2026-11-03 08:00:00', adid: 'check-device-a', lastTimeSpent: 120, lastSessionTime: '2026-11-02 09:10:00' },
  { kind: 'event', createdAt: '2026-11-02 09:06:00', adid: 'check-device-a', event: 'purchase', revenue: { usd: '4.99' } },
  { kind: 'install', createdAt: '2026-11-03 10:00:00', adid: 'check-device-c', network: 'Facebook' },
  {
    kind: 'event',
    createdAt: '2026-11-03 10:06:00',
    adid: 'check-device-c',
    event: 'purchase',
    revenue: { float: '1.99', currency: 'usd' },
  },
  { kind: 'event', createdAt: '2026-11-03 10:05:00', adid: 'check-device-c', event: 'registration' },
  { kind: 'install', createdAt: '2026-11-03 11:00:00', adid: 'check-device-d', network: 'Facebook', environment: 'sandbox' },
  // moves C's install to Organic (dynamic attribution); an attribution update alone is not activity
  { kind: 'install_update', createdAt: '2026-11-04 09:00:00', adid: 'check-device-c', organic: true },
  { kind: 'session', createdAt: '2026-11-04 12:00:00', adid: 'check-device-b', lastTimeSpent: 300, lastSessionTime: '2026-11-03 12:00:00' },
  { kind: 'session', createdAt: '2026-11-04 13:00:00', adid: 'check-device-c', lastTimeSpent: 0, lastSessionTime: '2026-11-04 12:50:00' },
  // not in US dollars, and no revenue_usd: no revenue
  {
    kind: 'event',
    createdAt: '2026-11-04 13:05:00',
    adid: 'check-device-c',
    event: 'purchase',
    revenue: { float: '2.49', currency: 'EUR' },
  },
];

export const CHECK_ROWS = ACTIVITIES.length;
export const CHECK_DAYS = ['2026-11-02', '2026-11-03', '2026-11-04'];
const RANGE = { from: CHECK_DAYS[0], to: CHECK_DAYS[2] };

// The known file: lines as the source's COPY … TO STDOUT writes them (extract/activities.sql's 44
// columns, `|` between fields, \N for NULL), which the stage turns into the staged format.
export function knownFileText(): string {
  return ACTIVITIES.map((activity, index) => copyLine(activity, index + 1)).join('');
}

function copyLine(a: Activity, id: number): string {
  const n = '\\N';
  const receivedAt = a.createdAt.replace(/:00$/, ':30');
  // prettier-ignore
  const fields = [
    String(id), receivedAt, a.kind, a.createdAt, a.kind === 'install' ? a.createdAt : n, n, n, a.lastSessionTime ?? n,
    a.adid, n, n, n, n, 'chk0token00x', 'com.example.check', 'com.example.check', '1.0.0', a.environment ?? 'production', 'google',
    n, a.network ? `${a.network}::Check campaign` : n, a.network ?? n, n, n, n, a.organic ? 't' : 'f',
    'de', 'android', '14', 'phone', 'Pixel 8', a.event ? 'reg001' : n, a.event ?? n, n, a.revenue?.float ?? n, a.revenue?.usd ?? n,
    a.revenue?.currency ?? n, n, n,
    a.lastTimeSpent === undefined ? n : String(a.lastTimeSpent), n, a.kind === 'session' ? '2' : n, n, '{}',
  ];
  return `${fields.join('|')}\n`;
}

type Expected = { request: MetricRequest; answer: Pick<MetricAnswer, 'summary' | 'data'> };
const ask = (klip: MetricRequest['klip'], granularity: MetricRequest['granularity'] = null): MetricRequest => ({
  klip,
  range: RANGE,
  granularity,
  filters: {},
  // long after every cohort's day c + 30
  today: '2099-12-31',
});
const daily = (values: (number | null)[]) => values.map((value, i) => ({ date: CHECK_DAYS[i], value }));

// Worked out by hand, in Berlin days (D's rows are sandbox and count nowhere):
// - installs: A on 2 Nov; B (23:30 UTC = 00:30 on 3 Nov) and C on 3 Nov → 1, 2, 0;
// - registrations: A's event on 2 Nov, C's on 3 Nov → 1, 1, 0;
// - session lengths belong to last_session_time's day: A's 120 s to 2 Nov, B's 300 s to 3 Nov, C's
//   0 s is no length → 120, 300, null; the range's mean 420 / 2 = 210;
// - active devices (installs and sessions): 2 Nov A; 3 Nov A (session), B, C (installs); 4 Nov B, C
//   (sessions) → DAU 1, 3, 2 (mean 2); WAU and MAU 1, 3, 3 (mean 7 / 3 = 2.33); 3 distinct devices;
// - channels: A Facebook; B Organic; C installed from Facebook, moved to Organic by its update →
//   Organic 2, Facebook 1; by day: Facebook 1 on 2 Nov, Organic 2 on 3 Nov;
// - sessions (installs and sessions, as active devices): 1, 3, 2;
// - revenue: A's 4.99 USD on 2 Nov, C's 1.99 (revenue_float, currency usd) on 3 Nov, C's EUR purchase
//   none → 4.99, 1.99, 0; total 6.98; ARPDAU 6.98 / (1 + 3 + 2) = 1.1633;
// - retention: cohorts A (2 Nov), B and C (3 Nov), each active the day after (A's session on 3 Nov, B's
//   and C's on 4 Nov) and never 7 or 30 days later → installs 1, 2, 0; d1 1, 1, null (no cohort); d7 and
//   d30 0, 0, null; over the range 3 installs, d1 3 / 3 = 1, d7 and d30 0.
export const KNOWN_ANSWERS: Expected[] = [
  { request: ask('installs'), answer: { summary: { total: 3 }, data: daily([1, 2, 0]) } },
  { request: ask('registrations'), answer: { summary: { total: 2 }, data: daily([1, 1, 0]) } },
  { request: ask('session-duration'), answer: { summary: { average: 210 }, data: daily([120, 300, null]) } },
  { request: ask('dau'), answer: { summary: { average: 2, distinct: 3 }, data: daily([1, 3, 2]) } },
  { request: ask('wau'), answer: { summary: { average: 2.33, distinct: 3 }, data: daily([1, 3, 3]) } },
  { request: ask('mau'), answer: { summary: { average: 2.33, distinct: 3 }, data: daily([1, 3, 3]) } },
  {
    request: ask('installs-by-channel'),
    answer: {
      summary: { total: 3 },
      data: [
        { channel: 'Organic', value: 2 },
        { channel: 'Facebook', value: 1 },
      ],
    },
  },
  { request: ask('sessions'), answer: { summary: { total: 6 }, data: daily([1, 3, 2]) } },
  { request: ask('revenue'), answer: { summary: { total: 6.98, arpdau: 1.1633 }, data: daily([4.99, 1.99, 0]) } },
  {
    request: ask('retention'),
    answer: {
      summary: { installs: 3, d1: 1, d7: 0, d30: 0 },
      data: [
        { date: CHECK_DAYS[0], installs: 1, d1: 1, d7: 0, d30: 0 },
        { date: CHECK_DAYS[1], installs: 2, d1: 1, d7: 0, d30: 0 },
        { date: CHECK_DAYS[2], installs: 0, d1: null, d7: null, d30: null },
      ],
    },
  },
  {
    request: ask('installs-by-channel', 'day'),
    answer: {
      summary: { total: 3 },
      data: CHECK_DAYS.flatMap((date, i) => [
        { date, channel: 'Organic', value: [0, 2, 0][i] },
        { date, channel: 'Facebook', value: [1, 0, 0][i] },
      ]),
    },
  },
];
