// The seven klips: what each route answers, in the words of ../shared/spec/metrics.md (shown in Swagger).

export const KLIPS = ['installs', 'session-duration', 'registrations', 'dau', 'wau', 'mau', 'installs-by-channel'] as const;
export type Klip = (typeof KLIPS)[number];

// How a klip's daily values become a bucket's and the range's:
// - total: a sum; mean: total seconds / number of lengths; active: the mean of the daily values;
// - channels: a sum per channel.
export type KlipKind = 'total' | 'mean' | 'active' | 'channels';

export type KlipDefinition = { kind: KlipKind; unit: string; title: string; definition: string; windowDays?: number };

const PRODUCTION =
  'Production activities only: environment=sandbox never counts, nor activity kinds starting with rejected_ (fraud rejections). Duplicates are stored once.';
const ACTIVE =
  'A device (adid) is active on a day when it has an install, session, reattribution, reinstall or reattribution_reinstall activity that day; events, clicks, impressions and attribution updates alone do not count.';
const ACTIVE_RANGE =
  'A bucket or range shows the mean of its daily values (as Adjust does), rounded to 2 decimals; the summary also gives `distinct`, the devices active on any day of the range.';

export const KLIP_DEFINITIONS: Record<Klip, KlipDefinition> = {
  installs: {
    kind: 'total',
    unit: 'count',
    title: 'Installs',
    definition: `The number of install activities on each day (report time zone). Buckets and ranges add up. ${PRODUCTION} With channel=X, an install counts under its dynamic channel (the latest install_update's), so it always equals the X row of installs-by-channel.`,
  },
  'session-duration': {
    kind: 'mean',
    unit: 'seconds',
    title: 'Average session duration',
    definition: `The mean length of the sessions that belong to each day. A session callback reports the length of the device's previous session (last_time_spent, a whole number > 0; SESSION_LENGTH_FIELD=time_spent reads the current session's instead), and that length belongs to the day of last_session_time (created_at's day when it is empty; with time_spent, the session's own day). Buckets and ranges take the weighted mean, total seconds / number of lengths, never a mean of daily means; rounded to 2 decimals; null when there is no length. ${PRODUCTION}`,
  },
  registrations: {
    kind: 'total',
    unit: 'count',
    title: 'Registrations',
    definition: `The number of event activities on each day whose event token (event) or event name (event_name) is listed in REGISTRATION_EVENTS (default: registration). Buckets and ranges add up. ${PRODUCTION}`,
  },
  dau: {
    kind: 'active',
    unit: 'devices',
    title: 'Daily active users',
    windowDays: 1,
    definition: `The distinct devices active on each day. ${ACTIVE} ${ACTIVE_RANGE} ${PRODUCTION}`,
  },
  wau: {
    kind: 'active',
    unit: 'devices',
    title: 'Weekly active users',
    windowDays: 7,
    definition: `For each day d, the distinct devices active in the 7 days d-6 … d. ${ACTIVE} ${ACTIVE_RANGE} ${PRODUCTION}`,
  },
  mau: {
    kind: 'active',
    unit: 'devices',
    title: 'Monthly active users',
    windowDays: 30,
    definition: `For each day d, the distinct devices active in the 30 days d-29 … d. ${ACTIVE} ${ACTIVE_RANGE} ${PRODUCTION}`,
  },
  'installs-by-channel': {
    kind: 'channels',
    unit: 'count',
    title: 'Installs by channel',
    definition: `Installs of the range grouped by channel, largest first: one row per channel, or with granularity one row per bucket and channel (every channel with installs in the range, 0 where it had none). The channel is Adjust's network (network_name, trimmed); without one, the first :: segment of tracker_name; still empty, Organic when is_organic=1, else Unknown. Dynamic attribution, as Adjust's default: an install counts under the channel of the latest install_update for the same app and device (by created_at), and under its own when there is none; it keeps its own day. ${PRODUCTION}`,
  },
};
