// Realistic Adjust callback traffic, deterministic for a given seed and `now`.
//
// What it imitates (Adjust's callback documentation): one global callback URL per app with the
// placeholders Adjust substitutes; empty values where the device or activity has none (`idfa=` on
// Android, `event=` on a session); a template placeholder Adjust does not know arriving as literal
// `{segment}` text; percent-encoded values (`tracker_name=Network%3A%3ACampaign%3A%3AAdgroup%3A%3ACreative`);
// the app's own SDK callback parameters appended (`user_id` on registrations, `ab_group`, `level`);
// activities mostly seconds old, a few hours late (SDK offline queue); and a small share of byte-for-byte
// repeats (Adjust retries, global + event callback firing twice), some racing the original.
//
// Used by bench/collector.mjs, bench/etl.mjs and bench/metrics.mjs (after `npm run build`: it takes the
// callback URL templates and the random source of the demo traffic, dist/demo):
//   const traffic = createTraffic({ seed: 7 });   traffic.next() → { path, category, kind, groupId, … }
//   const { paths, groups, summary } = generateCallbacks({ count: 100_000, seed: 7 });

import { GLOBAL_TEMPLATE, RECIPES_TEMPLATE } from '../dist/demo/callback-templates.js';
import { ADGROUPS, COUNTRIES, CREATIVES, DEVICE_MODELS, NETWORKS, ORGANIC, OS_VERSIONS, USER_AGENTS } from '../dist/demo/catalog.js';
import { createRandom } from '../dist/demo/random.js';

// the demo traffic's callback URLs, catalogue (countries, networks, devices) and random source (src/demo),
// shared with the benchmarks
export { createRandom };

export const CALLBACK_PATH = '/api/v1/adjust/callback';

// Share of callbacks per category, in percent. Sessions dominate as in real Adjust traffic; installs,
// reattributions and attribution updates are rarer; clicks come from links (no SDK, so no adid).
export const MIX = Object.freeze([
  { category: 'session', kind: 'session', weight: 63.5 },
  { category: 'event:registration', kind: 'event', weight: 2.5 },
  { category: 'event:purchase', kind: 'event', weight: 2 },
  { category: 'event:other', kind: 'event', weight: 11.5 },
  { category: 'install', kind: 'install', weight: 7 },
  { category: 'click (no adid)', kind: 'click', weight: 6 },
  { category: 'reattribution', kind: 'reattribution', weight: 2 },
  { category: 'install_update', kind: 'install_update', weight: 2 },
  { category: 'sandbox session', kind: 'session', weight: 1.5 },
  { category: 'att_update (iOS)', kind: 'att_update', weight: 1 },
  { category: 'uninstall', kind: 'uninstall', weight: 0.5 },
  { category: 'rejected_install', kind: 'rejected_install', weight: 0.5 },
]);

// What a device contributes to its callbacks, and what attributes an install to a link.
const DEVICE_KEYS = ['idfa', 'idfv', 'gps_adid', 'android_id', 'city', 'language', 'timezone', 'os_version', 'device_name', 'device_type'];
const ATTRIBUTION_KEYS = [
  'tracker',
  'tracker_name',
  'network_name',
  'campaign_name',
  'adgroup_name',
  'creative_name',
  'is_organic',
  'installed_at',
];

// Three more real placeholders: the link label and the deep link (a percent-encoded URL), mostly empty, and
// revenue_usd (Adjust's conversion to US dollars), so that the budget app's purchases count in every
// currency while the fitness app's count by revenue_float when in USD.
const BUDGET_TEMPLATE = [...GLOBAL_TEMPLATE, 'label', 'deeplink', 'revenue_usd'];

export const APPS = Object.freeze([
  app('com.example.fitapp', 'android', 'x7fq2kd9m3aa', 'com.example.fitapp', '3.4.1', 30, GLOBAL_TEMPLATE, {
    registration: 'reg7k2',
    purchase: 'pur4x9',
    other: ['lvl3qa', 'tut8mz', 'crt5pw'],
  }),
  app('com.example.fitapp', 'ios', 'w2mz8r1c5tqb', '1488123456', '3.4.0', 25, GLOBAL_TEMPLATE, {
    registration: 'rg2k9d',
    purchase: 'pc7h1s',
    other: ['lv4nqe', 'tu1xcv', 'ct9bmw'],
  }),
  app('com.example.recipes', 'android', 'p9c4v6n2b8zd', 'com.example.recipes', '12.0.3', 15, RECIPES_TEMPLATE, {
    registration: 'sgn5up',
    purchase: null,
    other: ['rcp1sv', 'shr7lk'],
  }),
  app('com.example.recipes', 'ios', 'm5t1h8k3q0ve', '1523456789', '12.0.1', 10, RECIPES_TEMPLATE, {
    registration: 'sgn2ip',
    purchase: null,
    other: ['rcp8sv', 'shr3lk'],
  }),
  app('com.example.budget', 'android', 'b3n8x2w6r4ya', 'com.example.budget', '2.19.0', 12, BUDGET_TEMPLATE, {
    registration: 'acc1nt',
    purchase: 'sub9mo',
    other: ['bnk4ln', 'exp2rt'],
  }),
  app('com.example.budget', 'ios', 'j6d0s5f9g1uc', '1601234567', '2.18.4', 8, BUDGET_TEMPLATE, {
    registration: 'acc7io',
    purchase: 'sub3yr',
    other: ['bnk8ln', 'exp6rt'],
  }),
]);

const OTHER_EVENT_NAMES = {
  lvl3qa: 'level_complete',
  lv4nqe: 'level_complete',
  tut8mz: 'tutorial_complete',
  tu1xcv: 'tutorial_complete',
  crt5pw: 'add_to_cart',
  ct9bmw: 'add_to_cart',
  rcp1sv: 'recipe_saved',
  rcp8sv: 'recipe_saved',
  shr7lk: 'share',
  shr3lk: 'share',
  bnk4ln: 'bank_linked',
  bnk8ln: 'bank_linked',
  exp2rt: 'export_report',
  exp6rt: 'export_report',
};

const REJECTION_REASONS = ['too_many_engagements', 'anonymous_ip', 'click_injection', 'distribution_outlier', 'invalid_signature'];

const PLACEHOLDER = /^\{[^{}]*\}$/;
const DAY = 86_400;

function app(name, platform, token, appId, version, weight, template, events) {
  return Object.freeze({
    name,
    platform,
    token,
    appId,
    version,
    weight,
    template,
    events,
    store: platform === 'ios' ? 'itunes' : 'google',
  });
}

// An endless, deterministic stream of callbacks. Options:
//   seed            same seed + same now → same stream
//   now             Unix seconds the activities are "near" (default: the current second)
//   lateShare       share of activities sent hours late with their original created_at (default 3 %)
//   duplicateShare  share of byte-for-byte repeats of an earlier callback (default 1 %)
//   basePath        the callback route (default /api/v1/adjust/callback)
export function createTraffic({
  seed = 1,
  now = Math.floor(Date.now() / 1000),
  lateShare = 0.03,
  duplicateShare = 0.01,
  basePath = CALLBACK_PATH,
} = {}) {
  const random = createRandom(seed);
  const trackers = new Map(APPS.map((a) => [a.token, makeTrackers(random, a)]));
  const devices = new Map(APPS.map((a) => [a.token, []]));
  const sandboxDevices = new Map(APPS.map((a) => [a.token, []]));
  const clickKeys = new Set();
  const recent = []; // ring of the last RECENT callbacks, for repeats
  const RECENT = 5000;
  let index = 0;
  let userIds = 100_000;

  function newDevice(a, installedAt, { sandbox = false } = {}) {
    const ios = a.platform === 'ios';
    const { code: country, cities, language, timezone } = random.weighted(COUNTRIES, (c) => c.weight);
    const [deviceName, deviceType] = random.pick(DEVICE_MODELS[a.platform]);
    const limitAdTracking = random.chance(0.05);
    const attConsent = random.chance(0.3);
    return {
      adid: random.hex(32),
      idfa: ios ? (attConsent ? random.uuid().toUpperCase() : random.chance(0.1) ? '00000000-0000-0000-0000-000000000000' : '') : '',
      idfv: ios ? random.uuid().toUpperCase() : '',
      gps_adid: !ios && !limitAdTracking ? random.uuid() : '',
      android_id: !ios && limitAdTracking ? random.hex(16) : '',
      country,
      city: random.chance(0.8) ? random.pick(cities) : '',
      language,
      timezone,
      os_version: random.pick(OS_VERSIONS[a.platform]),
      device_name: deviceName,
      device_type: deviceType,
      tracker: sandbox ? trackers.get(a.token)[0] : random.weighted(trackers.get(a.token), (t) => t.weight),
      installedAt,
      sessionCount: 1,
      lifetimeSessionCount: 1,
      lastSessionTime: installedAt,
      userId: random.chance(0.6) ? `u_${userIds++}` : null,
      abGroup: random.pick(['A', 'B']),
      sandbox,
    };
  }

  // A returning user: mostly one seen before in this stream, sometimes one installed long before it.
  function existingDevice(a, createdAt) {
    const pool = devices.get(a.token);
    if (pool.length < 50 || random.chance(0.08)) {
      const device = newDevice(a, createdAt - random.int(DAY, 400 * DAY));
      device.sessionCount = random.int(2, 80);
      device.lifetimeSessionCount = device.sessionCount + random.int(0, 40);
      device.lastSessionTime = createdAt - random.int(1800, 10 * DAY);
      pool.push(device);
      return device;
    }
    return random.pick(pool);
  }

  function createdAtNearNow() {
    return random.chance(lateShare) ? now - random.int(3600, 36 * 3600) : now - random.int(0, 90);
  }

  function buildFresh() {
    const mix = random.weighted(MIX, (m) => m.weight);
    const candidates = mix.kind === 'att_update' ? APPS.filter((a) => a.platform === 'ios') : APPS;
    const a = random.weighted(candidates, (c) => c.weight);
    const values = blankValues();
    values.activity_kind = mix.kind;
    values.app_token = a.token;
    values.app_id = a.appId;
    values.app_name = a.name;
    values.app_version = a.version;
    values.store = a.store;
    values.environment = 'production';
    values.os_name = a.platform;
    let createdAt = createdAtNearNow();
    let device = null;
    const extra = []; // the app's own SDK callback parameters, appended after the template

    switch (mix.category) {
      case 'install': {
        device = newDevice(a, createdAt);
        devices.get(a.token).push(device);
        fillAttribution(values, device.tracker);
        if (!device.tracker.organic) {
          const conversion = random.int(8, 3 * 3600);
          values.click_time = createdAt - conversion;
          values.conversion_duration = conversion;
        }
        values.installed_at = createdAt;
        values.session_count = 1;
        values.lifetime_session_count = 1;
        break;
      }
      case 'rejected_install': {
        device = newDevice(a, createdAt);
        const claim = random.weighted(
          trackers.get(a.token).filter((t) => !t.organic),
          (t) => t.weight,
        );
        fillAttribution(values, claim);
        values.click_time = createdAt - random.int(1, 20);
        values.rejection_reason = random.pick(REJECTION_REASONS);
        break;
      }
      case 'click (no adid)': {
        const tracker = random.weighted(
          trackers.get(a.token).filter((t) => !t.organic),
          (t) => t.weight,
        );
        fillAttribution(values, tracker);
        const { code: country } = random.weighted(COUNTRIES, (c) => c.weight);
        values.country = country;
        values.ip_address = `${random.int(11, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
        values.user_agent = USER_AGENTS[a.platform];
        values.os_name = '';
        break;
      }
      case 'sandbox session': {
        const pool = sandboxDevices.get(a.token);
        device = pool.length < 5 ? newDevice(a, createdAt - random.int(DAY, 30 * DAY), { sandbox: true }) : random.pick(pool);
        if (pool.length < 5) pool.push(device);
        values.environment = 'sandbox';
        sessionValues(values, device, createdAt);
        break;
      }
      default: {
        device = existingDevice(a, createdAt);
        createdAt = Math.max(createdAt, device.installedAt + 1);
        fillAttribution(values, device.tracker);
        values.installed_at = device.installedAt;
        if (mix.category === 'session') sessionValues(values, device, createdAt);
        else if (mix.kind === 'event') eventValues(values, extra, a, device, mix.category);
        else if (mix.kind === 'reattribution') {
          device.tracker = random.weighted(
            trackers.get(a.token).filter((t) => !t.organic),
            (t) => t.weight,
          );
          fillAttribution(values, device.tracker);
          values.reattributed_at = createdAt;
          values.click_time = createdAt - random.int(10, 6 * 3600);
          values.conversion_duration = createdAt - values.click_time;
        } else if (mix.kind === 'install_update') {
          const outdated = device.tracker;
          device.tracker = random.weighted(
            trackers.get(a.token).filter((t) => t !== outdated && !t.organic),
            (t) => t.weight,
          );
          fillAttribution(values, device.tracker);
          values.attribution_updated_at = createdAt;
          values.outdated_tracker = outdated.token;
          values.outdated_tracker_name = outdated.name;
        } else if (mix.kind === 'att_update') extra.push(['att_status', String(random.pick([0, 2, 3]))]);
      }
    }

    if (device) {
      values.adid = device.adid;
      for (const key of DEVICE_KEYS) values[key] = device[key];
      if (mix.kind !== 'rejected_install') values.country = device.country;
      if (mix.kind === 'uninstall') {
        // an uninstall carries only the adid
        for (const key of [...DEVICE_KEYS, 'country', ...ATTRIBUTION_KEYS]) values[key] = '';
      }
    }

    // The same activity must not be generated twice: only deliberate repeats are duplicates. (Adjust's
    // identity of an activity: app, kind, adid, created_at, event token; a device belongs to one app.)
    const seen = device === null ? clickKeys : (device.seen ??= new Set());
    for (;;) {
      const key = device === null ? `${a.token}|${values.ip_address}|${createdAt}` : `${mix.kind}|${createdAt}|${values.event ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        break;
      }
      createdAt -= 1;
    }
    values.created_at = createdAt;

    if (a.template === RECIPES_TEMPLATE) values.segment = '{segment}';
    if (a.template === BUDGET_TEMPLATE) {
      values.label = random.chance(0.1) ? random.pick(['promo_fall', 'newsletter']) : '';
      values.deeplink = random.chance(0.05) ? `budget://offer?id=${random.int(1, 99)}&src=adjust` : '';
    }
    const path = `${basePath}?${encodeQuery(a.template, values, extra)}`;
    return { path, category: mix.category, kind: mix.kind, app: a, late: createdAt < now - 3600, index: 0, groupId: 0, duplicate: false };
  }

  function sessionValues(values, device, createdAt) {
    const lastLength = random.int(5, 1800);
    device.sessionCount++;
    device.lifetimeSessionCount++;
    values.last_session_time = device.lastSessionTime;
    values.last_time_spent = lastLength;
    values.time_spent = 0;
    values.session_count = device.sessionCount;
    values.lifetime_session_count = device.lifetimeSessionCount;
    values.installed_at = device.installedAt;
    device.lastSessionTime = createdAt;
  }

  function eventValues(values, extra, a, device, category) {
    const purchase = category === 'event:purchase' && a.events.purchase !== null;
    const token = category === 'event:registration' ? a.events.registration : purchase ? a.events.purchase : random.pick(a.events.other);
    values.event = token;
    values.event_name = category === 'event:registration' ? 'registration' : purchase ? 'purchase' : (OTHER_EVENT_NAMES[token] ?? 'other');
    values.session_count = device.sessionCount;
    values.lifetime_session_count = device.lifetimeSessionCount;
    values.time_spent = random.int(1, 900);
    if (purchase) {
      const cents = random.pick([99, 299, 499, 999, 1999, 4999]);
      const [currency, toUsd] = random.weighted(
        [
          ['usd', 1, 6],
          ['eur', 1.08, 3],
          ['gbp', 1.27, 1],
        ],
        (c) => c[2],
      );
      values.revenue = cents;
      values.revenue_float = (cents / 100).toFixed(2);
      values.revenue_usd = ((cents / 100) * toUsd).toFixed(2);
      values.currency = currency;
      values.reporting_revenue = ((cents / 100) * toUsd).toFixed(4);
      values.reporting_currency = 'usd';
    }
    // the app's own callback parameters (SDK callback parameters are appended to the URL by Adjust)
    if (category === 'event:registration') {
      device.userId ??= `u_${userIds++}`;
      extra.push(['user_id', device.userId], ['signup_method', random.pick(['email', 'google', 'apple'])]);
    } else if (device.userId !== null) extra.push(['user_id', device.userId]);
    if (a.name === 'com.example.fitapp') extra.push(['ab_group', device.abGroup]);
    if (values.event_name === 'level_complete') extra.push(['level', String(random.int(1, 60))]);
  }

  function next() {
    const position = index++;
    if (recent.length > 0 && random.chance(duplicateShare)) {
      // half race the original (it may still be in flight), half are late retries
      const back = random.chance(0.5) ? random.int(1, Math.min(50, recent.length)) : random.int(1, recent.length);
      const original = recent[(position - back) % RECENT] ?? recent[recent.length - 1];
      const copy = { ...original, index: position, duplicate: true };
      remember(position, copy);
      return copy;
    }
    const fresh = buildFresh();
    fresh.index = position;
    fresh.groupId = position;
    remember(position, fresh);
    return fresh;
  }

  function remember(position, item) {
    if (recent.length < RECENT) recent.push(item);
    else recent[position % RECENT] = item;
  }

  return { next, now, seed };
}

function makeTrackers(random, a) {
  const list = [];
  for (const { name: network, weight, campaigns } of NETWORKS) {
    if (network === 'Apple Search Ads' && a.platform !== 'ios') continue;
    if (network === ORGANIC) {
      list.push({
        token: random.hex(6).replace(/^\d/, 'o'),
        network,
        campaign: '',
        adgroup: '',
        creative: '',
        name: 'Organic',
        organic: true,
        weight,
      });
      continue;
    }
    for (const campaign of campaigns) {
      const adgroup = random.pick(ADGROUPS);
      const creative = random.pick(CREATIVES);
      list.push({
        token: random.hex(6).replace(/^\d/, 'k'),
        network,
        campaign,
        adgroup,
        creative,
        name: `${network}::${campaign}::${adgroup}::${creative}`,
        organic: false,
        weight: weight / campaigns.length,
      });
    }
  }
  return list;
}

function fillAttribution(values, tracker) {
  values.tracker = tracker.token;
  values.tracker_name = tracker.name;
  values.network_name = tracker.network;
  values.campaign_name = tracker.campaign;
  values.adgroup_name = tracker.adgroup;
  values.creative_name = tracker.creative;
  values.is_organic = tracker.organic ? 1 : 0;
}

// Every template key is sent; what the activity has no value for is sent empty, like Adjust does.
// Values are percent-encoded (`::` → `%3A%3A`), literal `{placeholder}` text is left raw.
function encodeQuery(template, values, extra) {
  const parts = [];
  for (const key of template) parts.push(`${key}=${encodeValue(values[key])}`);
  for (const [key, value] of extra) parts.push(`${key}=${encodeValue(value)}`);
  return parts.join('&');
}

const SAFE = /^[\w.-]*$/;
const encoded = new Map();

function encodeValue(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  if (SAFE.test(value)) return value; // ids, tokens, hex: nothing to encode
  let result = encoded.get(value);
  if (result === undefined) {
    result = PLACEHOLDER.test(value) ? value : encodeURIComponent(value);
    if (encoded.size < 50_000) encoded.set(value, result);
  }
  return result;
}

// Every key any template or activity sets, so that all value objects share one shape.
const VALUE_KEYS = [...new Set([...GLOBAL_TEMPLATE, ...RECIPES_TEMPLATE, ...BUDGET_TEMPLATE])];
const BLANK = Object.fromEntries(VALUE_KEYS.map((key) => [key, undefined]));
const blankValues = () => ({ ...BLANK });

// A pool of `count` callback paths for a load test. `groups[i]` is the index of the first copy of
// callback i, so `groups[i] !== i` marks a byte-for-byte repeat; `categories[i]` indexes `categoryNames`.
export function generateCallbacks({ count, ...options }) {
  const traffic = createTraffic(options);
  const paths = new Array(count);
  const groups = new Int32Array(count);
  const categoryNames = MIX.map((m) => m.category);
  const categories = new Uint8Array(count);
  const byCategory = Object.fromEntries(categoryNames.map((name) => [name, 0]));
  const byApp = {};
  let late = 0;
  let duplicates = 0;
  let placeholders = 0;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const item = traffic.next();
    paths[i] = item.path;
    groups[i] = item.groupId;
    categories[i] = categoryNames.indexOf(item.category);
    bytes += item.path.length;
    if (item.duplicate) {
      duplicates++;
      continue;
    }
    byCategory[item.category]++;
    const appKey = `${item.app.name} (${item.app.platform})`;
    byApp[appKey] = (byApp[appKey] ?? 0) + 1;
    if (item.late) late++;
    if (item.path.includes('={')) placeholders++;
  }
  const distinct = count - duplicates;
  return {
    paths,
    groups,
    categories,
    categoryNames,
    summary: {
      seed: traffic.seed,
      now: traffic.now,
      generated: count,
      distinctActivities: distinct,
      exactDuplicates: duplicates,
      lateActivities: late,
      withUnsubstitutedPlaceholder: placeholders,
      averageUrlBytes: Math.round(bytes / count),
      byCategory,
      byApp,
    },
  };
}

// One line per fact, for the benchmark's printout.
export function describeTraffic(summary) {
  const pct = (n, of) => `${((100 * n) / of).toFixed(1)} %`;
  const mix = Object.entries(summary.byCategory)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${pct(n, summary.distinctActivities)}`)
    .join(', ');
  const apps = Object.entries(summary.byApp)
    .map(([name, n]) => `${name} ${pct(n, summary.distinctActivities)}`)
    .join(', ');
  return [
    `${summary.generated.toLocaleString('en-US')} callback URLs (seed ${summary.seed}): ${summary.distinctActivities.toLocaleString('en-US')} distinct activities, ` +
      `${summary.exactDuplicates.toLocaleString('en-US')} exact repeats (${pct(summary.exactDuplicates, summary.generated)}), ` +
      `${pct(summary.lateActivities, summary.distinctActivities)} 1–36 h late, average URL ${summary.averageUrlBytes} bytes`,
    `mix: ${mix}`,
    `apps: ${apps}; ${pct(summary.withUnsubstitutedPlaceholder, summary.distinctActivities)} carry a literal {placeholder}; empty values (idfa=, event=, …) in all`,
  ];
}
