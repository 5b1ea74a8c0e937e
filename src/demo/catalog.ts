// The demo's fictional portfolio: three apps on Android and iOS, the networks that bring their users
// (campaign names embed network ids as "Name (123)", as networks send them), the countries and devices
// of those users. Ported from bench/adjust-traffic.mjs.

import { BUDGET_TEMPLATE, GLOBAL_TEMPLATE, RECIPES_TEMPLATE } from './callback-templates.js';

export type Platform = 'android' | 'ios';

export type DemoApp = {
  name: string; // the bundle id, which the klips use as the app
  platform: Platform;
  token: string; // Adjust's 12-character app token
  appId: string; // the store id
  version: string;
  store: 'google' | 'itunes';
  // share of the portfolio's users
  weight: number;
  // behaviour of an active user on one day
  sessionsPerDay: number;
  medianSessionSeconds: number;
  eventsPerSession: number;
  registrationRate: number; // share of new users who register in their first days
  template: readonly string[]; // the global callback URL's placeholders (callback-templates.ts)
  // Adjust sends a registration twice when an event callback is set up next to the global one
  registrationCallback: boolean;
  events: { registration: string; purchase: string | null; other: readonly (readonly [token: string, name: string])[] };
};

export type Network = { name: string; weight: number; campaigns: readonly string[] };

export type Country = { code: string; weight: number; cities: readonly string[]; language: string; timezone: string };

export const ORGANIC = 'Organic';

export const NETWORKS: readonly Network[] = [
  { name: ORGANIC, weight: 40, campaigns: [] },
  { name: 'Facebook Installs', weight: 14, campaigns: ['Summer Sale (23851234)', 'Lookalike US (23851299)'] },
  { name: 'Google Ads UAC', weight: 14, campaigns: ['UAC Installs (17000123)', 'UAC tROAS (17000456)'] },
  { name: 'AppLovin', weight: 8, campaigns: ['Winback (7788123)', 'Rewarded Video (7788456)'] },
  { name: 'TikTok for Business', weight: 8, campaigns: ['Spring Push (1733001)', 'Creators (1733002)'] },
  { name: 'Apple Search Ads', weight: 6, campaigns: ['Brand Keywords (55501)', 'Competitors (55502)'] },
  { name: 'Unity Ads', weight: 5, campaigns: ['Playable Q4 (9081)', 'Interstitial (9082)'] },
  { name: 'Instagram Installs', weight: 5, campaigns: ['Stories Reach (23850001)', 'Reels (23850002)'] },
];
export const ADGROUPS = ['All', 'Broad 18-34', 'Lookalike 1%', 'Retargeting 30d'] as const;
export const CREATIVES = ['320x50_en', 'Video 15s', 'Carousel', 'Playable v2'] as const;
export const REJECTION_REASONS = ['too_many_engagements', 'anonymous_ip', 'click_injection', 'distribution_outlier'] as const;

export const COUNTRIES: readonly Country[] = [
  { code: 'us', weight: 30, cities: ['New York', 'Los Angeles', 'Chicago', 'Houston'], language: 'en', timezone: 'UTC-0500' },
  { code: 'de', weight: 12, cities: ['Berlin', 'Hamburg', 'München', 'Köln'], language: 'de', timezone: 'UTC+0100' },
  { code: 'gb', weight: 10, cities: ['London', 'Manchester', 'Birmingham'], language: 'en', timezone: 'UTC+0000' },
  { code: 'in', weight: 10, cities: ['Mumbai', 'Delhi', 'Bengaluru'], language: 'hi', timezone: 'UTC+0530' },
  { code: 'br', weight: 8, cities: ['São Paulo', 'Rio de Janeiro'], language: 'pt', timezone: 'UTC-0300' },
  { code: 'fr', weight: 8, cities: ['Paris', 'Lyon', 'Marseille'], language: 'fr', timezone: 'UTC+0100' },
  { code: 'mx', weight: 6, cities: ['Ciudad de México', 'Guadalajara'], language: 'es', timezone: 'UTC-0600' },
  { code: 'jp', weight: 6, cities: ['Tokyo', 'Osaka'], language: 'ja', timezone: 'UTC+0900' },
  { code: 'es', weight: 5, cities: ['Madrid', 'Barcelona'], language: 'es', timezone: 'UTC+0100' },
  { code: 'it', weight: 5, cities: ['Roma', 'Milano'], language: 'it', timezone: 'UTC+0100' },
];

export const DEVICE_MODELS: Record<Platform, readonly [name: string, type: string][]> = {
  android: [
    ['Pixel 8', 'phone'],
    ['SM-S918B', 'phone'],
    ['SM-A546B', 'phone'],
    ['Redmi Note 12', 'phone'],
    ['SM-X710', 'tablet'],
  ],
  ios: [
    ['iPhone15,2', 'phone'],
    ['iPhone16,1', 'phone'],
    ['iPhone14,7', 'phone'],
    ['iPad13,18', 'tablet'],
  ],
};
export const OS_VERSIONS: Record<Platform, readonly string[]> = {
  android: ['12', '13', '14', '15'],
  ios: ['16.7.2', '17.5.1', '18.1', '18.2.1'],
};
export const USER_AGENTS: Record<Platform, string> = {
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
  ios: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
};

const FITAPP_EVENTS = (registration: string, purchase: string, level: string, tutorial: string, cart: string) => ({
  registration,
  purchase,
  other: [
    [level, 'level_complete'],
    [tutorial, 'tutorial_complete'],
    [cart, 'add_to_cart'],
  ] as const,
});
const RECIPES_EVENTS = (registration: string, saved: string, share: string) => ({
  registration,
  purchase: null,
  other: [
    [saved, 'recipe_saved'],
    [share, 'share'],
  ] as const,
});
const BUDGET_EVENTS = (registration: string, purchase: string, bank: string, report: string) => ({
  registration,
  purchase,
  other: [
    [bank, 'bank_linked'],
    [report, 'export_report'],
  ] as const,
});

type Behaviour = Pick<DemoApp, 'name' | 'sessionsPerDay' | 'medianSessionSeconds' | 'eventsPerSession' | 'registrationRate'>;
const fitapp: Behaviour = {
  name: 'com.example.fitapp',
  sessionsPerDay: 2.2,
  medianSessionSeconds: 420,
  eventsPerSession: 0.6,
  registrationRate: 0.45,
};
const recipes: Behaviour = {
  name: 'com.example.recipes',
  sessionsPerDay: 1.4,
  medianSessionSeconds: 300,
  eventsPerSession: 0.5,
  registrationRate: 0.3,
};
const budget: Behaviour = {
  name: 'com.example.budget',
  sessionsPerDay: 1.8,
  medianSessionSeconds: 150,
  eventsPerSession: 0.4,
  registrationRate: 0.55,
};

function app(behaviour: Behaviour, platform: Platform, token: string, appId: string, version: string, weight: number) {
  return { ...behaviour, platform, token, appId, version, weight, store: platform === 'ios' ? 'itunes' : 'google' } as const;
}

export const DEMO_APPS: readonly DemoApp[] = [
  {
    ...app(fitapp, 'android', 'x7fq2kd9m3aa', 'com.example.fitapp', '3.4.1', 30),
    template: GLOBAL_TEMPLATE,
    registrationCallback: true,
    events: FITAPP_EVENTS('reg7k2', 'pur4x9', 'lvl3qa', 'tut8mz', 'crt5pw'),
  },
  {
    ...app(fitapp, 'ios', 'w2mz8r1c5tqb', '1488123456', '3.4.0', 25),
    template: GLOBAL_TEMPLATE,
    registrationCallback: true,
    events: FITAPP_EVENTS('rg2k9d', 'pc7h1s', 'lv4nqe', 'tu1xcv', 'ct9bmw'),
  },
  {
    ...app(recipes, 'android', 'p9c4v6n2b8zd', 'com.example.recipes', '12.0.3', 15),
    template: RECIPES_TEMPLATE,
    registrationCallback: false,
    events: RECIPES_EVENTS('sgn5up', 'rcp1sv', 'shr7lk'),
  },
  {
    ...app(recipes, 'ios', 'm5t1h8k3q0ve', '1523456789', '12.0.1', 10),
    template: RECIPES_TEMPLATE,
    registrationCallback: false,
    events: RECIPES_EVENTS('sgn2ip', 'rcp8sv', 'shr3lk'),
  },
  {
    ...app(budget, 'android', 'b3n8x2w6r4ya', 'com.example.budget', '2.19.0', 12),
    template: BUDGET_TEMPLATE,
    registrationCallback: true,
    events: BUDGET_EVENTS('acc1nt', 'sub9mo', 'bnk4ln', 'exp2rt'),
  },
  {
    ...app(budget, 'ios', 'j6d0s5f9g1uc', '1601234567', '2.18.4', 8),
    template: BUDGET_TEMPLATE,
    registrationCallback: true,
    events: BUDGET_EVENTS('acc7io', 'sub3yr', 'bnk8ln', 'exp6rt'),
  },
];

// The registration event's name in every app's Adjust dashboard: what REGISTRATION_EVENTS counts by default.
export const REGISTRATION_EVENT_NAME = 'registration';

// Hours east of UTC of a `UTC+0530` time zone.
export function utcOffsetHours(timezone: string): number {
  const match = /^UTC([+-])(\d\d)(\d\d)$/.exec(timezone);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) + Number(match[3]) / 60);
}
