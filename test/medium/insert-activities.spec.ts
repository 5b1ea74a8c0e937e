import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACTIVITY_COLUMNS, parseCallback } from '../../src/collector/callback-parser.js';
import { CallbackRepository } from '../../src/collector/callback.repository.js';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { NOW_EPOCH } from '../support/adjust-callbacks.js';
import { adminQuery } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const at = (epoch: number) => new Date(epoch * 1000);

// The statement without its comment lines, so a column named in the header cannot count.
const statement = readFileSync(path.join(SQL_ROOT, 'collector', 'insert-activities.sql'), 'utf8')
  .split('\n')
  .filter((line) => !line.trimStart().startsWith('--'))
  .join('\n');

function insertedColumns(): string[] {
  const list = /INSERT INTO mob\.adjust\s*\(([^)]*)\)/.exec(statement);
  if (!list) throw new Error('no INSERT INTO mob.adjust (…) column list in insert-activities.sql');
  return list[1].split(',').map((column) => column.trim());
}

// Each unnest argument as [placeholder number, cast type], in the order they appear.
function unnestArrays(): [number, string][] {
  const call = /unnest\(([^)]*)\)/.exec(statement);
  if (!call) throw new Error('no unnest(…) in insert-activities.sql');
  return call[1].split(',').map((argument) => {
    const match = /^\$(\d+)::(\w+)\[\]$/.exec(argument.trim());
    if (!match) throw new Error(`unexpected unnest argument ${argument.trim()}`);
    return [Number(match[1]), match[2]];
  });
}

// An iOS purchase event on which every typed field has a value of its own, so a column that receives
// its neighbour's array (same type or not) shows up as a wrong value instead of passing unnoticed.
const sent = {
  activity_kind: 'event',
  created_at: String(NOW_EPOCH),
  installed_at: String(NOW_EPOCH - 86_400 * 3),
  click_time: String(NOW_EPOCH - 86_400 * 3 - 75),
  reattributed_at: String(NOW_EPOCH - 3_600),
  last_session_time: String(NOW_EPOCH - 7_200),
  adid: 'f3a9c1d2e4b5a6978877665544332211',
  gps_adid: '38400000-8cf0-11bd-b23e-10b96e40000d',
  idfa: 'EA7583CD-A667-48BC-B806-42ECB2B48606',
  idfv: '9B3A4C5D-6E7F-4081-92A3-B4C5D6E7F809',
  android_id: '9774d56d682e549c',
  app_token: 'abc123xyz789',
  app_id: '1234567890',
  app_name: 'com.example.fitapp',
  app_version: '3.4.1',
  environment: 'production',
  store: 'itunes',
  tracker: 'abc123',
  tracker_name: 'Network1::Christmas::Reindeers::320x70_en',
  network_name: 'Network1',
  campaign_name: 'Christmas',
  adgroup_name: 'Reindeers',
  creative_name: '320x70_en',
  is_organic: '0',
  country: 'DE',
  os_name: 'iOS',
  os_version: '17.4',
  device_type: 'phone',
  device_name: 'iPhone15,2',
  event: 'pur4x9',
  event_name: 'purchase',
  revenue: '4.99',
  revenue_float: '4.75',
  revenue_usd: '5.42',
  currency: 'EUR',
  reporting_revenue: '4.61',
  reporting_currency: 'USD',
  last_time_spent: '412',
  time_spent: '37',
  session_count: '34',
  lifetime_session_count: '185',
  user_id: '42',
};

describe(CallbackRepository.name, () => {
  it('names the columns of insert-activities.sql in the order of ACTIVITY_COLUMNS, with one unnest array each, $1…$n in order', () => {
    expect(insertedColumns()).toEqual([...ACTIVITY_COLUMNS]);
    const arrays = unnestArrays();
    expect(arrays).toHaveLength(ACTIVITY_COLUMNS.length);
    expect(arrays.map(([placeholder]) => placeholder)).toEqual(ACTIVITY_COLUMNS.map((_, i) => i + 1));
  });

  describe('on PostgreSQL', () => {
    let t: TestApp;
    let sourceDb: string;
    beforeAll(async () => {
      t = await startTestApp();
      sourceDb = new URL(t.databases.sourceUrl).pathname.slice(1);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('casts each unnest array to the type of the column it fills', async () => {
      const columnTypes = await adminQuery<{ name: string; type: string }>(
        `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
         WHERE attrelid = 'mob.adjust'::regclass AND attnum > 0 AND NOT attisdropped`,
        [],
        sourceDb,
      );
      const typeOf = new Map(columnTypes.map((column) => [column.name, column.type]));
      const casts = await adminQuery<{ type: string }>(
        'SELECT to_regtype(cast_type)::text AS type FROM unnest($1::text[]) WITH ORDINALITY AS c(cast_type, n) ORDER BY n',
        [unnestArrays().map(([, type]) => type)],
        sourceDb,
      );

      expect(casts.map((cast) => cast.type)).toEqual(insertedColumns().map((column) => typeOf.get(column)));
    });

    it('stores every field of an activity in its own column', async () => {
      // the fixture would not catch a swap between two fields that carry the same value
      const values = Object.values(sent);
      expect(new Set(values).size).toBe(values.length);
      const parsed = parseCallback(sent);
      if (parsed.kind !== 'activity') throw new Error(`the fixture was rejected: ${parsed.reason}`);
      const expected = {
        dedup_key: parsed.activity.dedup_key,
        activity_kind: 'event',
        created_at: at(NOW_EPOCH),
        installed_at: at(NOW_EPOCH - 86_400 * 3),
        click_time: at(NOW_EPOCH - 86_400 * 3 - 75),
        reattributed_at: at(NOW_EPOCH - 3_600),
        last_session_time: at(NOW_EPOCH - 7_200),
        adid: sent.adid,
        gps_adid: sent.gps_adid,
        idfa: sent.idfa,
        idfv: sent.idfv,
        android_id: sent.android_id,
        app_token: sent.app_token,
        app_id: sent.app_id,
        app_name: sent.app_name,
        app_version: sent.app_version,
        environment: sent.environment,
        store: sent.store,
        tracker: sent.tracker,
        tracker_name: sent.tracker_name,
        network_name: sent.network_name,
        campaign_name: sent.campaign_name,
        adgroup_name: sent.adgroup_name,
        creative_name: sent.creative_name,
        is_organic: false,
        country: 'de',
        os_name: 'ios',
        os_version: sent.os_version,
        device_type: sent.device_type,
        device_name: sent.device_name,
        event: sent.event,
        event_name: sent.event_name,
        revenue: 4.99,
        revenue_float: 4.75,
        revenue_usd: 5.42,
        currency: 'EUR',
        reporting_revenue: 4.61,
        reporting_currency: 'USD',
        last_time_spent: 412,
        time_spent: 37,
        session_count: 34,
        lifetime_session_count: 185,
        extra: { user_id: '42' },
      };
      expect(Object.keys(expected).sort()).toEqual([...ACTIVITY_COLUMNS].sort());

      const inserted = await t.app.get(CallbackRepository).insertActivities([parsed.activity]);

      expect([...inserted]).toEqual([parsed.activity.dedup_key.toString('hex')]);
      const rows = await adminQuery('SELECT * FROM mob.adjust', [], sourceDb);
      // xact_id: the transaction that stored it, for the ETL's resume point
      expect(rows).toEqual([
        { id: expect.any(String), received_at: expect.any(Date), xact_id: expect.stringMatching(/^\d+$/), ...expected },
      ]);
    });
  });
});
