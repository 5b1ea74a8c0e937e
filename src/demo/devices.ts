import { ADGROUPS, COUNTRIES, CREATIVES, type DemoApp, DEVICE_MODELS, NETWORKS, ORGANIC, OS_VERSIONS } from './catalog.js';
import type { CallbackValues } from './callback-query.js';
import type { Random } from './random.js';
import type { Returning } from './retention.js';

// An Adjust link: the channel (network) → campaign → ad group → creative, and its 6-character token.
export type Tracker = { token: string; network: string; name: string; weight: number; values: CallbackValues };

// What a device sends with each of its callbacks: its ids, where it is, what it runs.
export type DeviceProfile = Record<(typeof PROFILE_KEYS)[number], string>;
const PROFILE_KEYS = [
  'adid',
  'idfa',
  'idfv',
  'gps_adid',
  'android_id',
  'country',
  'city',
  'language',
  'timezone',
  'os_version',
  'device_name',
  'device_type',
] as const;

export type Device = Returning & {
  app: DemoApp;
  // sandbox: the team's test phones
  environment: 'production' | 'sandbox';
  // null until the device's first callback: devices installed before the demo's first day are drawn
  // cheaply and get their details only if they ever come back
  profile: DeviceProfile | null;
  tracker: Tracker;
  installedAt: number; // Unix seconds
  lastSession: { start: number; length: number } | null;
  lastActiveDay: number;
  sessionCount: number;
  lifetimeSessionCount: number;
  // whether the user registers on the install day or on the next active day
  registers: 'install day' | 'next day' | null;
  userId: string | null;
  abGroup: 'A' | 'B';
};

export const isOrganic = (tracker: Tracker) => tracker.network === ORGANIC;

// Each app's links, drawn once per seed; Apple Search Ads only advertises iOS apps.
export function makeTrackers(random: Random, app: DemoApp): Tracker[] {
  const trackers: Tracker[] = [];
  for (const network of NETWORKS) {
    if (network.name === 'Apple Search Ads' && app.platform !== 'ios') continue;
    if (network.name === ORGANIC) trackers.push(makeTracker(random.hex(6), ORGANIC, ['', '', ''], network.weight));
    for (const campaign of network.campaigns) {
      const levels = [campaign, random.pick(ADGROUPS), random.pick(CREATIVES)] as const;
      trackers.push(makeTracker(random.hex(6), network.name, levels, network.weight / network.campaigns.length));
    }
  }
  return trackers;
}

// The link's placeholders: tracker_name joins the four levels with `::` (just "Organic" for organic).
function makeTracker(token: string, network: string, [campaign, adgroup, creative]: readonly string[], weight: number): Tracker {
  const name = network === ORGANIC ? ORGANIC : `${network}::${campaign}::${adgroup}::${creative}`;
  const values = {
    tracker: token,
    tracker_name: name,
    network_name: network,
    campaign_name: campaign,
    adgroup_name: adgroup,
    creative_name: creative,
    is_organic: network === ORGANIC ? 1 : 0,
  };
  return { token, network, name, weight, values };
}

export function makeProfile(random: Random, app: DemoApp): DeviceProfile {
  const ios = app.platform === 'ios';
  const country = random.weighted(COUNTRIES, (c) => c.weight);
  const [deviceName, deviceType] = random.pick(DEVICE_MODELS[app.platform]);
  const limitAdTracking = random.chance(0.05);
  const attConsent = random.chance(0.3);
  const zeroIdfa = '00000000-0000-0000-0000-000000000000';
  return {
    adid: random.hex(32),
    idfa: ios ? (attConsent ? random.uuid().toUpperCase() : random.chance(0.1) ? zeroIdfa : '') : '',
    idfv: ios ? random.uuid().toUpperCase() : '',
    gps_adid: !ios && !limitAdTracking ? random.uuid() : '',
    android_id: !ios && limitAdTracking ? random.hex(16) : '',
    country: country.code,
    city: random.chance(0.8) ? random.pick(country.cities) : '',
    language: country.language,
    timezone: country.timezone,
    os_version: random.pick(OS_VERSIONS[app.platform]),
    device_name: deviceName,
    device_type: deviceType,
  };
}

const appLayers = new Map<string, CallbackValues>();

// The app's placeholders, the same in every callback of the app and environment.
export function appValues(app: DemoApp, environment: 'production' | 'sandbox'): CallbackValues {
  const key = `${app.token}:${environment}`;
  let values = appLayers.get(key);
  if (!values) {
    values = {
      app_token: app.token,
      app_id: app.appId,
      app_name: app.name,
      app_version: app.version,
      store: app.store,
      os_name: app.platform,
      environment,
    };
    appLayers.set(key, values);
  }
  return values;
}
