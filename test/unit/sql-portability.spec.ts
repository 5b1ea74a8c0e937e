import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { listSqlFiles } from '../../src/database/sql-catalog.js';
import {
  PORTABILITY_RULES,
  checkSharedSql,
  findPortabilityProblems,
  formatFindings,
  sharedWarehouseSqlFiles,
  stripSqlComments,
} from '../support/sql-portability.js';

// One small statement per construct the checker must refuse in SQL that PostgreSQL and Redshift share.
const NON_PORTABLE: [construct: string, sql: string][] = [
  ['ON CONFLICT', 'INSERT INTO stg.adjust (id) VALUES ($1) ON CONFLICT (id) DO NOTHING'],
  ['RETURNING', 'DELETE FROM stg.load WHERE loaded_at < $1 RETURNING run_id'],
  ['FILTER (WHERE …)', "SELECT count(*) FILTER (WHERE activity_kind = 'install') FROM stg.adjust"],
  ['DISTINCT ON', 'SELECT DISTINCT ON (adid) adid, created_at FROM stg.adjust ORDER BY adid, created_at'],
  ['generate_series', "SELECT d FROM generate_series($1::date, $2::date, INTERVAL '1 day') AS d"],
  ['JSON/JSONB type', 'SELECT extra::jsonb FROM stg.adjust'],
  ['JSON/JSONB type', 'SELECT CAST(extra AS JSON) FROM stg.adjust'],
  ['JSON/JSONB type', 'CREATE TEMP TABLE t (params JSONB)'],
  ['JSON function', 'SELECT jsonb_build_object($1, adid) FROM stg.adjust'],
  ['JSON function', 'SELECT to_json(adid) FROM stg.adjust'],
  ['JSON operator', "SELECT extra ->> 'partner' FROM stg.adjust"],
  ['ARRAY constructor', 'SELECT ARRAY[1, 2, 3]'],
  ['ARRAY constructor', 'SELECT ARRAY(SELECT adid FROM stg.adjust)'],
  ['array type or subscript', 'SELECT $1::text[]'],
  ['array type or subscript', 'SELECT (string_to_array(adid, $1))[1] FROM stg.adjust'],
  ['ANY(…)', 'SELECT adid FROM stg.adjust WHERE event = ANY($1)'],
  ['ARRAY_AGG', 'SELECT array_agg(adid) FROM stg.adjust'],
  ['STRING_AGG', "SELECT string_agg(network_name, ',') FROM stg.adjust"],
  ['array function', 'SELECT unnest($1) AS event'],
  ['LATERAL', 'SELECT a.adid, l.n FROM stg.adjust a CROSS JOIN LATERAL (SELECT count(*) AS n FROM stg.load) l'],
  ['IS DISTINCT FROM', 'SELECT adid FROM stg.adjust WHERE network_name IS DISTINCT FROM $1'],
  ['IS DISTINCT FROM', 'SELECT adid FROM stg.adjust WHERE network_name IS NOT DISTINCT FROM $1'],
  ['RANGE/GROUPS frame', "SELECT sum(n) OVER (ORDER BY d RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) FROM daily"],
  ['RANGE/GROUPS frame', 'SELECT sum(n) OVER (ORDER BY d GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM daily'],
  ['window ORDER BY without a ROWS frame', 'SELECT sum(n) OVER (PARTITION BY network ORDER BY d) FROM daily'],
  ['window ORDER BY without a ROWS frame', 'SELECT first_value(adid) OVER (ORDER BY created_at) FROM stg.adjust'],
  ['DISTINCT window aggregate', 'SELECT count(DISTINCT adid) OVER (PARTITION BY d) FROM daily'],
  ['NOW()', "DELETE FROM stg.load WHERE loaded_at < now() - INTERVAL '30 days'"],
  ['CURRENT_TIMESTAMP', 'UPDATE stg.load SET loaded_at = CURRENT_TIMESTAMP'],
  ['LOCALTIMESTAMP', 'SELECT LOCALTIMESTAMP'],
  ['CURRENT_TIME/LOCALTIME', 'SELECT CURRENT_TIME, LOCALTIME'],
  ['CURRENT_DATE', 'SELECT count(*) FROM stg.adjust WHERE created_at >= CURRENT_DATE'],
  ['GETDATE', 'SELECT GETDATE()'],
  ['SYSDATE', 'SELECT SYSDATE'],
  ['PostgreSQL clock function', 'SELECT clock_timestamp()'],
  ['AGE()', 'SELECT age(created_at) FROM stg.adjust'],
  ['DATEADD', 'SELECT DATEADD(day, -7, $1)'],
  ['DATEDIFF', 'SELECT DATEDIFF(day, installed_at, created_at) FROM stg.adjust'],
  ['Redshift-only function', "SELECT LISTAGG(network_name, ',') WITHIN GROUP (ORDER BY network_name) FROM stg.adjust"],
  ['Redshift-only function', "SELECT NVL(network_name, 'unknown') FROM stg.adjust"],
  ['APPROXIMATE', 'SELECT APPROXIMATE COUNT(DISTINCT adid) FROM stg.adjust'],
  ['SELECT TOP', 'SELECT TOP 10 adid FROM stg.adjust'],
  ['PostgreSQL-only function', 'SELECT created_at - make_interval(days => $1) FROM stg.adjust'],
  ['PostgreSQL-only function', 'SELECT pg_last_copy_id()'],
  ['TRUNCATE', 'TRUNCATE stg.adjust'],
  ['VACUUM', 'VACUUM stg.adjust'],
  ['SERIAL', 'CREATE TEMP TABLE t (id SERIAL)'],
  ['SERIAL', 'CREATE TEMP TABLE t (id BIGSERIAL)'],
  ['CREATE INDEX', 'CREATE INDEX stage_adjust_id ON stage_adjust (id)'],
  ['CREATE INDEX', 'CREATE UNIQUE INDEX stage_adjust_id ON stage_adjust (id)'],
  ['ON COMMIT', 'CREATE TEMP TABLE stage_adjust (LIKE stg.adjust) ON COMMIT DROP'],
  ['CREATE FUNCTION', "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"],
  ['Redshift table design', 'CREATE TEMP TABLE t (id BIGINT ENCODE az64) DISTKEY (id) SORTKEY (id)'],
  ['cast to a PostgreSQL-only type', 'SELECT $1::uuid'],
  ['cast to a PostgreSQL-only type', 'SELECT CAST($1 AS bytea)'],
  ['cast to a PostgreSQL-only type', "SELECT '[1,5)'::int4range"],
  ['TEXT cast', 'SELECT id::text FROM stg.adjust'],
  ["E'…' string", "SELECT E'a\\tb'"],
  ['FOR UPDATE/SHARE', 'SELECT run_id FROM stg.load FOR UPDATE'],
  ['LOCK … IN … MODE', 'LOCK TABLE stg.load IN SHARE ROW EXCLUSIVE MODE'],
  ['AS MATERIALIZED', 'WITH d AS MATERIALIZED (SELECT 1 AS n) SELECT n FROM d'],
];

// Statements the checker must accept: the portable forms of §3.1, and forbidden words in prose or data.
const PORTABLE: [what: string, sql: string][] = [
  ['ILIKE (Redshift has it)', "SELECT adid FROM stg.adjust WHERE network_name ILIKE 'face%'"],
  ['the zone list as Redshift documents it', 'SELECT pg_timezone_names() AS zone'],
  [
    'ROWS frames and ranking windows',
    'SELECT row_number() OVER (PARTITION BY adid ORDER BY created_at, id) AS n, sum(revenue) OVER (ORDER BY created_at, id ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) FROM stg.adjust',
  ],
  ['a window aggregate without ORDER BY', 'SELECT count(*) OVER (PARTITION BY adid) FROM stg.adjust'],
  [
    'portable date math',
    "SELECT CAST(created_at AS DATE), created_at - INTERVAL '7 days', DATE_TRUNC('week', created_at), EXTRACT(hour FROM created_at) FROM stg.adjust WHERE created_at >= $1",
  ],
  [
    'casts to portable types',
    'SELECT CAST(session_count AS DOUBLE PRECISION), id::bigint, $1::timestamp, CAST(adid AS VARCHAR(64)) FROM stg.adjust',
  ],
  [
    'COUNT(DISTINCT CASE …)',
    "SELECT COUNT(DISTINCT CASE WHEN event = 'x' THEN adid END), SUM(CASE WHEN is_organic THEN 1 ELSE 0 END) FROM stg.adjust",
  ],
  ['COALESCE and GROUP BY ordinals', "SELECT COALESCE(network_name, 'unknown'), count(*) FROM stg.adjust GROUP BY 1"],
  ['UNION ALL with a parenthesised query', 'SELECT 1 UNION ALL (SELECT 2)'],
  ['IN (subquery)', 'SELECT adid FROM stg.adjust WHERE id IN (SELECT run_id FROM stg.load)'],
  ['columns whose names contain keywords', 'SELECT range_start, now_playing, text_value, json_size, array_count FROM t'],
  ['the merge recipe', 'DELETE FROM stg.adjust USING stage_adjust WHERE stg.adjust.id = stage_adjust.id AND stg.adjust.created_at >= $1'],
  ['forbidden words in comments', '-- never TRUNCATE, never RETURNING, never now()\n/* VACUUM /* nested */ ON CONFLICT */ SELECT 1'],
  ['forbidden words in string literals', "SELECT 'now() RETURNING [1] ON CONFLICT', 'it''s -- not a comment' FROM stg.adjust"],
  ['forbidden words in quoted identifiers', 'SELECT 1 AS "returning", 2 AS "json"'],
  [
    'the DAU/WAU/MAU sketch of §3.1',
    `WITH days AS (SELECT DISTINCT activity_date AS d FROM daily_active)
     SELECT days.d,
            COUNT(DISTINCT CASE WHEN da.activity_date = days.d THEN da.adid END) AS dau,
            COUNT(DISTINCT CASE WHEN da.activity_date > days.d - INTERVAL '7 days' THEN da.adid END) AS wau,
            COUNT(DISTINCT da.adid) AS mau
     FROM days JOIN daily_active da
       ON da.activity_date <= days.d AND da.activity_date > days.d - INTERVAL '30 days'
     GROUP BY days.d`,
  ],
];

const constructs = (sql: string) => findPortabilityProblems(sql).map((finding) => finding.construct);

describe('findPortabilityProblems', () => {
  it.each(NON_PORTABLE)('flags %s', (construct, sql) => {
    expect(constructs(sql)).toContain(construct);
  });

  it.each(PORTABLE)('accepts %s', (_what, sql) => {
    expect(findPortabilityProblems(sql)).toEqual([]);
  });

  it('has a sample for every rule it applies', () => {
    const sampled = new Set(NON_PORTABLE.map(([construct]) => construct));
    expect(PORTABILITY_RULES.map((rule) => rule.construct).filter((construct) => !sampled.has(construct))).toEqual([]);
  });

  it('reports the file, the construct, its line and the line itself', () => {
    const sql = '-- Purpose: a sample\nSELECT adid\nFROM stg.adjust\nWHERE created_at >= now()';
    expect(findPortabilityProblems(sql, 'metrics/dau.sql')).toEqual([
      { file: 'metrics/dau.sql', construct: 'NOW()', line: 4, excerpt: 'WHERE created_at >= now()', why: expect.any(String) },
    ]);
  });

  it('strips line, nested block and trailing comments but keeps literals and line breaks', () => {
    const sql = "SELECT '--x' /* a /* b */ c */ AS v -- tail\nFROM t";
    expect(stripSqlComments(sql).replace(/ +/g, ' ')).toBe("SELECT '--x' AS v \nFROM t");
  });
});

describe('the shared warehouse SQL', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('covers the top level of sql/etl/warehouse, not its per-engine folders', () => {
    const files = sharedWarehouseSqlFiles().map((file) => path.relative(SQL_ROOT, file));
    expect(files).toEqual(expect.arrayContaining(['etl/warehouse/record-load.sql', 'etl/warehouse/delete-after-id.sql']));
    expect(files.filter((file) => /postgres|redshift/.test(file))).toEqual([]);
  });

  it('covers the statements that read the rollups: sql/metrics and sql/dashboard', () => {
    const files = sharedWarehouseSqlFiles().map((file) => path.relative(SQL_ROOT, file));
    expect(files).toEqual(
      expect.arrayContaining(['metrics/active-users.sql', 'metrics/refresh/add-active-changes.sql', 'dashboard/dimensions.sql']),
    );
  });

  it('also covers sql/metrics, recursively, once it exists, and names file and construct', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kpi-sql-'));
    temps.push(root);
    mkdirSync(path.join(root, 'etl', 'warehouse', 'redshift'), { recursive: true });
    mkdirSync(path.join(root, 'metrics', 'daily'), { recursive: true });
    writeFileSync(path.join(root, 'etl', 'warehouse', 'ok.sql'), 'SELECT 1');
    writeFileSync(path.join(root, 'etl', 'warehouse', 'redshift', 'vacuum.sql'), 'VACUUM stg.adjust');
    writeFileSync(path.join(root, 'metrics', 'daily', 'dau.sql'), 'SELECT adid\nFROM stg.adjust\nWHERE created_at >= GETDATE()');

    const findings = checkSharedSql(root);

    expect(findings.map(({ file, construct, line }) => ({ file, construct, line }))).toEqual([
      { file: 'metrics/daily/dau.sql', construct: 'GETDATE', line: 3 },
    ]);
    expect(formatFindings(findings)).toMatch(/^sql\/metrics\/daily\/dau\.sql:3: GETDATE .*GETDATE\(\)$/);
  });

  it('stays in the portable subset', () => {
    const findings = checkSharedSql();
    expect(formatFindings(findings)).toBe('');
  });
});

describe('credentials in SQL', () => {
  const CREDENTIAL_PATTERNS = [/ACCESS_KEY_ID/i, /SECRET_ACCESS_KEY/i, /CREDENTIALS\s*'/i, /aws_access_key/i, /SESSION_TOKEN/i];

  it('no .sql file under sql/ holds an access key clause', () => {
    const files = listSqlFiles(SQL_ROOT);
    expect(files.length).toBeGreaterThan(0);
    const mentions = files.flatMap((file) =>
      CREDENTIAL_PATTERNS.filter((pattern) => pattern.test(readFileSync(file, 'utf8'))).map(
        (pattern) => `${path.relative(SQL_ROOT, file)}: ${pattern}`,
      ),
    );
    expect(mentions).toEqual([]);
  });
});
