// The callback URLs the demo's apps pasted into Adjust's settings: which placeholders, in which order.

// The revenue placeholders, in URL order: the global URL has them, the recipes app's shorter one does not.
const REVENUE_KEYS = ['revenue', 'revenue_float', 'revenue_usd', 'currency', 'reporting_revenue', 'reporting_currency'] as const;

// The global callback URL every app pasted into Adjust (keys in URL order). Adjust sends every key, with
// an empty value when it has no data for it.
export const GLOBAL_TEMPLATE = [
  'activity_kind',
  'created_at',
  'installed_at',
  'click_time',
  'reattributed_at',
  'attribution_updated_at',
  'adid',
  'idfa',
  'idfv',
  'gps_adid',
  'android_id',
  'app_token',
  'app_id',
  'app_name',
  'app_version',
  'environment',
  'store',
  'tracker',
  'tracker_name',
  'network_name',
  'campaign_name',
  'adgroup_name',
  'creative_name',
  'is_organic',
  'outdated_tracker',
  'outdated_tracker_name',
  'conversion_duration',
  'rejection_reason',
  'country',
  'city',
  'language',
  'os_name',
  'os_version',
  'device_type',
  'device_name',
  'timezone',
  'event',
  'event_name',
  ...REVENUE_KEYS,
  'last_time_spent',
  'time_spent',
  'last_session_time',
  'session_count',
  'lifetime_session_count',
  'ip_address',
  'user_agent',
] as const;
const NO_REVENUE = new Set<string>([...REVENUE_KEYS, 'rejection_reason']);
const LINK_LEVELS = new Set(['network_name', 'campaign_name', 'adgroup_name', 'creative_name']);

// A shorter URL plus a placeholder Adjust does not support, which therefore arrives as literal `{segment}`.
export const RECIPES_TEMPLATE = [...GLOBAL_TEMPLATE.filter((key) => !NO_REVENUE.has(key)), 'segment'];
// An older URL, set up before the link-level placeholders: the channel comes from tracker_name's first
// `::` segment. Plus the link label and the deep link (a percent-encoded URL), mostly empty.
export const BUDGET_TEMPLATE = [...GLOBAL_TEMPLATE.filter((key) => !LINK_LEVELS.has(key)), 'label', 'deeplink'];
// The per-event callback next to the global one: fewer placeholders, the same activity (app_token
// included, so that the collector recognises the second copy).
export const EVENT_CALLBACK_TEMPLATE = [
  'activity_kind',
  'created_at',
  'app_token',
  'app_name',
  'adid',
  'environment',
  'event',
  'event_name',
  'country',
  'os_name',
  'tracker_name',
];
