import { describe, expect, it } from '@jest/globals';
import {
  ACTIVITIES_WITHOUT_DEVICE,
  ACTIVITY_COLUMNS,
  parseCallback,
  type AdjustActivity,
  type ParseResult,
} from '../../src/collector/callback-parser.js';

const ADID = '18546f6171f67e29d1cb983322ad1329';
const CREATED_AT = 1404214665; // 2014-07-01T11:37:45Z

function installParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    activity_kind: 'install',
    created_at: String(CREATED_AT),
    installed_at: '1404214634',
    click_time: '1404214562',
    adid: ADID,
    gps_adid: '38400000-8cf0-11bd-b23e-10b96e40000d',
    app_token: 'abc123xyz789',
    app_id: 'com.example.fitapp',
    app_name: 'com.example.fitapp',
    app_version: '3.4.1',
    environment: 'production',
    store: 'google',
    tracker: 'abc123',
    tracker_name: 'Network1::Christmas::Reindeers::320x70_en',
    network_name: 'Network1',
    campaign_name: 'Christmas',
    adgroup_name: 'Reindeers',
    creative_name: '320x70_en',
    is_organic: '0',
    country: 'de',
    os_name: 'android',
    os_version: '14',
    device_type: 'phone',
    device_name: 'Pixel 8',
    city: 'Berlin',
    token: 'callback-secret',
    ...overrides,
  };
}

function sessionParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    activity_kind: 'session',
    created_at: '1522835851',
    adid: ADID,
    app_token: 'abc123xyz789',
    app_name: 'com.example.fitapp',
    environment: 'production',
    last_time_spent: '412',
    time_spent: '0',
    last_session_time: '1522835836',
    session_count: '34',
    lifetime_session_count: '185',
    token: 'callback-secret',
    ...overrides,
  };
}

function eventParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return sessionParams({ activity_kind: 'event', event: 'bkrfgq', event_name: 'registration', ...overrides });
}

function activityOf(params: Record<string, unknown>): AdjustActivity {
  const result = parseCallback(params);
  if (result.kind !== 'activity') throw new Error(`expected an activity, got: ${result.reason}`);
  return result.activity;
}

function reasonOf(params: Record<string, unknown>): string {
  const result = parseCallback(params);
  if (result.kind !== 'rejected') throw new Error('expected a rejection');
  return result.reason;
}

function keyOf(params: Record<string, unknown>): string {
  return activityOf(params).dedup_key.toString('hex');
}

function at(seconds: number): Date {
  return new Date(seconds * 1000);
}

describe(parseCallback.name, () => {
  describe('realistic callbacks', () => {
    it('parses an install into typed columns and keeps other placeholders in extra', () => {
      const activity = activityOf(installParams());

      expect(activity).toMatchObject({
        activity_kind: 'install',
        created_at: at(CREATED_AT),
        installed_at: at(1404214634),
        click_time: at(1404214562),
        reattributed_at: null,
        adid: ADID,
        gps_adid: '38400000-8cf0-11bd-b23e-10b96e40000d',
        idfa: null,
        app_token: 'abc123xyz789',
        app_name: 'com.example.fitapp',
        tracker_name: 'Network1::Christmas::Reindeers::320x70_en',
        network_name: 'Network1',
        is_organic: false,
        country: 'de',
        os_name: 'android',
        event: null,
        revenue: null,
      });
      expect({ ...activity.extra }).toEqual({ city: 'Berlin' });
    });

    it('returns every column of mob.adjust and nothing else', () => {
      const activity = activityOf(installParams());

      expect(Object.keys(activity).sort()).toEqual([...ACTIVITY_COLUMNS].sort());
      expect(new Set(ACTIVITY_COLUMNS).size).toBe(ACTIVITY_COLUMNS.length);
      expect(ACTIVITY_COLUMNS[0]).toBe('dedup_key');
      expect(ACTIVITY_COLUMNS.at(-1)).toBe('extra');
    });

    it('reads the previous session length and time of a session', () => {
      const activity = activityOf(sessionParams());

      expect(activity).toMatchObject({
        activity_kind: 'session',
        created_at: at(1522835851),
        last_time_spent: 412,
        time_spent: 0,
        last_session_time: at(1522835836),
        session_count: 34,
        lifetime_session_count: 185,
      });
    });

    it('reads the event token and name and keeps app callback parameters such as user_id in extra', () => {
      const activity = activityOf(eventParams({ user_id: 'u-4711', plan: 'trial' }));

      expect(activity.event).toBe('bkrfgq');
      expect(activity.event_name).toBe('registration');
      expect({ ...activity.extra }).toEqual({ user_id: 'u-4711', plan: 'trial' });
    });

    it('reads revenue placeholders of a revenue event', () => {
      const activity = activityOf(
        eventParams({
          revenue: '345',
          revenue_float: '3.45',
          revenue_usd: '3.71',
          currency: 'eur',
          reporting_revenue: '3.45',
          reporting_currency: 'EUR',
        }),
      );

      expect(activity).toMatchObject({
        revenue: 345,
        revenue_float: 3.45,
        revenue_usd: 3.71,
        currency: 'eur',
        reporting_revenue: 3.45,
        reporting_currency: 'EUR',
      });
    });

    it('reads reattributed_at of a reattribution', () => {
      const activity = activityOf(installParams({ activity_kind: 'reattribution', reattributed_at: '1418174568' }));

      expect(activity.activity_kind).toBe('reattribution');
      expect(activity.reattributed_at).toEqual(at(1418174568));
    });

    it('accepts an install_update and keeps the outdated tracker in extra', () => {
      const activity = activityOf(
        installParams({
          activity_kind: 'install_update',
          outdated_tracker: 'old123',
          outdated_tracker_name: 'Organic',
        }),
      );

      expect(activity.activity_kind).toBe('install_update');
      expect(activity.extra).toMatchObject({ outdated_tracker: 'old123', outdated_tracker_name: 'Organic' });
    });

    it('accepts a rejected_install as it is (the metrics exclude it, not the parser)', () => {
      const activity = activityOf(installParams({ activity_kind: 'rejected_install', rejection_reason: 'too_many_engagements' }));

      expect(activity.activity_kind).toBe('rejected_install');
      expect(activity.extra.rejection_reason).toBe('too_many_engagements');
    });

    it('keeps environment=sandbox so the metrics can exclude it', () => {
      expect(activityOf(sessionParams({ environment: 'sandbox' })).environment).toBe('sandbox');
    });

    it('accepts a JSON body with numbers and booleans', () => {
      const activity = activityOf(
        sessionParams({
          created_at: 1522835851,
          is_organic: true,
          session_count: 34,
          revenue: 1.5,
        }),
      );

      expect(activity).toMatchObject({ created_at: at(1522835851), is_organic: true, session_count: 34, revenue: 1.5 });
    });
  });

  describe('normalisation', () => {
    it('trims and lower-cases activity_kind, country and os_name', () => {
      const activity = activityOf(installParams({ activity_kind: ' Install ', country: ' DE', os_name: 'iOS ' }));

      expect(activity).toMatchObject({ activity_kind: 'install', country: 'de', os_name: 'ios' });
    });

    it('keeps text fields as given, spaces included', () => {
      expect(activityOf(installParams({ campaign_name: ' Summer (7788123) ' })).campaign_name).toBe(' Summer (7788123) ');
    });

    it.each([
      ['an empty value', ''],
      ['a whitespace-only value', ' \t '],
      ['an unsubstituted placeholder', '{idfa}'],
      ['a placeholder with spaces around it', ' {network_name} '],
      ['an empty placeholder', '{}'],
    ])('stores %s as NULL and keeps it out of extra', (_name, value) => {
      const activity = activityOf(
        installParams({ idfa: value, network_name: value, installed_at: value, is_organic: value, city: value, region: value }),
      );

      expect(activity).toMatchObject({ idfa: null, network_name: null, installed_at: null, is_organic: null });
      expect({ ...activity.extra }).toEqual({});
    });

    it('keeps values that merely contain braces', () => {
      const activity = activityOf(installParams({ campaign_name: 'Summer {2024}', label: '{a}{b}' }));

      expect(activity.campaign_name).toBe('Summer {2024}');
      expect(activity.extra.label).toBe('{a}{b}');
    });

    it('stores a nested object as JSON text rather than mistaking it for a placeholder', () => {
      const activity = activityOf(installParams({ meta: { a: 1 }, empty: {} }));

      expect(activity.extra).toMatchObject({ meta: '{"a":1}', empty: '{}' });
    });

    it('strips NUL characters from values, extra keys and nested JSON', () => {
      const activity = activityOf(
        installParams({
          network_name: 'Net\u0000work1',
          'user\u0000_id': 'u\u00001',
          meta: { 'k\u0000': 'v\u0000' },
          blank: '\u0000\u0000',
        }),
      );

      expect(activity.network_name).toBe('Network1');
      expect(activity.extra).toMatchObject({ user_id: 'u1', meta: '{"k":"v"}' });
      expect(activity.extra).not.toHaveProperty('blank');
    });

    it('reads a typed field whose key contains a NUL', () => {
      const { country: _country, ...params } = installParams();

      expect(activityOf({ ...params, 'coun\u0000try': 'FR' }).country).toBe('fr');
    });
  });

  describe('repeated keys', () => {
    it('types the first element and keeps the whole array in extra', () => {
      const activity = activityOf(installParams({ network_name: ['Network1', 'Network2'], session_count: ['3', 'x'] }));

      expect(activity.network_name).toBe('Network1');
      expect(activity.session_count).toBe(3);
      expect(activity.extra).toMatchObject({
        network_name: '["Network1","Network2"]',
        session_count: '["3","x"]',
      });
    });

    it('keeps a single-element array out of extra', () => {
      const activity = activityOf(installParams({ created_at: [String(CREATED_AT)], network_name: ['Network1'] }));

      expect(activity.created_at).toEqual(at(CREATED_AT));
      expect(activity.network_name).toBe('Network1');
      expect({ ...activity.extra }).toEqual({ city: 'Berlin' });
    });

    it('keeps a repeated app parameter as a JSON array', () => {
      expect(activityOf(eventParams({ tag: ['a', 'b'] })).extra.tag).toBe('["a","b"]');
    });

    it('treats an empty array as a missing value', () => {
      const activity = activityOf(installParams({ idfa: [], tag: [] }));

      expect(activity.idfa).toBeNull();
      expect(activity.extra).not.toHaveProperty('tag');
    });
  });

  describe('typed fields that do not parse', () => {
    it.each([
      ['installed_at', 'yesterday'],
      ['installed_at', '0'],
      ['click_time', '99999999999'],
      ['reattributed_at', '1.4e9'],
      ['last_session_time', '-1404214665'],
      ['session_count', '2147483648'],
      ['lifetime_session_count', '-2147483649'],
      ['time_spent', '3.5'],
      ['last_time_spent', '12s'],
      ['revenue', 'abc'],
      ['revenue_float', '1e400'],
      ['revenue_usd', 'Infinity'],
      ['reporting_revenue', '0x10'],
      ['is_organic', 'yes'],
      ['is_organic', '2'],
    ])('stores %s=%j as NULL and keeps the raw value in extra', (field, raw) => {
      const activity = activityOf(installParams({ [field]: raw }));

      expect(activity[field as keyof AdjustActivity]).toBeNull();
      expect(activity.extra[field]).toBe(raw);
    });

    it.each([
      ['click_time', '1404214562.75', at(1404214562)],
      ['session_count', '-2147483648', -2147483648],
      ['session_count', '2147483647', 2147483647],
      ['session_count', '+7', 7],
      ['revenue', '-1.5', -1.5],
      ['revenue', '.5', 0.5],
      ['revenue', '1e3', 1000],
      ['is_organic', '1', true],
      ['is_organic', 'TRUE', true],
      ['is_organic', 'false', false],
    ])('accepts %s=%j', (field, raw, expected) => {
      const activity = activityOf(installParams({ [field]: raw }));

      expect(activity[field as keyof AdjustActivity]).toEqual(expected);
      expect(activity.extra).not.toHaveProperty(field);
    });

    it('floors a decimal created_at to whole seconds', () => {
      expect(activityOf(installParams({ created_at: '1404214665.999' })).created_at).toEqual(at(CREATED_AT));
    });
  });

  describe('rejections', () => {
    it.each([
      ['activity_kind is absent', { activity_kind: undefined }, 'activity_kind is missing'],
      ['activity_kind is empty', { activity_kind: '  ' }, 'activity_kind is missing'],
      ['activity_kind is a placeholder', { activity_kind: '{activity_kind}' }, 'activity_kind is missing'],
      ['created_at is absent', { created_at: undefined }, 'created_at is missing'],
      ['created_at is a placeholder', { created_at: '{created_at}' }, 'created_at is missing'],
      ['created_at is text', { created_at: 'abc' }, 'created_at must be Unix seconds, got "abc"'],
      ['created_at is an ISO date', { created_at: '2014-07-01T11:37:45Z' }, 'created_at must be Unix seconds, got "2014-07-01T11:37:45Z"'],
      ['created_at is before 2000', { created_at: '946684799' }, 'created_at must be between 2000-01-01 and 2100-01-01, got "946684799"'],
      [
        'created_at is in milliseconds',
        { created_at: '1404214665000' },
        'created_at must be between 2000-01-01 and 2100-01-01, got "1404214665000"',
      ],
      ['adid is absent on an install', { adid: undefined }, 'adid is missing for activity_kind "install"'],
      ['adid is a placeholder on an install', { adid: '{adid}' }, 'adid is missing for activity_kind "install"'],
    ])('rejects a callback when %s', (_name, overrides, reason) => {
      expect(reasonOf(installParams(overrides))).toBe(reason);
    });

    it('checks activity_kind before created_at and adid', () => {
      expect(reasonOf({ created_at: 'abc' })).toBe('activity_kind is missing');
      expect(reasonOf({ activity_kind: 'session', created_at: 'abc' })).toMatch(/^created_at/);
    });

    it('accepts created_at at both ends of the plausible range', () => {
      expect(activityOf(installParams({ created_at: '946684800' })).created_at).toEqual(new Date('2000-01-01T00:00:00Z'));
      expect(activityOf(installParams({ created_at: '4102444800' })).created_at).toEqual(new Date('2100-01-01T00:00:00Z'));
    });

    it('truncates a long quoted value to 40 characters', () => {
      const reason = reasonOf(installParams({ created_at: `${'x'.repeat(39)}😀${'y'.repeat(5000)}` }));

      expect(reason).toBe(`created_at must be Unix seconds, got "${'x'.repeat(39)}😀…"`);
    });

    it.each([
      'install',
      'session',
      'event',
      'reattribution',
      'reinstall',
      'uninstall',
      'install_update',
      'rejected_install',
      'att_update',
      'ad_revenue',
    ])('rejects activity_kind=%s without adid', (kind) => {
      expect(reasonOf(installParams({ activity_kind: kind, adid: '' }))).toBe(`adid is missing for activity_kind "${kind}"`);
    });

    it.each([...ACTIVITIES_WITHOUT_DEVICE])('accepts activity_kind=%s without adid', (kind) => {
      const activity = activityOf(installParams({ activity_kind: kind, adid: undefined }));

      expect(activity.activity_kind).toBe(kind);
      expect(activity.adid).toBeNull();
    });

    it('accepts an unknown activity kind, since Adjust adds kinds over time', () => {
      expect(activityOf(sessionParams({ activity_kind: 'subscription_renewal' })).activity_kind).toBe('subscription_renewal');
    });

    it.each([
      ['null', null],
      ['a string', 'activity_kind=install'],
      ['a number', 42],
      ['an array', ['install']],
    ])('rejects %s given instead of parameters without throwing', (_name, params) => {
      expect(reasonOf(params as unknown as Record<string, unknown>)).toBe('activity_kind is missing');
    });
  });

  describe('untrusted keys', () => {
    it('never keeps the callback secret token', () => {
      const activity = activityOf(installParams({ token: ['s1', 's2'], 'tok\u0000en': 's3' }));

      expect(activity.extra).not.toHaveProperty('token');
      expect(JSON.stringify(activity.extra)).not.toMatch(/s1|s2|s3|callback-secret/);
    });

    it('drops __proto__ without touching any prototype and keeps constructor as plain data', () => {
      const params = JSON.parse(
        `{"activity_kind":"click","created_at":"${CREATED_AT}","__proto__":{"polluted":"yes"},"constructor":"c","toString":"t"}`,
      ) as Record<string, unknown>;
      const activity = activityOf(params);

      expect(Object.keys(activity.extra).sort()).toEqual(['constructor', 'toString']);
      expect(activity.extra.constructor).toBe('c');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('returns an extra without inherited keys, so extra[key] only ever finds a parameter', () => {
      const { extra } = activityOf(installParams());

      expect('toString' in extra).toBe(false);
      expect(extra.constructor).toBeUndefined();
    });

    it('ignores inherited and symbol keys', () => {
      const params = Object.create({ activity_kind: 'install' }) as Record<string | symbol, unknown>;
      params.created_at = String(CREATED_AT);
      params[Symbol('adid')] = ADID;

      expect(reasonOf(params as Record<string, unknown>)).toBe('activity_kind is missing');
    });

    it('rejects instead of throwing when reading a parameter throws', () => {
      const params = installParams();
      Object.defineProperty(params, 'adid', {
        enumerable: true,
        get: () => {
          throw new Error('boom');
        },
      });

      expect(reasonOf(params)).toBe('callback could not be parsed');
    });

    it('keeps a nested object it cannot serialise out of the result instead of throwing', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const activity = activityOf(installParams({ cyclic, big: 10n }));

      expect(activity.extra).not.toHaveProperty('cyclic');
      expect(activity.extra.big).toBe('10');
    });
  });

  describe('dedup_key', () => {
    it('is 16 bytes', () => {
      expect(activityOf(installParams()).dedup_key).toHaveLength(16);
    });

    it('is equal for a global and an event callback of the same event with different extra parameters', () => {
      const global = eventParams({ user_id: 'u-4711', city: 'Berlin', country: 'de' });
      const perEvent = {
        activity_kind: 'event',
        created_at: '1522835851',
        adid: ADID,
        app_token: 'abc123xyz789',
        event: 'bkrfgq',
        plan: 'trial',
        token: 'other',
      };

      expect(keyOf(perEvent)).toBe(keyOf(global));
    });

    it('is equal for a retried callback and ignores sub-second created_at', () => {
      expect(keyOf(sessionParams({ created_at: '1522835851.4' }))).toBe(keyOf(sessionParams()));
    });

    it.each([
      ['created_at', { created_at: '1522835852' }],
      ['app_token', { app_token: 'zzz999zzz999' }],
      ['event token', { event: 'abcdef' }],
      ['adid', { adid: 'ffffffffffffffffffffffffffffffff' }],
      ['activity_kind', { activity_kind: 'session' }],
    ])('differs when %s differs', (_name, overrides) => {
      expect(keyOf(eventParams(overrides))).not.toBe(keyOf(eventParams()));
    });

    it('identifies the app by app_token, then app_id, then app_name', () => {
      const withoutToken = { app_token: undefined, app_id: 'com.example.fitapp', app_name: 'Fit' };

      expect(keyOf(eventParams({ app_name: 'renamed' }))).toBe(keyOf(eventParams()));
      expect(keyOf(eventParams({ ...withoutToken, app_name: 'renamed' }))).toBe(keyOf(eventParams(withoutToken)));
      expect(keyOf(eventParams({ ...withoutToken, app_id: 'com.other' }))).not.toBe(keyOf(eventParams(withoutToken)));
      expect(keyOf(eventParams({ app_token: undefined, app_name: 'B' }))).not.toBe(
        keyOf(eventParams({ app_token: undefined, app_name: 'A' })),
      );
    });

    it('ignores an event token on activities that are not events', () => {
      expect(keyOf(sessionParams({ event: 'bkrfgq' }))).toBe(keyOf(sessionParams()));
    });

    it('cannot be forged by moving a separator between values', () => {
      // Joined naively, both would read "a␟event␟b␟<adid>␟…".
      const a = keyOf(sessionParams({ app_token: 'a\u001fevent', activity_kind: 'b' }));
      const b = keyOf(sessionParams({ app_token: 'a', activity_kind: 'event\u001fb' }));

      expect(a).not.toBe(b);
    });

    describe('of an activity without adid', () => {
      const click = (overrides: Record<string, unknown> = {}) => ({
        activity_kind: 'click',
        created_at: String(CREATED_AT),
        app_token: 'abc123xyz789',
        tracker: 'abc123',
        city: 'Berlin',
        token: 'secret',
        ...overrides,
      });

      it('is equal for an exact repeat whatever the token or key order', () => {
        const { city, ...rest } = click({ token: 'other' });

        expect(keyOf({ ...rest, city })).toBe(keyOf(click()));
        expect(keyOf(click({ token: undefined }))).toBe(keyOf(click()));
      });

      it('differs when any other parameter differs', () => {
        expect(keyOf(click({ city: 'Paris' }))).not.toBe(keyOf(click()));
        expect(keyOf(click({ tracker: 'def456' }))).not.toBe(keyOf(click()));
        expect(keyOf(click({ ip_address: '10.0.0.1' }))).not.toBe(keyOf(click()));
      });
    });
  });

  describe('with random and garbled input', () => {
    const CASES = 3000;

    it('never throws and always returns a well-formed result', () => {
      const random = prng(0x5eed);
      const counts = { activity: 0, rejected: 0 };
      for (let i = 0; i < CASES; i += 1) {
        const params = randomParams(random);
        let result: ParseResult | undefined;
        expect(() => {
          result = parseCallback(params);
        }).not.toThrow();
        expect(problemsOf(result)).toEqual([]);
        counts[result!.kind] += 1;
      }
      expect(counts.activity).toBeGreaterThan(CASES / 10);
      expect(counts.rejected).toBeGreaterThan(CASES / 10);
      expect(Object.keys(Object.prototype)).toEqual([]);
    }, 60_000);

    it('handles a 100 kB numeric-looking value in linear time', () => {
      const digits = '1'.repeat(100_000);
      const started = performance.now();
      const activity = activityOf(installParams({ revenue: `${digits}x`, session_count: `${digits}x`, installed_at: `${digits}.x` }));

      expect(activity.revenue).toBeNull();
      expect(performance.now() - started).toBeLessThan(1000);
    });
  });
});

// Every way a parse result can be malformed, as a list: the property test expects it to be empty.
function problemsOf(result: ParseResult | undefined): string[] {
  if (result?.kind === 'rejected') {
    const keys = Object.keys(result).sort().join(',');
    return [
      ...(keys === 'kind,reason' ? [] : [`rejection has keys ${keys}`]),
      ...(typeof result.reason === 'string' && result.reason.length > 0 ? [] : ['rejection without a reason']),
    ];
  }
  if (result?.kind !== 'activity') return ['no parse result'];
  const activity = result.activity;
  const problems: string[] = [];
  if (!(activity.created_at instanceof Date) || Number.isNaN(activity.created_at.getTime()))
    problems.push('created_at is not a valid Date');
  if (!Buffer.isBuffer(activity.dedup_key) || activity.dedup_key.length !== 16) problems.push('dedup_key is not 16 bytes');
  if (Object.keys(activity).sort().join() !== [...ACTIVITY_COLUMNS].sort().join())
    problems.push('activity keys differ from ACTIVITY_COLUMNS');
  if ('token' in activity.extra) problems.push('token kept in extra');
  for (const column of ACTIVITY_COLUMNS) problems.push(...valueProblems(column, activity[column]));
  for (const [key, value] of Object.entries(activity.extra)) {
    if (typeof value !== 'string') problems.push(`extra.${key} is not a string`);
    problems.push(...valueProblems(`extra key ${key}`, key), ...valueProblems(`extra.${key}`, value));
  }
  return problems;
}

function valueProblems(name: string, value: unknown): string[] {
  if (typeof value === 'string' && value.includes('\u0000')) return [`${name} contains NUL`];
  if (typeof value === 'number' && !Number.isFinite(value)) return [`${name} is not finite`];
  if (value instanceof Date && Number.isNaN(value.getTime())) return [`${name} is an invalid Date`];
  return [];
}

// mulberry32: tiny, seeded and good enough to spread inputs; failures replay with the same seed.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const FIELD_KEYS = [...ACTIVITY_COLUMNS.filter((column) => column !== 'dedup_key' && column !== 'extra'), 'token', 'user_id', 'city'];
const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'tok\u0000en',
  'adid\u0000',
  '\u0000',
  '',
  '😀',
  '\ud800',
  '{city}',
];
const ATOMS = [
  'install',
  'session',
  'event',
  'click',
  'sk_install',
  ' Session ',
  '{adid}',
  '{}',
  '',
  ' ',
  '\u0000',
  '😀',
  '\udc00',
  '\ud83d',
  '1404214665',
  '1404214665.5',
  '-1',
  '0',
  '1',
  'true',
  'NaN',
  '1e400',
  'abc',
  ADID,
  '{',
  '}',
  '"',
  '\\',
  '\u001f',
];

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomString(random: Random): string {
  if (random() < 0.01) return pick(random, ['7', '{', 'x', '\u0000', '😀']).repeat(1 + Math.floor(random() * 50_000));
  let text = '';
  const length = Math.floor(random() * 6);
  for (let i = 0; i < length; i += 1) {
    text += random() < 0.6 ? pick(random, ATOMS) : String.fromCharCode(Math.floor(random() * 0x10000));
  }
  return text;
}

function randomValue(random: Random, depth: number): unknown {
  const roll = random();
  if (roll < 0.45) return randomString(random);
  if (roll < 0.6) return pick(random, [0, -0, 1, 1404214665, 1404214665.7, NaN, Infinity, -Infinity, 2 ** 31, Number.MAX_VALUE, 1e-300]);
  if (roll < 0.65) return pick(random, [true, false, null, undefined]);
  if (depth > 2) return randomString(random);
  if (roll < 0.8) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  return randomParams(random, depth + 1);
}

function randomKey(random: Random): string {
  const roll = random();
  if (roll < 0.5) return pick(random, FIELD_KEYS);
  if (roll < 0.75) return pick(random, NASTY_KEYS);
  return randomString(random).slice(0, 64);
}

// Starts from a valid activity half of the time so the activity branch gets garbled input too.
function randomParams(random: Random, depth = 0): Record<string, unknown> {
  const params: Record<string, unknown> = random() < 0.5 ? Object.create(null) : {};
  if (depth === 0 && random() < 0.5) {
    Object.assign(params, {
      activity_kind: pick(random, ['install', 'click', 'Event ', 'new_kind']),
      created_at: '1404214665',
      adid: ADID,
    });
  }
  const keys = Math.floor(random() * 12);
  for (let i = 0; i < keys; i += 1) {
    // defineProperty makes "__proto__" an own key, as a JSON or query-string parser would.
    Object.defineProperty(params, randomKey(random), {
      value: randomValue(random, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return params;
}
