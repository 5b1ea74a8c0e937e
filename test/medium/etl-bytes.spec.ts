import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { EtlService } from '../../src/etl/etl.service.js';
import { callbackUrl, eventCallback, installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { query, runEtl } from '../support/etl.js';
import { getMetric, noon } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type VarcharColumn = { table_name: string; column_name: string; limit: number };

// Redshift counts VARCHAR(n) in bytes and fails a statement that writes a longer value; PostgreSQL counts
// characters (redshift.md §7, finding 1). Byte checks on every VARCHAR column of the warehouse make the
// stand-in fail where Redshift would.
async function imitateRedshiftByteLimits(t: TestApp): Promise<VarcharColumn[]> {
  const columns = await query<VarcharColumn>(
    t.databases.warehouseUrl,
    `SELECT table_name, column_name, character_maximum_length AS limit FROM information_schema.columns
     WHERE table_schema = 'stg' AND data_type = 'character varying' ORDER BY table_name, column_name`,
  );
  for (const { table_name: table, column_name: column, limit } of columns) {
    await query(
      t.databases.warehouseUrl,
      `ALTER TABLE stg.${table} ADD CONSTRAINT ${table}_${column}_bytes CHECK (octet_length(${column}) <= ${limit})`,
    );
  }
  return columns;
}

// Through the collector's HTTP endpoint, as Adjust sends it.
async function sendCallbacks(t: TestApp, callbacks: URLSearchParams[]): Promise<void> {
  for (const callback of callbacks) {
    const res = await request(t.app.getHttpServer()).get(callbackUrl(callback));
    expect(res.status).toBe(200);
  }
}

async function loadWithEveryMode(t: TestApp, check: () => Promise<void>): Promise<void> {
  // an arrival load adds its rows' deltas; a window run and a rebuild recount from stg.adjust
  for (const mode of ['arrival', 'window', 'rebuild'] as const) {
    await expect(runEtl(t, mode === 'window' ? { mode, windowDays: 60 } : { mode })).resolves.toMatchObject({ status: 'succeeded' });
    await check();
  }
}

describe(`${EtlService.name} with Redshift's VARCHAR semantics`, () => {
  let t: TestApp;
  let varchars: VarcharColumn[];

  beforeAll(async () => {
    t = await startTestApp();
    varchars = await imitateRedshiftByteLimits(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('cuts multibyte and over-long values in bytes on every path into a VARCHAR, and groups channels by the cut value', async () => {
    const app = 'bytes.app';
    const day = '2026-11-10';
    const install = (tracker: string, network = '') =>
      installCallback({ app_name: app, created_at: noon(day), network_name: network, tracker_name: tracker });
    // 'é' 2 bytes, '日' 3, '😀' 4: each first segment passes PostgreSQL's VARCHAR(256) (characters) and
    // is over Redshift's (bytes)
    await sendCallbacks(t, [
      install(`${'é'.repeat(200)}::campaign`), // 400 bytes → 128 × é
      install(`${'é'.repeat(150)}::other`), // 300 bytes → the same 128 × é
      install('', 'é'.repeat(128)), // a network of exactly 256 bytes: the same channel
      install(`${'日本'.repeat(50)}::x`), // 300 bytes → 85 characters, 255 bytes
      install(`${'😀'.repeat(70)} ::y`), // 281 bytes → 64 × 😀
      install('', 'ß'.repeat(300)), // network_name of 600 bytes → 128 × ß
      install('x'.repeat(2000)), // ASCII, no '::', over tracker_name's 1024 bytes too → 256 × x
      // dimension values over their columns, in bytes
      sessionCallback({
        app_name: 'アプリ'.repeat(100),
        created_at: noon(day),
        os_name: 'ö'.repeat(20),
        country: 'ü'.repeat(10),
        last_time_spent: '60',
        last_session_time: '',
      }),
    ]);

    await loadWithEveryMode(t, async () => {
      const byChannel = await getMetric(t, 'installs-by-channel', { from: day, to: day, app });
      expect(byChannel.summary).toEqual({ total: 7 });
      const rows = byChannel.data.map((row) => [row.channel, row.value]);
      expect(rows.sort()).toEqual(
        [
          ['é'.repeat(128), 3],
          ['x'.repeat(256), 1],
          ['ß'.repeat(128), 1],
          [`${'日本'.repeat(42)}日`, 1],
          ['😀'.repeat(64), 1],
        ].sort(),
      );
      // the app and os of the session, cut to 256 and 32 bytes, select it
      const cutApp = 'アプリ'.repeat(28) + 'ア';
      await expect(getMetric(t, 'session-duration', { from: day, to: day, app: cutApp, os: 'ö'.repeat(16) })).resolves.toMatchObject({
        summary: { average: 60 },
      });
      // nothing in the warehouse is over its byte limit (the checks above would have failed the load)
      for (const { table_name: table, column_name: column, limit } of varchars) {
        const [{ longest }] = await query<{ longest: number | null }>(
          t.databases.warehouseUrl,
          `SELECT max(octet_length(${column})) AS longest FROM stg.${table}`,
        );
        expect({ table, column, fits: (longest ?? 0) <= limit }).toEqual({ table, column, fits: true });
      }
    });
  });

  it('counts a tracker name an older extract loaded uncut by its first 64 characters, within the byte limit', async () => {
    // a row loaded before the extract cut the first segment (PostgreSQL took its 200 characters; Redshift
    // would have failed every recount of its day), then a full build of the rollups reads it
    await query(
      t.databases.warehouseUrl,
      `INSERT INTO stg.adjust (id, received_at, activity_kind, created_at, adid, app_name, tracker_name, network_name, extra)
       VALUES (-1, '2026-10-01 12:00:00', 'install', '2026-10-01 12:00:00', 'old-device', 'old.app', $1, '', '{}')`,
      [`${'é'.repeat(200)}::campaign`],
    );
    await query(t.databases.warehouseUrl, 'DELETE FROM stg.rollup_build');
    await expect(runEtl(t)).resolves.toMatchObject({ status: 'succeeded' });
    await expect(getMetric(t, 'installs-by-channel', { from: '2026-10-01', to: '2026-10-01', app: 'old.app' })).resolves.toMatchObject({
      data: [{ channel: 'é'.repeat(64), value: 1 }],
    });
  });

  it('loads a Unicode noncharacter as Redshift does, a ? per byte', async () => {
    // valid UTF-8 that PostgreSQL keeps and Redshift's ACCEPTINVCHARS replaces (redshift.md §7, finding 10)
    await sendCallbacks(t, [sessionCallback({ adid: 'nonchar-device', device_name: 'Pixel\uFDD0 \u{10FFFF}😀' })]);
    await expect(runEtl(t)).resolves.toMatchObject({ status: 'succeeded' });
    const rows = await query(t.databases.warehouseUrl, "SELECT device_name FROM stg.adjust WHERE adid = 'nonchar-device'");
    expect(rows).toEqual([{ device_name: 'Pixel??? ????😀' }]);
  });

  it("counts values that differ only by trailing blanks as one, as Redshift compares 'x ' equal to 'x'", async () => {
    const day = '2026-11-12';
    const app = 'blanks.app';
    await sendCallbacks(t, [
      // one device, once with a trailing blank in its id and its app
      installCallback({ adid: 'blank-device', app_name: app, created_at: noon(day), network_name: 'Blank Net' }),
      sessionCallback({ adid: 'blank-device ', app_name: `${app} `, created_at: noon(day), network_name: 'Blank Net ' }),
      installCallback({ adid: 'blank-other', app_name: `${app}  `, created_at: noon(day), network_name: 'Blank Net' }),
      // a registration whose name ends in a blank
      eventCallback({ adid: 'blank-device', app_name: app, created_at: noon(day), event_name: 'registration ', event: 'tok9' }),
    ]);

    await loadWithEveryMode(t, async () => {
      for (const filter of [app, `${app} `]) {
        const range = { from: day, to: day, app: filter };
        // Redshift: 'blank-device' = 'blank-device ', one device; the two installs under one app
        await expect(getMetric(t, 'dau', range)).resolves.toMatchObject({ summary: { distinct: 2 }, data: [{ value: 2 }] });
        await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({ summary: { total: 2 } });
        await expect(getMetric(t, 'registrations', range)).resolves.toMatchObject({ summary: { total: 1 } });
        await expect(getMetric(t, 'installs-by-channel', range)).resolves.toMatchObject({ data: [{ channel: 'Blank Net', value: 2 }] });
      }
      const devices = await query(t.databases.warehouseUrl, "SELECT DISTINCT adid FROM stg.active_device WHERE adid LIKE 'blank-%'");
      expect(devices).toHaveLength(2);
    });
  });

  it('fits text as rtrim(mob.fit_bytes(value, n)) does (mob.fit_text, the extract’s fitting), for short, long, blank-ended, multibyte and empty values', async () => {
    const values = [
      null,
      '',
      ' ',
      '   ',
      'x',
      'x ',
      'x  ',
      ' x',
      'a b',
      'x\t',
      '100% ',
      'under_score ',
      'é',
      'é ',
      '日本 ',
      '😀😀',
      'abcdefgh',
      'abcdefg ',
      'abcdef  ',
      'abcdefghij',
      'abcdefg é',
      'abcdé fg',
      'ab😀cdefg',
      '日本語テキスト',
    ];
    const rows = await query<{ value: string | null; fitted: string | null; trimmed: string | null }>(
      t.databases.sourceUrl,
      `SELECT value, mob.fit_text(value, 8) AS fitted, rtrim(mob.fit_bytes(value, 8)) AS trimmed
       FROM unnest($1::text[]) AS value`,
      [values],
    );
    expect(rows).toHaveLength(values.length);
    for (const row of rows) expect({ value: row.value, fitted: row.fitted }).toEqual({ value: row.value, fitted: row.trimmed });
    // by hand: a cut that ends in a blank loses it, a multibyte character is never split
    const fitted = Object.fromEntries(rows.map((row) => [String(row.value), row.fitted]));
    expect(fitted).toMatchObject({
      'abcdefg é': 'abcdefg',
      'abcdé fg': 'abcdé f',
      'ab😀cdefg': 'ab😀cd',
      日本語テキスト: '日本',
      'x  ': 'x',
      '   ': '',
    });
    expect(fitted.null).toBeNull();
  });
});
