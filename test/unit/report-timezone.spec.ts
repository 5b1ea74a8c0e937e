import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { OperatorError } from '../../src/common/operator-error.js';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { checkReportTimezone, zoneNameOf } from '../../src/database/report-timezone.js';
import { isFragment, listSqlFiles, SqlCatalog, timeZoneLiteral } from '../../src/database/sql-catalog.js';
import { RefreshQueries } from '../../src/etl/rollups/refresh-queries.js';
import type { SqlClient } from '../../src/etl/warehouse/warehouse-session.js';
import { stripSqlComments } from '../support/sql-text.js';

// The start's check of REPORT_TIMEZONE against the warehouse's zone list, on rows as Redshift and
// PostgreSQL print SELECT pg_timezone_names() (the real PostgreSQL answer is read in
// test/medium/report-timezone.spec.ts).

const sql = new SqlCatalog();
const ZONES = ['(Africa/Abidjan,GMT,00:00:00,f)', '(Europe/Berlin,CET,01:00:00,f)', '(UTC,UTC,00:00:00,f)', '(Etc/GMT+1,-01,-01:00:00,f)'];

function warehouse(records: string[]) {
  const sent: string[] = [];
  const query = async (statement: string) => {
    sent.push(statement);
    return records.map((zone) => ({ zone }));
  };
  return { query, sent };
}

describe('zoneNameOf', () => {
  it.each([
    ['(Europe/Berlin,CET,01:00:00,f)', 'Europe/Berlin'],
    ['(Etc/GMT+1,-01,-01:00:00,f)', 'Etc/GMT+1'],
    ['("Odd, Zone",X,00:00:00,f)', 'Odd, Zone'],
    ['("Say ""hi""",X,00:00:00,f)', 'Say "hi"'],
  ])('reads the name of %s', (record, name) => {
    expect(zoneNameOf(record)).toBe(name);
  });

  it('refuses a row that is not a record', () => {
    expect(() => zoneNameOf('Europe/Berlin')).toThrow(/unexpected pg_timezone_names\(\) row/);
  });
});

describe('checkReportTimezone', () => {
  it('accepts a zone the warehouse lists, asking with the documented SELECT pg_timezone_names()', async () => {
    const { query, sent } = warehouse(ZONES);
    await expect(checkReportTimezone(query, sql, 'Europe/Berlin')).resolves.toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^SELECT pg_timezone_names\(\) AS zone$/m);
  });

  it('stops the start on a zone the warehouse does not list, naming it and how to list the valid ones', async () => {
    const failure = checkReportTimezone(warehouse(ZONES).query, sql, 'America/Ciudad_Juarez');
    await expect(failure).rejects.toBeInstanceOf(OperatorError);
    await expect(failure).rejects.toThrow(
      'REPORT_TIMEZONE America/Ciudad_Juarez is not a time zone the warehouse knows. Its zones are listed by SELECT pg_timezone_names(); on the warehouse',
    );
  });

  it('refuses a spelling the warehouse lists only in another case, and says its spelling', async () => {
    await expect(checkReportTimezone(warehouse(ZONES).query, sql, 'europe/berlin')).rejects.toThrow(
      /REPORT_TIMEZONE europe\/berlin is not a time zone the warehouse knows; the warehouse spells it Europe\/Berlin/,
    );
  });
});

describe('timeZoneLiteral', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+1', 'Etc/GMT-14'])('quotes %s', (zone) => {
    expect(timeZoneLiteral(zone)).toBe(`'${zone}'`);
  });

  it.each(["Europe/Berlin' OR '1'='1", 'Europe/Berlin\\', 'Europe Berlin', '', 'x'.repeat(65)])('refuses %j', (zone) => {
    expect(() => timeZoneLiteral(zone)).toThrow(/not a time zone name/);
  });
});

describe(`${RefreshQueries.name} and the report time zone`, () => {
  const zoned = listSqlFiles(path.join(SQL_ROOT, 'metrics'))
    .map((file) => path.relative(path.join(SQL_ROOT, 'metrics'), file).replace(/\.sql$/, ''))
    .filter((name) => !isFragment(`metrics/${name}`))
    .filter((name) => /AT TIME ZONE/i.test(stripSqlComments(sql.get(`metrics/${name}`)).replace(/AT TIME ZONE 'UTC'/gi, '')));

  it('finds the refresh statements that turn times into report days', () => {
    expect(zoned.sort()).toEqual(
      [
        'refresh/full-build/all-days',
        'refresh/delta/add-installs',
        'refresh/delta/load-rows',
        'refresh/recount/insert-rows',
        'refresh/retention/insert-devices',
        'refresh/recount/updated-install-days',
      ].sort(),
    );
  });

  it.each([
    'refresh/full-build/all-days',
    'refresh/delta/add-installs',
    'refresh/delta/load-rows',
    'refresh/recount/insert-rows',
    'refresh/retention/insert-devices',
    'refresh/recount/updated-install-days',
  ])('sends %s with the zone as a literal, never as a bind parameter', async (name) => {
    const sent: string[] = [];
    const client = { query: async (text: string) => (sent.push(text), { rows: [] }) } as unknown as SqlClient;
    await new RefreshQueries(client, sql, 'America/Argentina/Buenos_Aires').run(name, []);
    const code = stripSqlComments(sent[0]);
    expect(code).toContain("AT TIME ZONE 'America/Argentina/Buenos_Aires'");
    expect(code).not.toMatch(/AT TIME ZONE \$\d|\{report_timezone\}/);
  });
});
