import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { CallbackController } from '../../src/collector/callback.controller.js';
import { WRITER_LIMITS } from '../../src/collector/callback-writer.js';
import { COLLECTOR_LIMITS, CollectorService } from '../../src/collector/collector.service.js';
import {
  CALLBACK_PATH,
  ENCODED_TRACKER_NAME,
  NOW_EPOCH,
  TRACKER_NAME,
  adjustQuery,
  callbackUrl,
  clickCallback,
  eventCallback,
  installCallback,
  installUpdateCallback,
  newAdid,
  reattributionCallback,
  rejectedInstallCallback,
  sessionCallback,
  toRecord,
} from '../support/adjust-callbacks.js';
import { adminQuery } from '../support/databases.js';
import { baseUrlOf, rawRequest } from '../support/raw-http.js';
import { waitUntil } from '../support/service-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CALLBACK_TOKEN = 'adjust-callback-secret-42';
const MIB = 1024 * 1024;
const at = (epoch: number) => new Date(epoch * 1000);

type AdjustRow = Record<string, unknown> & { id: string; adid: string | null; received_at: Date; extra: Record<string, unknown> };

// Helpers bound to one running app and its source database.
function harness(getApp: () => TestApp) {
  const server = () => getApp().app.getHttpServer() as Server;
  const database = () => new URL(getApp().databases.sourceUrl).pathname.slice(1);
  const query = <T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    adminQuery<T>(sql, params, database());
  return {
    server,
    query,
    get: (params: URLSearchParams | string) => request(server()).get(callbackUrl(params)),
    rowsOf: (adid: string) => query<AdjustRow>('SELECT * FROM mob.adjust WHERE adid = $1 ORDER BY id', [adid]),
    rejectedWith: (value: string, param = 'adid') =>
      query('SELECT * FROM mob.rejected_callback WHERE params->>$2 = $1 ORDER BY id', [value, param]),
    count: async (table: string, where = 'true', params: unknown[] = []) =>
      Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))[0].n),
  };
}

async function waitingInserts(): Promise<number> {
  const [row] = await adminQuery<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity
     WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO mob.adjust%'`,
    [new URL(t.databases.sourceUrl).pathname.slice(1)],
  );
  return Number(row.n);
}

// The columns an Android production activity from the factory always has.
function deviceColumns(params: URLSearchParams): Record<string, unknown> {
  return {
    id: expect.any(String),
    received_at: expect.any(Date),
    dedup_key: expect.any(Buffer),
    adid: params.get('adid'),
    gps_adid: '38400000-8cf0-11bd-b23e-10b96e40000d',
    idfa: null,
    idfv: null,
    android_id: null,
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
    is_organic: false,
    country: 'de',
    os_name: 'android',
    os_version: '14',
    device_type: 'phone',
    device_name: 'Pixel 8',
    installed_at: null,
    click_time: null,
    reattributed_at: null,
    last_session_time: null,
    event: null,
    event_name: null,
    revenue: null,
    revenue_float: null,
    revenue_usd: null,
    currency: null,
    reporting_revenue: null,
    reporting_currency: null,
    last_time_spent: null,
    time_spent: null,
    session_count: null,
    lifetime_session_count: null,
  };
}

const DEVICE_EXTRA = { city: 'Berlin', timezone: 'UTC+0100' };

let t: TestApp;
const h = harness(() => t);

beforeAll(async () => {
  // 4xx and 503 are what these tests provoke; at warn the request log would print each (and 1 MB URLs)
  t = await startTestApp({ LOG_LEVEL: 'fatal' });
  await t.app.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await t?.close();
});

describe(CallbackController.name, () => {
  describe('stores each kind of real callback in typed columns', () => {
    async function storeOne(params: URLSearchParams): Promise<AdjustRow> {
      const res = await h.get(params).expect(200);
      expect(res.body).toEqual({ status: 'stored' });
      const rows = await h.rowsOf(params.get('adid')!);
      expect(rows).toHaveLength(1);
      // the transaction that stored it, for the ETL's resume point (sql/etl/extract/resume-point.sql)
      const { xact_id: transaction, ...row } = rows[0];
      expect(transaction).toMatch(/^\d+$/);
      return row;
    }

    it('sends tracker names percent-encoded, as Adjust does', () => {
      expect(adjustQuery(installCallback())).toContain(`tracker_name=${ENCODED_TRACKER_NAME}`);
      expect(adjustQuery(installCallback())).toContain('android_id={android_id}');
    });

    it('stores an install with decoded tracker name, lower-cased country and os, NULL for empty ids and placeholders', async () => {
      const params = installCallback();
      const before = new Date();
      const row = await storeOne(params);
      expect(row).toEqual({
        ...deviceColumns(params),
        activity_kind: 'install',
        created_at: at(NOW_EPOCH),
        installed_at: at(NOW_EPOCH - 2),
        click_time: at(NOW_EPOCH - 75),
        extra: { ...DEVICE_EXTRA, conversion_duration: '73' },
      });
      expect(row.dedup_key).toHaveLength(16);
      expect(row.received_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
      expect(row.received_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    });

    it('stores a session with the previous session length, its time and the session counts', async () => {
      const params = sessionCallback();
      const row = await storeOne(params);
      expect(row).toEqual({
        ...deviceColumns(params),
        activity_kind: 'session',
        created_at: at(NOW_EPOCH),
        installed_at: at(NOW_EPOCH - 86_400 * 3),
        last_time_spent: 412,
        time_spent: 0,
        last_session_time: at(NOW_EPOCH - 7_200),
        session_count: 34,
        lifetime_session_count: 185,
        extra: DEVICE_EXTRA,
      });
    });

    it("stores a registration event with its token and name and keeps the app's user_id in extra", async () => {
      const params = eventCallback();
      const row = await storeOne(params);
      expect(row).toEqual({
        ...deviceColumns(params),
        activity_kind: 'event',
        created_at: at(NOW_EPOCH),
        installed_at: at(NOW_EPOCH - 86_400),
        event: 'reg7k2',
        event_name: 'registration',
        session_count: 2,
        extra: { ...DEVICE_EXTRA, user_id: '42' },
      });
    });

    it('stores the revenue fields of a purchase event as numbers', async () => {
      const params = eventCallback({
        event: 'pur9x1',
        event_name: 'purchase',
        revenue: '399',
        revenue_float: '3.99',
        currency: 'EUR',
        revenue_usd: '4.31',
        reporting_revenue: '3.99',
        reporting_currency: 'EUR',
        user_id: null,
      });
      const row = await storeOne(params);
      expect(row).toMatchObject({
        event: 'pur9x1',
        revenue: 399,
        revenue_float: 3.99,
        revenue_usd: 4.31,
        currency: 'EUR',
        reporting_revenue: 3.99,
        reporting_currency: 'EUR',
        extra: DEVICE_EXTRA,
      });
    });

    it('stores a reattribution with its new tracker and reattributed_at', async () => {
      const params = reattributionCallback();
      const row = await storeOne(params);
      expect(row).toEqual({
        ...deviceColumns(params),
        activity_kind: 'reattribution',
        created_at: at(NOW_EPOCH),
        installed_at: at(NOW_EPOCH - 86_400 * 60),
        reattributed_at: at(NOW_EPOCH),
        click_time: at(NOW_EPOCH - 300),
        tracker: 'def456',
        tracker_name: 'AppLovin::Winback (7788123)::All::Video',
        network_name: 'AppLovin',
        campaign_name: 'Winback (7788123)',
        adgroup_name: 'All',
        creative_name: 'Video',
        extra: DEVICE_EXTRA,
      });
    });

    it('stores an install_update and keeps the outdated tracker in extra', async () => {
      const params = installUpdateCallback();
      const row = await storeOne(params);
      expect(row).toEqual({
        ...deviceColumns(params),
        activity_kind: 'install_update',
        created_at: at(NOW_EPOCH),
        installed_at: at(NOW_EPOCH - 600),
        tracker: 'ghi789',
        tracker_name: 'Facebook Installs::Summer::Lookalike::Carousel',
        network_name: 'Facebook Installs',
        campaign_name: 'Summer',
        adgroup_name: 'Lookalike',
        creative_name: 'Carousel',
        extra: {
          ...DEVICE_EXTRA,
          attribution_updated_at: String(NOW_EPOCH),
          outdated_tracker: 'abc123',
          outdated_tracker_name: TRACKER_NAME,
        },
      });
    });

    it('stores a rejected_install as sent, with its rejection reason in extra', async () => {
      const params = rejectedInstallCallback();
      const row = await storeOne(params);
      expect(row).toEqual({
        ...deviceColumns(params),
        activity_kind: 'rejected_install',
        created_at: at(NOW_EPOCH),
        click_time: at(NOW_EPOCH - 3),
        extra: { ...DEVICE_EXTRA, rejection_reason: 'click_injection' },
      });
    });

    it('stores a sandbox session with environment=sandbox', async () => {
      const params = sessionCallback({ environment: 'sandbox' });
      const row = await storeOne(params);
      expect(row).toMatchObject({ activity_kind: 'session', environment: 'sandbox', last_time_spent: 412 });
    });

    it('stores a session that arrives weeks late with its original created_at', async () => {
      const old = NOW_EPOCH - 86_400 * 40;
      const params = sessionCallback({ created_at: String(old), last_session_time: String(old - 3_600) });
      const row = await storeOne(params);
      expect(row.created_at).toEqual(at(old));
      expect(row.last_session_time).toEqual(at(old - 3_600));
      // arrival time is now, not the activity time: arrival-based extraction relies on it
      expect(Date.now() - row.received_at.getTime()).toBeLessThan(60_000);
    });

    it('stores every unsubstituted {placeholder} and empty value as NULL, also in extra', async () => {
      const params = sessionCallback({
        gps_adid: '{gps_adid}',
        tracker_name: '{tracker_name}',
        country: '',
        last_time_spent: '{last_time_spent}',
        installed_at: '',
        is_organic: '{is_organic}',
        city: '{city}',
        partner_parameters: '',
      });
      const row = await storeOne(params);
      expect(row).toMatchObject({
        gps_adid: null,
        tracker_name: null,
        country: null,
        last_time_spent: null,
        installed_at: null,
        is_organic: null,
      });
      expect(row.extra).toEqual({ timezone: 'UTC+0100' });
    });

    it('keeps a value that does not fit its column in extra instead of dropping it', async () => {
      const params = sessionCallback({ session_count: 'many', installed_at: 'yesterday' });
      const row = await storeOne(params);
      expect(row).toMatchObject({ session_count: null, installed_at: null });
      expect(row.extra).toEqual({ ...DEVICE_EXTRA, session_count: 'many', installed_at: 'yesterday' });
    });

    it('gives every stored row a larger id than the rows stored before it', async () => {
      const adids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const params = sessionCallback({ created_at: String(NOW_EPOCH + i) });
        adids.push(params.get('adid')!);
        await h.get(params).expect(200, { status: 'stored' });
      }
      const rows = await h.query<{ id: string }>('SELECT id FROM mob.adjust WHERE adid = ANY($1) ORDER BY received_at, id', [adids]);
      const ids = rows.map((row) => BigInt(row.id));
      expect(ids).toHaveLength(5);
      for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    });

    it('stores an activity kind it does not know yet', async () => {
      const params = sessionCallback({ activity_kind: 'ad_impression_v2' });
      const row = await storeOne(params);
      expect(row.activity_kind).toBe('ad_impression_v2');
    });

    it('stores a click that has no adid', async () => {
      const params = clickCallback({ tracker: `clk${newAdid().slice(0, 6)}` });
      await h.get(params).expect(200, { status: 'stored' });
      const rows = await h.query<AdjustRow>('SELECT * FROM mob.adjust WHERE tracker = $1', [params.get('tracker')]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        activity_kind: 'click',
        adid: null,
        tracker_name: TRACKER_NAME,
        country: 'us',
        extra: { user_agent: 'Mozilla/5.0 (Linux; Android 14)' },
      });
    });

    it('stores a callback parameter of half a megabyte in extra', async () => {
      const params = eventCallback({ payload: 'x'.repeat(512 * 1024) });
      const res = await rawRequest(baseUrlOf(h.server()), { path: callbackUrl(params) });
      expect(res.status).toBe(200);
      const [row] = await h.rowsOf(params.get('adid')!);
      expect((row.extra.payload as string).length).toBe(512 * 1024);
    });
  });

  describe('accepts POST bodies like GET queries', () => {
    const comparable = (row: AdjustRow) => {
      const { id: _id, received_at: _received, dedup_key: _key, adid: _adid, xact_id: _transaction, ...rest } = row;
      return rest;
    };

    it('stores a form body and a JSON body exactly like the same callback sent as GET', async () => {
      const viaGet = installCallback();
      const viaForm = installCallback({ adid: newAdid() });
      const viaJson = installCallback({ adid: newAdid() });
      await h.get(viaGet).expect(200, { status: 'stored' });
      await request(h.server()).post(CALLBACK_PATH).type('form').send(adjustQuery(viaForm)).expect(200, { status: 'stored' });
      await request(h.server()).post(CALLBACK_PATH).send(toRecord(viaJson)).expect(200, { status: 'stored' });
      const [getRow] = await h.rowsOf(viaGet.get('adid')!);
      const [formRow] = await h.rowsOf(viaForm.get('adid')!);
      const [jsonRow] = await h.rowsOf(viaJson.get('adid')!);
      expect(comparable(formRow)).toEqual(comparable(getRow));
      expect(comparable(jsonRow)).toEqual(comparable(getRow));
    });

    it('stores a JSON body with numbers and booleans as the same typed values', async () => {
      const adid = newAdid();
      await request(h.server())
        .post(CALLBACK_PATH)
        .send({ activity_kind: 'session', created_at: NOW_EPOCH, adid, last_time_spent: 60, is_organic: true, app_token: 'abc123xyz789' })
        .expect(200, { status: 'stored' });
      const [row] = await h.rowsOf(adid);
      expect(row).toMatchObject({ created_at: at(NOW_EPOCH), last_time_spent: 60, is_organic: true, extra: {} });
    });

    it('merges query parameters with the body of a POST', async () => {
      const adid = newAdid();
      await request(h.server())
        .post(`${CALLBACK_PATH}?activity_kind=session&app_token=abc123xyz789`)
        .type('form')
        .send(`adid=${adid}&created_at=${NOW_EPOCH}`)
        .expect(200, { status: 'stored' });
      await expect(h.rowsOf(adid)).resolves.toHaveLength(1);
    });
  });

  describe('stores each activity once', () => {
    it('answers duplicate to a retried callback and keeps one row', async () => {
      const params = sessionCallback();
      await h.get(params).expect(200, { status: 'stored' });
      await h.get(params).expect(200, { status: 'duplicate' });
      await expect(h.rowsOf(params.get('adid')!)).resolves.toHaveLength(1);
    });

    it('stores one row when 20 copies of a callback race each other', async () => {
      const params = installCallback();
      const answers = await Promise.all(Array.from({ length: 20 }, () => h.get(params)));
      const statuses = answers.map((res) => `${res.status} ${res.body.status}`).sort();
      expect(statuses.filter((s) => s === '200 stored')).toHaveLength(1);
      expect(statuses.filter((s) => s === '200 duplicate')).toHaveLength(19);
      await expect(h.rowsOf(params.get('adid')!)).resolves.toHaveLength(1);
    });

    it('stores one row when two copies race each other in two INSERTs on two connections', async () => {
      const params = eventCallback();
      // two INSERTs in flight, as two replicas of the service would have (one writer runs one at a time);
      // held table: each copy's batch starts its own INSERT and waits; released, they really race
      const inFlight = WRITER_LIMITS.maxConcurrentBatches;
      WRITER_LIMITS.maxConcurrentBatches = 2;
      const blocker = new pg.Client({ connectionString: t.databases.sourceUrl });
      await blocker.connect();
      let answers: request.Response[];
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE mob.adjust IN EXCLUSIVE MODE');
        const first = h.get(params).then((res) => res);
        await waitUntil(() => waitingInserts().then((n) => n === 1), 10_000, 'the first copy waits in its INSERT');
        const second = h.get(params).then((res) => res);
        await waitUntil(() => waitingInserts().then((n) => n === 2), 10_000, 'the second copy waits in another INSERT');
        await blocker.query('COMMIT');
        answers = await Promise.all([first, second]);
      } finally {
        await blocker.end();
        WRITER_LIMITS.maxConcurrentBatches = inFlight;
      }
      expect(answers.map((res) => res.body.status).sort()).toEqual(['duplicate', 'stored']);
      await expect(h.rowsOf(params.get('adid')!)).resolves.toHaveLength(1);
    });

    it('stores one row when twenty different activities and their copies race each other', async () => {
      const distinct = Array.from({ length: 20 }, (_, i) => sessionCallback({ created_at: String(NOW_EPOCH - i) }));
      const sends = distinct.flatMap((params) => [h.get(params), h.get(params), h.get(params)]);
      const answers = await Promise.all(sends);
      expect(answers.filter((res) => res.body.status === 'stored')).toHaveLength(20);
      expect(answers.filter((res) => res.body.status === 'duplicate')).toHaveLength(40);
      const adids = distinct.map((params) => params.get('adid'));
      await expect(h.count('mob.adjust', 'adid = ANY($1)', [adids])).resolves.toBe(20);
    });

    it('stores the global and the event callback of one event once, keeping the first one', async () => {
      const global = eventCallback();
      // the event-level callback URL carries other placeholders and no device details
      const single = new URLSearchParams({
        activity_kind: 'event',
        event: global.get('event')!,
        event_name: 'registration',
        adid: global.get('adid')!,
        created_at: global.get('created_at')!,
        app_token: global.get('app_token')!,
        user_id: '42',
        callback_source: 'event',
      });
      await h.get(global).expect(200, { status: 'stored' });
      await h.get(single).expect(200, { status: 'duplicate' });
      const rows = await h.rowsOf(global.get('adid')!);
      expect(rows).toHaveLength(1);
      expect(rows[0].extra).not.toHaveProperty('callback_source');
    });

    it('stores two events of one device at the same second once per event token', async () => {
      const registration = eventCallback();
      const tutorial = eventCallback({ adid: registration.get('adid'), event: 'tut3q8', event_name: 'tutorial_complete' });
      await h.get(registration).expect(200, { status: 'stored' });
      await h.get(tutorial).expect(200, { status: 'stored' });
      await expect(h.rowsOf(registration.get('adid')!)).resolves.toHaveLength(2);
    });
  });

  describe('refuses callbacks the klips cannot use', () => {
    const cases: [string, Record<string, string | null>, string][] = [
      ['no activity_kind', { activity_kind: null }, 'activity_kind is missing'],
      ['an empty activity_kind', { activity_kind: '' }, 'activity_kind is missing'],
      ['no created_at', { created_at: null }, 'created_at is missing'],
      ['an unsubstituted created_at', { created_at: '{created_at}' }, 'created_at is missing'],
      ['a non-numeric created_at', { created_at: '2026-11-20T10:00:00Z' }, 'created_at must be Unix seconds, got "2026-11-20T10:00:00Z"'],
      [
        'a created_at in milliseconds',
        { created_at: '1795168800000' },
        'created_at must be between 2000-01-01 and 2100-01-01, got "1795168800000"',
      ],
      ['a created_at before 2000', { created_at: '86400' }, 'created_at must be between 2000-01-01 and 2100-01-01, got "86400"'],
      ['no adid on a session', { adid: null }, 'adid is missing for activity_kind "session"'],
      ['an unsubstituted adid on a session', { adid: '{adid}' }, 'adid is missing for activity_kind "session"'],
    ];

    it.each(cases)('answers 400 to %s, keeps it with its reason and stores no activity', async (_name, overrides, reason) => {
      const marker = newAdid();
      const params = sessionCallback({ ...overrides, marker, token: 'not-a-configured-token' });
      const res = await h.get(params).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, message: reason });
      const rejected = await h.query("SELECT * FROM mob.rejected_callback WHERE params->>'marker' = $1", [marker]);
      expect(rejected).toHaveLength(1);
      const expected = toRecord(params);
      delete expected.token;
      expect(rejected[0]).toMatchObject({ method: 'GET', reason, params: expected, replayed_at: null, replay_outcome: null });
      expect(rejected[0].params).not.toHaveProperty('token');
      // the query string as Adjust sent it, percent-encoding and all, with the token's value removed
      expect(rejected[0].raw_query).toBe(adjustQuery(params).replace('token=not-a-configured-token', 'token=[redacted]'));
      await expect(h.count('mob.adjust', "extra->>'marker' = $1", [marker])).resolves.toBe(0);
    });

    it('keeps a refused POST callback with method POST', async () => {
      const marker = newAdid();
      const res = await request(h.server())
        .post(CALLBACK_PATH)
        .send({ activity_kind: 'event', created_at: 'now', adid: newAdid(), marker })
        .expect(400);
      expect(res.body.message).toBe('created_at must be Unix seconds, got "now"');
      const rejected = await h.query("SELECT method, reason FROM mob.rejected_callback WHERE params->>'marker' = $1", [marker]);
      expect(rejected).toEqual([{ method: 'POST', reason: 'created_at must be Unix seconds, got "now"' }]);
    });
  });

  describe('refuses hostile bodies without a 5xx', () => {
    it('refuses a JSON body nested 20,000 levels deep before parsing it, with a 400, and keeps nothing of it', async () => {
      const marker = newAdid();
      const depth = 20_000;
      const body = `{"activity_kind":"session","created_at":"${NOW_EPOCH}","adid":"${marker}","marker":"${marker}","nested":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await request(h.server()).post(CALLBACK_PATH).type('json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('The JSON body nests deeper than 32 levels');
      await expect(h.query("SELECT id FROM mob.rejected_callback WHERE params->>'marker' = $1", [marker])).resolves.toEqual([]);
      await expect(h.rowsOf(marker)).resolves.toHaveLength(0);
    });

    it('stores a callback whose JSON body nests an unknown field as deep as allowed (32 levels with the body itself)', async () => {
      const adid = newAdid();
      const depth = 31;
      const body = `{"activity_kind":"session","created_at":"${NOW_EPOCH}","adid":"${adid}","nested":${'['.repeat(depth)}"x"${']'.repeat(depth)}}`;
      await request(h.server()).post(CALLBACK_PATH).type('json').send(body).expect(200, { status: 'stored' });
      await expect(h.rowsOf(adid)).resolves.toHaveLength(1);
      const deeper = body.replace('"nested":[', '"nested":[[').replace(/]}$/, ']]}');
      expect((await request(h.server()).post(CALLBACK_PATH).type('json').send(deeper).expect(400)).body.message).toBe(
        'The JSON body nests deeper than 32 levels',
      );
    });

    it('stores a POST callback with a __proto__ key, without the key', async () => {
      const formAdid = newAdid();
      const jsonAdid = newAdid();
      await request(h.server())
        .post(CALLBACK_PATH)
        .type('form')
        .send(`__proto__=x&activity_kind=session&created_at=${NOW_EPOCH}&adid=${formAdid}`)
        .expect(200, { status: 'stored' });
      await request(h.server())
        .post(CALLBACK_PATH)
        .type('json')
        .send(`{"__proto__":{"x":1},"activity_kind":"session","created_at":"${NOW_EPOCH}","adid":"${jsonAdid}"}`)
        .expect(200, { status: 'stored' });
      for (const adid of [formAdid, jsonAdid]) {
        const [row] = await h.rowsOf(adid);
        expect(Object.keys(row.extra)).not.toContain('__proto__');
      }
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });

    it('does not store a callback sent with HEAD', async () => {
      const params = sessionCallback();
      await request(h.server()).head(`${CALLBACK_PATH}?${params}`).expect(404);
      await expect(h.rowsOf(params.get('adid')!)).resolves.toHaveLength(0);
    });

    it('stores a GET callback with a __proto__ parameter, without the parameter', async () => {
      const params = sessionCallback({ __proto__: 'polluted', constructor: 'x' });
      await h.get(params).expect(200, { status: 'stored' });
      const [row] = await h.rowsOf(params.get('adid')!);
      expect(Object.keys(row.extra).sort()).toEqual(['city', 'constructor', 'timezone']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('limits callbacks to 1 MB', () => {
    it('answers 413 to a callback URL over 1 MB and stores nothing', async () => {
      const params = sessionCallback({ padding: 'p'.repeat(MIB + 10) });
      const res = await rawRequest(baseUrlOf(h.server()), { path: callbackUrl(params) });
      expect(res.status).toBe(413);
      await expect(h.rowsOf(params.get('adid')!)).resolves.toHaveLength(0);
      await expect(h.rejectedWith(params.get('adid')!)).resolves.toHaveLength(0);
    });

    it('answers 413 to a refusable callback URL over 1 MB without keeping it', async () => {
      const marker = newAdid();
      const params = sessionCallback({ activity_kind: null, adid: marker, padding: 'p'.repeat(MIB + 10) });
      const res = await rawRequest(baseUrlOf(h.server()), { path: callbackUrl(params) });
      expect(res.status).toBe(413);
      await expect(h.rejectedWith(marker)).resolves.toHaveLength(0);
    });

    it('answers 413 to a JSON body over 1 MB and stores nothing', async () => {
      const params = sessionCallback({ padding: 'p'.repeat(MIB + 10) });
      const res = await request(h.server()).post(CALLBACK_PATH).send(toRecord(params));
      expect(res.status).toBe(413);
      await expect(h.rowsOf(params.get('adid')!)).resolves.toHaveLength(0);
    });

    it('answers 413 to a form body over 1 MB and stores nothing', async () => {
      const params = sessionCallback({ padding: 'p'.repeat(MIB + 10) });
      const res = await request(h.server()).post(CALLBACK_PATH).type('form').send(adjustQuery(params));
      expect(res.status).toBe(413);
      await expect(h.rowsOf(params.get('adid')!)).resolves.toHaveLength(0);
    });
  });

  describe('sheds load instead of queueing without bound', () => {
    const saved = { ...WRITER_LIMITS };
    afterEach(() => {
      Object.assign(WRITER_LIMITS, saved);
    });

    it('answers 503 beyond the queue limit and stores exactly the callbacks answered stored', async () => {
      WRITER_LIMITS.maxQueued = 3;
      const sent = Array.from({ length: 40 }, () => sessionCallback({ marker: 'overload' }));
      // hold the table so the first batches cannot commit and the queue fills deterministically
      const blocker = new pg.Client({ connectionString: t.databases.sourceUrl });
      await blocker.connect();
      let answers: request.Response[];
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE mob.adjust IN EXCLUSIVE MODE');
        let settled = 0;
        const pending = sent.map((params) => h.get(params).then((res) => (settled++, res)));
        const mustFail = sent.length - WRITER_LIMITS.maxConcurrentBatches - WRITER_LIMITS.maxQueued;
        await waitUntil(() => settled >= mustFail, 10_000, 'the callbacks beyond the queue limit are refused');
        await blocker.query('COMMIT');
        answers = await Promise.all(pending);
      } finally {
        await blocker.end();
      }
      const stored = answers.filter((res) => res.status === 200 && res.body.status === 'stored').length;
      const overloaded = answers.filter((res) => res.status === 503).length;
      expect(overloaded).toBeGreaterThanOrEqual(sent.length - 7);
      expect(stored + overloaded).toBe(sent.length);
      expect(answers.find((res) => res.status === 503)?.body.message).toMatch(/overloaded/);
      await expect(h.count('mob.adjust', "extra->>'marker' = 'overload'")).resolves.toBe(stored);
      // each 200 is its own row, each 503 stored nothing
      const rowsPerCallback = await Promise.all(sent.map(async (params) => (await h.rowsOf(params.get('adid')!)).length));
      expect(rowsPerCallback).toEqual(answers.map((res) => (res.status === 200 ? 1 : 0)));
    });

    it('answers 503 once the waiting callbacks exceed the byte limit, counting large callbacks by size', async () => {
      WRITER_LIMITS.maxQueuedBytes = 300_000;
      const big = Array.from({ length: 8 }, () => sessionCallback({ marker: 'bytes', padding: 'p'.repeat(100_000) }));
      const blocker = new pg.Client({ connectionString: t.databases.sourceUrl });
      await blocker.connect();
      let answers: request.Response[];
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE mob.adjust IN EXCLUSIVE MODE');
        let settled = 0;
        const pending = big.map((params) => h.get(params).then((res) => (settled++, res)));
        // at most ~3 of 100 kB wait, plus one batch in flight: the rest are refused while the table is held
        await waitUntil(() => settled >= 4, 10_000, 'the callbacks beyond the byte limit are refused');
        await blocker.query('COMMIT');
        answers = await Promise.all(pending);
      } finally {
        await blocker.end();
      }
      const stored = answers.filter((res) => res.status === 200).length;
      expect(answers.filter((res) => res.status === 503)).toHaveLength(big.length - stored);
      expect(stored).toBeLessThanOrEqual(4);
      await expect(h.count('mob.adjust', "extra->>'marker' = 'bytes'")).resolves.toBe(stored);
    });

    it('answers 503 to refused callbacks beyond the limit of refusals being stored, and keeps the others', async () => {
      COLLECTOR_LIMITS.maxRefusalsInFlight = 2;
      const refused = Array.from({ length: 6 }, () => sessionCallback({ adid: null, marker: newAdid() }));
      const blocker = new pg.Client({ connectionString: t.databases.sourceUrl });
      await blocker.connect();
      let answers: request.Response[];
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE mob.rejected_callback IN EXCLUSIVE MODE');
        let settled = 0;
        const pending = refused.map((params) => h.get(params).then((res) => (settled++, res)));
        await waitUntil(() => settled >= 4, 10_000, 'the refusals beyond the limit are answered 503');
        await blocker.query('COMMIT');
        answers = await Promise.all(pending);
      } finally {
        await blocker.end();
        COLLECTOR_LIMITS.maxRefusalsInFlight = 200;
      }
      expect(answers.map((res) => res.status).sort()).toEqual([400, 400, 503, 503, 503, 503]);
      const kept = await Promise.all(refused.map(async (params) => (await h.rejectedWith(params.get('marker')!, 'marker')).length));
      expect(kept).toEqual(answers.map((res) => (res.status === 400 ? 1 : 0)));
    });

    it('stores callbacks normally again once the queue has drained', async () => {
      const res = await h.get(sessionCallback());
      expect(res.body).toEqual({ status: 'stored' });
    });
  });

  describe('when the database refuses one activity of a batch', () => {
    beforeAll(async () => {
      await h.query(`ALTER TABLE mob.adjust ADD CONSTRAINT test_poison CHECK (adid IS DISTINCT FROM 'poison-adid')`);
    });
    afterAll(async () => {
      await h.query('ALTER TABLE mob.adjust DROP CONSTRAINT test_poison');
    });

    it('stores the others, and keeps the refused one as a rejected callback with the database reason', async () => {
      const good = Array.from({ length: 10 }, () => sessionCallback({ marker: 'poison-batch' }));
      const poison = sessionCallback({ adid: 'poison-adid', marker: 'poison-batch' });
      const [poisonAnswer, ...goodAnswers] = await Promise.all([h.get(poison), ...good.map((params) => h.get(params))]);
      expect(goodAnswers.map((res) => res.body.status)).toEqual(good.map(() => 'stored'));
      expect(poisonAnswer.status).toBe(400);
      expect(poisonAnswer.body.message).toMatch(/^the database refused the callback: .*test_poison/);
      await expect(h.count('mob.adjust', "extra->>'marker' = 'poison-batch'")).resolves.toBe(good.length);
      await expect(h.rejectedWith('poison-adid')).resolves.toHaveLength(1);
    });
  });

  describe('with CALLBACK_TOKEN set', () => {
    let secured: TestApp;
    const s = harness(() => secured);
    beforeAll(async () => {
      secured = await startTestApp({ CALLBACK_TOKEN, LOG_LEVEL: 'fatal' });
      await secured.app.listen(0, '127.0.0.1');
    });
    afterAll(async () => {
      await secured?.close();
    });

    it('answers 401 to a callback without token and stores it nowhere', async () => {
      const params = installCallback();
      const res = await s.get(params).expect(401);
      expect(res.body.message).toMatch(/token/);
      await expect(s.rowsOf(params.get('adid')!)).resolves.toHaveLength(0);
    });

    it('answers 401 to a callback with a wrong token and stores it nowhere', async () => {
      const params = installCallback({ token: 'adjust-callback-secret-43' });
      await s.get(params).expect(401);
      await expect(s.rowsOf(params.get('adid')!)).resolves.toHaveLength(0);
    });

    it('answers 401, not 400, to an unusable callback without token and does not keep it', async () => {
      const params = installCallback({ activity_kind: null });
      await s.get(params).expect(401);
      await expect(s.rejectedWith(params.get('adid')!)).resolves.toHaveLength(0);
    });

    it('answers 401 to a POST with the token only in a wrong body', async () => {
      const params = installCallback({ token: 'wrong-token-value' });
      await request(s.server()).post(CALLBACK_PATH).send(toRecord(params)).expect(401);
      await expect(s.rowsOf(params.get('adid')!)).resolves.toHaveLength(0);
    });

    it('stores a callback with the right token in the URL, without the token', async () => {
      const params = installCallback({ token: CALLBACK_TOKEN });
      await s.get(params).expect(200, { status: 'stored' });
      const rows = await s.rowsOf(params.get('adid')!);
      expect(rows).toHaveLength(1);
      expect(rows[0].extra).toEqual({ ...DEVICE_EXTRA, conversion_duration: '73' });
    });

    it('stores a POST callback with the right token in its form or JSON body', async () => {
      const form = installCallback({ token: CALLBACK_TOKEN });
      const json = installCallback({ token: CALLBACK_TOKEN });
      await request(s.server()).post(CALLBACK_PATH).type('form').send(adjustQuery(form)).expect(200, { status: 'stored' });
      await request(s.server()).post(CALLBACK_PATH).send(toRecord(json)).expect(200, { status: 'stored' });
      await expect(s.rowsOf(form.get('adid')!)).resolves.toHaveLength(1);
      await expect(s.rowsOf(json.get('adid')!)).resolves.toHaveLength(1);
    });

    it('keeps an unusable callback with the right token, but never the token itself', async () => {
      const params = installCallback({ activity_kind: null, token: CALLBACK_TOKEN });
      await s.get(params).expect(400);
      const rejected = await s.rejectedWith(params.get('adid')!);
      expect(rejected).toHaveLength(1);
      expect(rejected[0].params).not.toHaveProperty('token');
      expect(JSON.stringify(rejected[0])).not.toContain(CALLBACK_TOKEN);
    });

    it('keeps no secret sent in another spelling (Token=, token[]=, %74oken=, api_key=) in a row or a kept callback', async () => {
      const spelled = 'Token=spelled-1&token[]=spelled-2&%74oken[0]=spelled-3&api_key=spelled-4';
      const stored = installCallback({ token: CALLBACK_TOKEN });
      const kept = installCallback({ activity_kind: null, token: CALLBACK_TOKEN });
      await request(s.server())
        .get(`${callbackUrl(stored)}&${spelled}`)
        .expect(200, { status: 'stored' });
      await request(s.server())
        .get(`${callbackUrl(kept)}&${spelled}`)
        .expect(400);
      const [row] = await s.rowsOf(stored.get('adid')!);
      const [rejected] = await s.rejectedWith(kept.get('adid')!);
      expect(JSON.stringify(row.extra)).not.toMatch(/spelled/);
      expect(JSON.stringify(rejected)).not.toMatch(/spelled|adjust-callback-secret/);
      await s.query('DELETE FROM mob.adjust WHERE adid = $1', [stored.get('adid')]);
      await s.query("DELETE FROM mob.rejected_callback WHERE params->>'adid' = $1", [kept.get('adid')]);
    });

    it('has stored nothing from the refused callbacks', async () => {
      await expect(s.count('mob.adjust')).resolves.toBe(3);
      await expect(s.count('mob.rejected_callback')).resolves.toBe(1);
      const all = await s.query('SELECT extra::text AS text FROM mob.adjust');
      for (const row of all) expect(row.text).not.toContain(CALLBACK_TOKEN);
    });
  });

  it('stores a callback without token when CALLBACK_TOKEN is not set, and ignores a token it carries', async () => {
    const bare = installCallback();
    const withToken = installCallback({ token: 'whatever-adjust-sends' });
    await h.get(bare).expect(200, { status: 'stored' });
    await h.get(withToken).expect(200, { status: 'stored' });
    const [row] = await h.rowsOf(withToken.get('adid')!);
    expect(row.extra).not.toHaveProperty('token');
  });
});

describe(CollectorService.name, () => {
  it('replays rejected callbacks that parse now, marks them, and keeps the current reason of the others', async () => {
    // only the rejected callbacks this test builds: earlier tests' refusals are not its business
    await h.query('DELETE FROM mob.rejected_callback');
    // refused at arrival: a date instead of Unix seconds; "after a fix" its params hold the seconds
    const fixedLater = sessionCallback({ created_at: '2026-11-20 10:00:00' });
    await h.get(fixedLater).expect(400);
    await h.query(
      `UPDATE mob.rejected_callback SET params = jsonb_set(params, '{created_at}', to_jsonb($2::text))
       WHERE params->>'adid' = $1`,
      [fixedLater.get('adid'), String(NOW_EPOCH)],
    );
    // refused by an older parser, parses as it is now
    const parsesNow = eventCallback();
    await h.query("INSERT INTO mob.rejected_callback (method, reason, raw_query, params) VALUES ('GET', 'old parser bug', '', $1)", [
      JSON.stringify(toRecord(parsesNow)),
    ]);
    // parses now, but the activity was stored meanwhile (Adjust's other callback of the same event)
    const alreadyStored = eventCallback();
    await h.get(alreadyStored).expect(200, { status: 'stored' });
    await h.query("INSERT INTO mob.rejected_callback (method, reason, raw_query, params) VALUES ('POST', 'old parser bug', '', $1)", [
      JSON.stringify(toRecord(alreadyStored)),
    ]);
    // still unusable, with an outdated reason
    const stillBad = sessionCallback({ created_at: null });
    await h.query("INSERT INTO mob.rejected_callback (method, reason, raw_query, params) VALUES ('GET', 'outdated reason', '', $1)", [
      JSON.stringify(toRecord(stillBad)),
    ]);
    const pendingBefore = await h.count('mob.rejected_callback', 'replayed_at IS NULL');

    const report = await t.app.get(CollectorService).replayRejected();

    expect(pendingBefore).toBe(4);
    expect(report).toEqual({ examined: 4, stored: 2, duplicates: 1, stillRejected: 1 });
    await expect(h.rowsOf(fixedLater.get('adid')!)).resolves.toEqual([
      expect.objectContaining({ activity_kind: 'session', created_at: at(NOW_EPOCH), last_time_spent: 412 }),
    ]);
    await expect(h.rowsOf(parsesNow.get('adid')!)).resolves.toEqual([
      expect.objectContaining({ activity_kind: 'event', event: 'reg7k2', extra: { ...DEVICE_EXTRA, user_id: '42' } }),
    ]);
    await expect(h.rowsOf(alreadyStored.get('adid')!)).resolves.toHaveLength(1);
    const outcome = async (adid: string) =>
      (await h.rejectedWith(adid)).map((row) => ({ outcome: row.replay_outcome, replayed: row.replayed_at !== null, reason: row.reason }));
    await expect(outcome(fixedLater.get('adid')!)).resolves.toEqual([
      { outcome: 'stored', replayed: true, reason: 'created_at must be Unix seconds, got "2026-11-20 10:00:00"' },
    ]);
    await expect(outcome(parsesNow.get('adid')!)).resolves.toEqual([{ outcome: 'stored', replayed: true, reason: 'old parser bug' }]);
    await expect(outcome(alreadyStored.get('adid')!)).resolves.toEqual([
      { outcome: 'duplicate', replayed: true, reason: 'old parser bug' },
    ]);
    await expect(outcome(stillBad.get('adid')!)).resolves.toEqual([{ outcome: null, replayed: false, reason: 'created_at is missing' }]);

    // a second replay looks only at what is still pending and stores nothing twice
    const again = await t.app.get(CollectorService).replayRejected();
    expect(again).toEqual({ examined: 1, stored: 0, duplicates: 0, stillRejected: 1 });
  });
});
