import { describe, expect, it } from '@jest/globals';
import { SqlCatalog } from '../../src/database/sql-catalog.js';
import type { SqlClient } from '../../src/etl/warehouse/warehouse-session.js';
import { checkPrivileges, checkSettings } from '../../src/warehouse-check/check-session.js';
import { CHECK_STEPS, CheckReport } from '../../src/warehouse-check/check-steps.js';
import { klipMismatches } from '../../src/warehouse-check/klip-check.js';
import { CHECK_ROWS, KNOWN_ANSWERS, knownFileText } from '../../src/warehouse-check/known-answer.js';
import { KLIPS } from '../../src/metrics/klips.js';
import { inSchema, ScratchSqlCatalog, scratchMigrations } from '../../src/warehouse-check/scratch.js';

// The warehouse check's parts that need no database: the scratch schema's text rewrite, the comparison
// with the known answer, and the report (test/medium/warehouse-check.spec.ts runs the whole check).

const SCHEMA = 'kpi_check_0a1b2c3d';

describe('inSchema', () => {
  it('moves every use of schema stg, and nothing else, to the scratch schema', () => {
    expect(inSchema('CREATE SCHEMA IF NOT EXISTS stg;\nLOCK stg.load; SELECT stg_x, x.stg_y FROM stg.adjust', SCHEMA)).toBe(
      `CREATE SCHEMA IF NOT EXISTS ${SCHEMA};\nLOCK ${SCHEMA}.load; SELECT stg_x, x.stg_y FROM ${SCHEMA}.adjust`,
    );
  });

  it('refuses a schema name it did not generate', () => {
    expect(() => inSchema('SELECT 1', 'public; DROP SCHEMA stg')).toThrow(/not a scratch schema name/);
  });

  it('leaves no statement of the catalog or the migrations naming stg', () => {
    const scratch = new ScratchSqlCatalog(SCHEMA);
    for (const name of [
      'etl/warehouse/insert-staged',
      'etl/warehouse/redshift/lock-loads',
      'metrics/installs',
      'metrics/refresh/recount/insert-counts',
    ]) {
      expect(scratch.get(name)).toContain(`${SCHEMA}.`);
      expect(scratch.get(name)).not.toMatch(/\bstg\b/);
    }
    for (const engine of ['postgres', 'redshift'] as const) {
      const migrations = scratchMigrations(engine, SCHEMA);
      expect(migrations.length).toBeGreaterThanOrEqual(5);
      expect(migrations[0]).toContain(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      expect(migrations.filter((text) => /\bstg\b/.test(text))).toEqual([]);
    }
    expect(new SqlCatalog().get('metrics/installs')).toMatch(/\bstg\./);
  });
});

describe('klipMismatches', () => {
  const exact = async (request: (typeof KNOWN_ANSWERS)[number]['request']) =>
    KNOWN_ANSWERS.find((known) => known.request === request)!.answer;

  it('finds nothing when every klip answers the known numbers', async () => {
    await expect(klipMismatches(exact)).resolves.toEqual([]);
  });

  it('names a klip whose numbers differ, with both answers', async () => {
    const mismatches = await klipMismatches(async (request) => {
      const answer = await exact(request);
      return request.klip === 'wau' ? { ...answer, summary: { average: 2.67, distinct: 3 } } : answer;
    });
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toMatch(/^wau answered .*"average":2\.67.*, expected .*"average":2\.33/);
  });

  it('names a klip whose statement failed, with the error', async () => {
    const mismatches = await klipMismatches(async (request) => {
      if (request.granularity === 'day') throw new Error('function date_trunc(unknown, date) does not exist');
      return exact(request);
    });
    expect(mismatches).toEqual(['installs-by-channel by day failed: function date_trunc(unknown, date) does not exist']);
  });

  it('asks for every klip', () => {
    expect(new Set(KNOWN_ANSWERS.map(({ request }) => request.klip))).toEqual(new Set(KLIPS));
  });
});

describe('knownFileText', () => {
  it('writes a line of the 44 columns the stage and COPY read for each activity', () => {
    const lines = knownFileText().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(CHECK_ROWS);
    expect(CHECK_ROWS).toBe(13);
    for (const line of lines) expect(line.split('|')).toHaveLength(44);
  });
});

describe(CheckReport.name, () => {
  it('passes only when every step passed, and prints the causes and the page of a failure', async () => {
    const lines: string[] = [];
    const report = new CheckReport((line) => lines.push(line));
    for (const step of CHECK_STEPS.slice(0, -1)) await report.step(step, async () => ({ value: 1, detail: 'fine' }));
    expect(report.passed).toBe(false);
    await report.step('clean-up', async () => {
      throw new Error('connection lost');
    });
    expect(report.passed).toBe(false);
    expect(lines.slice(-3)).toEqual([
      '  FAIL  clean-up           connection lost',
      expect.stringMatching(/^ {8}usual causes: /),
      '        read: https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_SCHEMA.html',
    ]);
    expect(report.summary()).toBe('9 of 10 steps passed: fix "clean-up" first and run it again');
  });
});

// A connection answering current_setting(<name>) from `settings` and the privileges query with
// `privileges`; `sent` records the settings asked for, by name.
function answering(settings: Record<string, string>, privileges: Record<string, unknown> = {}): { client: SqlClient; sent: string[] } {
  const sent: string[] = [];
  const query = async (text: string, values?: unknown[]) => {
    if (/current_setting\(\$1\)/.test(text)) {
      const name = String(values![0]);
      sent.push(name);
      return { rows: [{ value: settings[name] }] };
    }
    sent.push(text.replace(/^--.*\n/gm, '').trim());
    return { rows: [privileges] };
  };
  return { client: { query } as unknown as SqlClient, sent };
}

const sql = new SqlCatalog();
const REDSHIFT_SESSION = {
  datestyle: 'ISO, MDY',
  timezone: 'UTC',
  describe_field_name_in_uppercase: 'off',
  statement_timeout: '3600000',
  query_group: 'mobile-kpi-warehouse',
};

describe('checkSettings', () => {
  it('reads back what every Redshift session sets', async () => {
    const { client, sent } = answering(REDSHIFT_SESSION);
    await expect(checkSettings(client, sql, 'redshift', 3_600_000)).resolves.toMatchObject({
      detail:
        'datestyle ISO, MDY; timezone UTC; describe_field_name_in_uppercase off; statement_timeout 3600000; query_group mobile-kpi-warehouse',
    });
    expect(sent).toEqual(Object.keys(REDSHIFT_SESSION));
  });

  it('accepts a timeout shown with a unit', async () => {
    const { client } = answering({ ...REDSHIFT_SESSION, statement_timeout: '1h' });
    await expect(checkSettings(client, sql, 'redshift', 3_600_000)).resolves.toBeDefined();
  });

  it('names every setting that differs, with what the service needs', async () => {
    const { client } = answering({
      ...REDSHIFT_SESSION,
      describe_field_name_in_uppercase: 'on',
      timezone: 'America/New_York',
      query_group: '',
    });
    await expect(checkSettings(client, sql, 'redshift', 3_600_000)).rejects.toThrow(
      'timezone is America/New_York, the service needs UTC; describe_field_name_in_uppercase is on, the service needs off; query_group is , the service needs mobile-kpi-warehouse',
    );
  });

  it('asks PostgreSQL only for what the stand-in sets', async () => {
    const { client, sent } = answering({ DateStyle: 'ISO, MDY', TimeZone: 'UTC' });
    await expect(checkSettings(client, sql, 'postgres', 3_600_000)).resolves.toBeDefined();
    expect(sent).toEqual(['DateStyle', 'TimeZone']);
  });
});

describe('checkPrivileges', () => {
  it('passes with CREATE and TEMP and no schema stg yet', async () => {
    const { client } = answering({}, { can_create: true, can_temp: true, stg_owner: null });
    await expect(checkPrivileges(client, sql, 'kpi_service')).resolves.toMatchObject({
      detail: expect.stringContaining('no schema stg yet'),
    });
  });

  it('names each missing privilege and a schema stg of another owner', async () => {
    const { client } = answering({}, { can_create: false, can_temp: false, stg_owner: 'etl_admin   ' });
    await expect(checkPrivileges(client, sql, 'kpi_service')).rejects.toThrow(
      'kpi_service lacks CREATE and TEMP on the database; schema stg belongs to etl_admin, not to kpi_service',
    );
  });
});
