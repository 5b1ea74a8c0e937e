import { randomBytes } from 'node:crypto';

// Realistic Adjust callbacks as they arrive at the collector: the placeholders Adjust substitutes in a
// global callback URL, with empty values for ids the device does not have, the odd unsubstituted
// `{placeholder}`, and the app's own callback parameters appended. Values here are decoded; `adjustQuery`
// percent-encodes them the way Adjust does (`%3A%3A` in tracker names, `{…}` placeholders left as they are).

export const CALLBACK_PATH = '/api/v1/adjust/callback';
export const TRACKER_NAME = 'Network1::Christmas::Reindeers::320x70_en';
export const ENCODED_TRACKER_NAME = 'Network1%3A%3AChristmas%3A%3AReindeers%3A%3A320x70_en';

// 2026-11-20T10:00:00Z and neighbours: recent, so a "late" activity is clearly older.
export const NOW_EPOCH = 1_795_168_800;

type Overrides = Record<string, string | null>;

export function newAdid(): string {
  return randomBytes(16).toString('hex');
}

// Common device and attribution placeholders of an Android production install.
function base(kind: string, overrides: Overrides): URLSearchParams {
  return build(
    {
      activity_kind: kind,
      created_at: String(NOW_EPOCH),
      adid: newAdid(),
      gps_adid: '38400000-8cf0-11bd-b23e-10b96e40000d',
      idfa: '',
      idfv: '',
      android_id: '{android_id}',
      app_token: 'abc123xyz789',
      app_id: 'com.example.fitapp',
      app_name: 'com.example.fitapp',
      app_version: '3.4.1',
      environment: 'production',
      store: 'google',
      tracker: 'abc123',
      tracker_name: TRACKER_NAME,
      network_name: 'Network1',
      campaign_name: 'Christmas',
      adgroup_name: 'Reindeers',
      creative_name: '320x70_en',
      is_organic: '0',
      country: 'DE',
      city: 'Berlin',
      os_name: 'Android',
      os_version: '14',
      device_type: 'phone',
      device_name: 'Pixel 8',
      timezone: 'UTC+0100',
    },
    overrides,
  );
}

export function installCallback(overrides: Overrides = {}): URLSearchParams {
  return base('install', {
    installed_at: String(NOW_EPOCH - 2),
    click_time: String(NOW_EPOCH - 75),
    conversion_duration: '73',
    ...overrides,
  });
}

export function sessionCallback(overrides: Overrides = {}): URLSearchParams {
  return base('session', {
    installed_at: String(NOW_EPOCH - 86_400 * 3),
    last_time_spent: '412',
    time_spent: '0',
    last_session_time: String(NOW_EPOCH - 7_200),
    session_count: '34',
    lifetime_session_count: '185',
    ...overrides,
  });
}

// A registration event; `user_id` is the app's own callback parameter, appended by the SDK.
export function eventCallback(overrides: Overrides = {}): URLSearchParams {
  return base('event', {
    installed_at: String(NOW_EPOCH - 86_400),
    event: 'reg7k2',
    event_name: 'registration',
    session_count: '2',
    user_id: '42',
    ...overrides,
  });
}

export function reattributionCallback(overrides: Overrides = {}): URLSearchParams {
  return base('reattribution', {
    installed_at: String(NOW_EPOCH - 86_400 * 60),
    reattributed_at: String(NOW_EPOCH),
    click_time: String(NOW_EPOCH - 300),
    tracker: 'def456',
    tracker_name: 'AppLovin::Winback (7788123)::All::Video',
    network_name: 'AppLovin',
    campaign_name: 'Winback (7788123)',
    adgroup_name: 'All',
    creative_name: 'Video',
    ...overrides,
  });
}

export function installUpdateCallback(overrides: Overrides = {}): URLSearchParams {
  return base('install_update', {
    installed_at: String(NOW_EPOCH - 600),
    attribution_updated_at: String(NOW_EPOCH),
    outdated_tracker: 'abc123',
    outdated_tracker_name: TRACKER_NAME,
    tracker: 'ghi789',
    tracker_name: 'Facebook Installs::Summer::Lookalike::Carousel',
    network_name: 'Facebook Installs',
    campaign_name: 'Summer',
    adgroup_name: 'Lookalike',
    creative_name: 'Carousel',
    ...overrides,
  });
}

export function rejectedInstallCallback(overrides: Overrides = {}): URLSearchParams {
  return base('rejected_install', {
    rejection_reason: 'click_injection',
    click_time: String(NOW_EPOCH - 3),
    ...overrides,
  });
}

// A click comes from an Adjust link, not from an SDK: no adid, no device placeholders.
export function clickCallback(overrides: Overrides = {}): URLSearchParams {
  return build(
    {
      activity_kind: 'click',
      created_at: String(NOW_EPOCH),
      adid: '',
      app_token: 'abc123xyz789',
      tracker: 'abc123',
      tracker_name: TRACKER_NAME,
      network_name: 'Network1',
      country: 'US',
      user_agent: 'Mozilla/5.0 (Linux; Android 14)',
    },
    overrides,
  );
}

function build(defaults: Record<string, string>, overrides: Overrides): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...defaults, ...overrides })) if (value !== null) params.append(key, value);
  return params;
}

// Percent-encodes like Adjust: every unsafe character encoded, literal `{placeholder}` text left raw.
export function adjustQuery(params: URLSearchParams): string {
  return [...params]
    .map(([key, value]) => `${encodeURIComponent(key)}=${/^\{[^{}]*\}$/.test(value) ? value : encodeURIComponent(value)}`)
    .join('&');
}

export function callbackUrl(params: URLSearchParams | string): string {
  return `${CALLBACK_PATH}?${typeof params === 'string' ? params : adjustQuery(params)}`;
}

export function toRecord(params: URLSearchParams): Record<string, string> {
  return Object.fromEntries(params);
}
