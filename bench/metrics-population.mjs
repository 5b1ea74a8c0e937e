// A device population with retention, for bench/metrics.mjs: the callback generator (bench/adjust-traffic.mjs)
// picks a returning device uniformly among every device it ever made, so over 90 days a device shows up on
// a few scattered days and almost every active device is a different one each day — DAU/WAU/MAU would
// measure the generator, not an app. This rewrites each generated callback's device before it is parsed
// (createActivityStream's `devices` option), so that devices come back on several days along a retention
// curve, keep their own country, OS version, attribution and session chain:
//
//   - an `install` makes a new device (the generator's adid and attributes), active on its install day;
//   - every device gets a lifetime L (days after the install it may come back; P(L > a) = (1 + a)^-ALPHA,
//     heavy-tailed: most churn within days, a few stay for months) and a daily return probability q
//     (uniform in Q_RANGE); it is active on day d when d − install day ≤ L and a hash of (device, d) < q;
//   - devices installed in the PRE_DAYS days before the data starts (no install rows) make the first day look
//     like any other; they take their attributes from the first callback that lands on them, a new adid;
//   - any other production callback with a device (session, event, reattribution, install_update, …)
//     goes to a device drawn uniformly from its app's active devices of the callback's UTC day; a
//     reattribution or install_update changes the device's attribution from then on; a session reports the
//     device's previous session start as last_session_time.
//
// Sandbox sessions, rejected installs and clicks stay as the generator made them. With the generator's
// mix (7 % installs) this gives a steady DAU of about 2.3 × the installs per day (≈ 17,000 at 10 M
// activities over 90 days), D1 ≈ 20 %, D7 ≈ 4 %, D30 ≈ 1 %; MAU is far above DAU because installs are
// a large share of activities.
//
//   const devices = createDevicePopulation({ seed, startMs, rows, days });
//   createActivityStream({ seed, devices });  devices.summary() → counts for the printout

import { APPS, createRandom, MIX } from './adjust-traffic.mjs';

const DAY_S = 86_400;
export const RETENTION = Object.freeze({ alpha: 1.2, qRange: [0.2, 0.7], preDays: 180 });

const DEVICE_KEYS = [
  'idfa',
  'idfv',
  'gps_adid',
  'android_id',
  'city',
  'language',
  'timezone',
  'os_version',
  'device_name',
  'device_type',
  'country',
];
const ATTRIBUTION_KEYS = ['tracker', 'tracker_name', 'network_name', 'campaign_name', 'adgroup_name', 'creative_name', 'is_organic'];
const KEEP_DAYS = 3; // active sets kept for late callbacks (the generator's are at most 36 h late)

// `startMs`: the first arrival; `rows` and `days`: the planned history, to size the population that was
// already installed before it (the same installs per day as the generator makes).
export function createDevicePopulation({ seed = 42, startMs, rows, days }) {
  const random = createRandom((seed ^ 0x5eed1e55) >>> 0);
  const installWeight = MIX.find((m) => m.category === 'install').weight / MIX.reduce((sum, m) => sum + m.weight, 0);
  const appWeights = APPS.reduce((sum, a) => sum + a.weight, 0);
  const apps = new Map(APPS.map((a) => [a.token, { alive: [], sets: new Map() }]));
  const stats = { installs: 0, preexisting: 0, materialized: 0, assigned: 0, unassigned: 0, untouched: 0 };
  let nextIndex = 0;

  function makeDevice(installDay, attributes) {
    const lifetime = Math.pow(random.next() || Number.MIN_VALUE, -1 / RETENTION.alpha) - 1;
    const [qMin, qMax] = RETENTION.qRange;
    return { index: nextIndex++, installDay, lifetime, q: qMin + (qMax - qMin) * random.next(), attributes, lastSession: null };
  }

  // Devices installed before the data starts that are still alive on its first day.
  const firstDay = Math.floor(startMs / 1000 / DAY_S) - 2; // late callbacks reach back before the first arrival
  for (const a of APPS) {
    const perDay = (rows * installWeight * a.weight) / appWeights / days;
    const { alive } = apps.get(a.token);
    for (let day = firstDay - RETENTION.preDays; day < firstDay; day++) {
      const count = Math.floor(perDay) + (random.next() < perDay % 1 ? 1 : 0);
      for (let k = 0; k < count; k++) {
        const device = makeDevice(day, null);
        if (day + device.lifetime >= firstDay) {
          alive.push(device);
          stats.preexisting++;
        }
      }
    }
  }

  // whether a device (installed before `day`) comes back on `day`: deterministic per (device, day)
  function returns(device, day) {
    if (day - device.installDay > device.lifetime) return false;
    let h = Math.imul(device.index ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(day, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296 < device.q;
  }

  function activeSet(app, day) {
    let set = app.sets.get(day);
    if (set !== undefined) return set;
    set = app.alive.filter((d) => d.installDay === day || (d.installDay < day && returns(d, day)));
    app.sets.set(day, set);
    if (app.sets.size > KEEP_DAYS + 2) {
      const newest = Math.max(...app.sets.keys());
      for (const old of [...app.sets.keys()]) if (old < newest - KEEP_DAYS) app.sets.delete(old);
      app.alive = app.alive.filter((d) => d.installDay + d.lifetime >= newest - KEEP_DAYS);
    }
    return set;
  }

  const pick = (params, keys) => Object.fromEntries(keys.map((key) => [key, params[key] ?? '']));
  const put = (params, values) => Object.assign(params, values);

  // Rewrites one callback's query parameters (times already moved to the arrival) in place.
  function assign(params) {
    const kind = params.activity_kind;
    const app = apps.get(params.app_token);
    const createdAt = Number(params.created_at);
    if (!params.adid || !app || params.environment !== 'production' || kind === 'rejected_install' || !(createdAt > 0)) {
      stats.untouched++;
      return;
    }
    const day = Math.floor(createdAt / DAY_S);
    if (kind === 'install') {
      const device = makeDevice(day, { adid: params.adid, device: pick(params, DEVICE_KEYS), attribution: pick(params, ATTRIBUTION_KEYS) });
      device.installedAt = params.installed_at || params.created_at;
      device.lastSession = createdAt;
      app.alive.push(device);
      app.sets.get(day)?.push(device);
      stats.installs++;
      return;
    }
    const set = activeSet(app, day);
    if (set.length === 0) {
      stats.unassigned++;
      return;
    }
    const device = set[Math.floor(random.next() * set.length)];
    if (device.attributes === null) {
      device.attributes = { adid: random.hex(32), device: pick(params, DEVICE_KEYS), attribution: pick(params, ATTRIBUTION_KEYS) };
      device.installedAt = String(device.installDay * DAY_S + Math.floor(random.next() * DAY_S));
      stats.materialized++;
    }
    stats.assigned++;
    const { attributes } = device;
    params.adid = attributes.adid;
    if (kind === 'uninstall') return; // an uninstall carries only the adid
    put(params, attributes.device);
    if (params.installed_at) params.installed_at = device.installedAt;
    if (kind === 'reattribution' || kind === 'install_update') {
      if (kind === 'install_update') {
        params.outdated_tracker = attributes.attribution.tracker;
        params.outdated_tracker_name = attributes.attribution.tracker_name;
      }
      attributes.attribution = pick(params, ATTRIBUTION_KEYS);
    } else put(params, attributes.attribution);
    if (kind === 'session') {
      if (device.lastSession !== null && device.lastSession < createdAt) params.last_session_time = String(device.lastSession);
      if (device.lastSession === null || device.lastSession < createdAt) device.lastSession = createdAt;
    }
  }

  function summary() {
    return { retention: RETENTION, ...stats };
  }

  return { assign, summary };
}
