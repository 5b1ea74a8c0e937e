import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseSync } from 'libpg-query';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { listSqlFiles } from '../../src/database/sql-catalog.js';
import { checkStatement, formatFindings, loadParser } from '../support/redshift-gate/gate.js';
import {
  catalogNamesIn,
  hasPlaceholders,
  inlineStatements,
  klipStatementNames,
  SOURCE_CODE,
  sqlFiles,
  statementsOf,
  WAREHOUSE_CODE,
} from '../support/redshift-gate/warehouse-sql.js';

// One small statement per construct the gate must refuse in SQL that PostgreSQL and Redshift share.
const FORBIDDEN: [construct: string, sql: string][] = [
  ['ON CONFLICT', 'INSERT INTO stg.adjust (id) VALUES ($1) ON CONFLICT (id) DO NOTHING'],
  ['RETURNING', 'INSERT INTO stg.load (run_id) VALUES ($1) RETURNING run_id'],
  ['RETURNING', 'DELETE FROM stg.load WHERE loaded_at < $1 RETURNING run_id'],
  ['RETURNING', 'UPDATE stg.load SET maintained = TRUE WHERE run_id = $1 RETURNING run_id'],
  ['WITH … INSERT', 'WITH n AS (SELECT 1 AS id) INSERT INTO stg.load (run_id) SELECT id FROM n'],
  ['FILTER (WHERE …)', "SELECT count(*) FILTER (WHERE activity_kind = 'install') FROM stg.adjust"],
  ['DISTINCT ON', 'SELECT DISTINCT ON (adid) adid, created_at FROM stg.adjust ORDER BY adid, created_at'],
  ['LATERAL', 'SELECT a.adid, l.n FROM stg.adjust a CROSS JOIN LATERAL (SELECT count(*) AS n FROM stg.load) l'],
  ['generate_series()', "SELECT generate_series($1::date, $2::date, INTERVAL '1 day')"],
  ['RangeFunction', "SELECT d FROM generate_series($1::date, $2::date, INTERVAL '1 day') AS d"],
  ['unnest()', 'SELECT unnest($1::varchar[])'],
  ['ANY(…)/ALL(…) of an array', 'SELECT adid FROM stg.adjust WHERE event = ANY($1)'],
  ['array type', 'SELECT $1::varchar[]'],
  ['A_ArrayExpr', 'SELECT ARRAY[1, 2, 3]'],
  ['ARRAY(SELECT …)', 'SELECT ARRAY(SELECT adid FROM stg.adjust)'],
  ['A_Indirection', 'SELECT (string_to_array(adid, $1))[1] FROM stg.adjust'],
  ['array_agg()', 'SELECT array_agg(adid) FROM stg.adjust'],
  ['array_upper()', 'SELECT array_upper($1::int[], 1)'],
  ['jsonb_extract_path()', "SELECT jsonb_extract_path($1, 'a')"],
  ['regr_slope()', 'SELECT regr_slope(a, b) FROM daily'],
  ['txid_current()', 'SELECT txid_current()'],
  ['hll_cardinality()', 'SELECT hll_cardinality(sketch) FROM daily'],
  ['string_agg()', "SELECT string_agg(network_name, ',') FROM stg.adjust"],
  ['JSONB type', 'SELECT extra::jsonb FROM stg.adjust'],
  ['JSON type', 'SELECT CAST(extra AS JSON) FROM stg.adjust'],
  ['JSONB type', 'CREATE TEMP TABLE t (params JSONB)'],
  ['operator ->>', "SELECT extra ->> 'partner' FROM stg.adjust"],
  ['operator @>', 'SELECT adid FROM stg.adjust WHERE extra @> $1'],
  ['jsonb_build_object()', 'SELECT jsonb_build_object($1, adid) FROM stg.adjust'],
  ['JsonObjectConstructor', "SELECT JSON_OBJECT('a': adid) FROM stg.adjust"],
  ['RANGE/GROUPS frame', "SELECT sum(n) OVER (ORDER BY d RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) FROM daily"],
  ['RANGE/GROUPS frame', 'SELECT sum(n) OVER (ORDER BY d GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM daily'],
  ['window ORDER BY without a ROWS frame', 'SELECT sum(n) OVER (PARTITION BY network ORDER BY d) FROM daily'],
  ['window ORDER BY without a ROWS frame', 'SELECT count(*) OVER (ORDER BY d) FROM daily'],
  ['window ORDER BY without a ROWS frame', 'SELECT first_value(adid) OVER (ORDER BY created_at) FROM stg.adjust'],
  ['frame EXCLUDE', 'SELECT sum(n) OVER (ORDER BY d ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM daily'],
  ['frame on a ranking function', 'SELECT row_number() OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM daily'],
  ['DISTINCT window aggregate', 'SELECT count(DISTINCT adid) OVER (PARTITION BY d) FROM daily'],
  ['named window', 'SELECT sum(n) OVER w FROM daily WINDOW w AS (PARTITION BY d)'],
  ['WINDOW clause', 'SELECT sum(n) OVER w FROM daily WINDOW w AS (PARTITION BY d)'],
  ['bool_and() OVER', 'SELECT bool_and(b) OVER (PARTITION BY d) FROM daily'],
  ['IS DISTINCT FROM', 'SELECT adid FROM stg.adjust WHERE network_name IS DISTINCT FROM $1'],
  ['IS DISTINCT FROM', 'SELECT adid FROM stg.adjust WHERE network_name IS NOT DISTINCT FROM $1'],
  ['now()', "DELETE FROM stg.load WHERE loaded_at < now() - INTERVAL '30 days'"],
  ['SQLValueFunction', 'UPDATE stg.load SET loaded_at = CURRENT_TIMESTAMP'],
  ['SQLValueFunction', 'SELECT count(*) FROM stg.adjust WHERE created_at >= CURRENT_DATE'],
  ['clock_timestamp()', 'SELECT clock_timestamp()'],
  ['age()', 'SELECT age(created_at) FROM stg.adjust'],
  ['ascii()', 'SELECT ascii(adid) FROM stg.adjust'],
  ['getdate()', 'SELECT GETDATE()'],
  ['dateadd()', 'SELECT DATEADD(day, -7, $1)'],
  ['datediff()', 'SELECT DATEDIFF(day, installed_at, created_at) FROM stg.adjust'],
  ['nvl()', "SELECT NVL(network_name, 'unknown') FROM stg.adjust"],
  ['listagg()', "SELECT LISTAGG(network_name, ',') WITHIN GROUP (ORDER BY network_name) FROM stg.adjust"],
  ['make_interval()', 'SELECT created_at - make_interval(days => $1) FROM stg.adjust'],
  ['NamedArgExpr', 'SELECT created_at - make_interval(days => $1) FROM stg.adjust'],
  ['pg_last_copy_id()', 'SELECT pg_last_copy_id()'],
  ['pg_try_advisory_lock()', 'SELECT pg_try_advisory_lock($1)'],
  ['width_bucket()', 'SELECT width_bucket(n, 0, 100, 10) FROM daily'],
  ['corr()', 'SELECT corr(a, b) FROM daily'],
  ['overlay()', "SELECT overlay(adid PLACING 'x' FROM 1) FROM stg.adjust"],
  ['format()', "SELECT format('%s', adid) FROM stg.adjust"],
  ['concat() with 3 arguments', 'SELECT concat(app, os, country) FROM daily'],
  ['percentile_cont() WITHIN GROUP', 'SELECT percentile_cont(0.5) FROM daily'],
  ['sum() WITHIN GROUP', 'SELECT sum(n) WITHIN GROUP (ORDER BY n) FROM daily'],
  ['ORDER BY inside an aggregate', 'SELECT max(n ORDER BY d) FROM daily'],
  ['VARIADIC', 'SELECT concat(VARIADIC $1::varchar[])'],
  ['public.lower()', 'SELECT public.lower(adid) FROM stg.adjust'],
  ['not PostgreSQL', 'SELECT APPROXIMATE COUNT(DISTINCT adid) FROM stg.adjust'],
  ['not PostgreSQL', 'SELECT TOP 10 adid FROM stg.adjust'],
  ['not PostgreSQL', 'CREATE TEMP TABLE t (id BIGINT ENCODE az64) DISTKEY (id) SORTKEY (id)'],
  ['TruncateStmt', 'TRUNCATE stg.adjust'],
  ['VacuumStmt', 'VACUUM stg.adjust'],
  ['VacuumStmt', 'ANALYZE stg.adjust'],
  ['SERIAL type', 'CREATE TEMP TABLE t (id SERIAL)'],
  ['BIGSERIAL type', 'CREATE TEMP TABLE t (id BIGSERIAL)'],
  ['IDENTITY/GENERATED column', 'CREATE TEMP TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY)'],
  ['CreateSeqStmt', 'CREATE SEQUENCE run_ids'],
  ['nextval()', "SELECT nextval('run_ids')"],
  ['IndexStmt', 'CREATE INDEX stage_adjust_id ON stage_adjust (id)'],
  ['IndexStmt', 'CREATE UNIQUE INDEX stage_adjust_id ON stage_adjust (id)'],
  ['constraint CONSTR_CHECK', 'CREATE TEMP TABLE t (n INTEGER CHECK (n > 0))'],
  ['ON COMMIT', 'CREATE TEMP TABLE stage_adjust (LIKE stg.adjust) ON COMMIT DROP'],
  ['UNLOGGED', 'CREATE UNLOGGED TABLE t (id BIGINT)'],
  ['CREATE TABLE … options', 'CREATE TABLE t (id BIGINT) WITH (fillfactor = 70)'],
  ['INTERVAL column', 'CREATE TEMP TABLE t (span INTERVAL)'],
  ['VARCHAR without a length', 'CREATE TEMP TABLE t (name VARCHAR)'],
  ['VARCHAR longer than 65535', 'CREATE TEMP TABLE t (name VARCHAR(70000))'],
  ['NUMERIC precision over 38', 'SELECT CAST(n AS NUMERIC(40, 2)) FROM daily'],
  ['CreateFunctionStmt', "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"],
  ['$$ string', 'SELECT $$a$$'],
  ['DROP INDEX', 'DROP INDEX stage_adjust_id'],
  ['UUID type', 'SELECT $1::uuid'],
  ['BYTEA type', 'SELECT CAST($1 AS bytea)'],
  ['INT4RANGE type', "SELECT '[1,5)'::int4range"],
  ['TEXT type', 'SELECT id::text FROM stg.adjust'],
  ['TEXT type', 'CREATE TEMP TABLE t (name TEXT)'],
  ['SUPER type', 'CREATE TEMP TABLE t (doc SUPER)'],
  ["E'…' string", "SELECT E'a\\tb'"],
  ['FOR UPDATE/SHARE', 'SELECT run_id FROM stg.load FOR UPDATE'],
  ['LOCK … IN … MODE', 'LOCK TABLE stg.load IN SHARE ROW EXCLUSIVE MODE'],
  ['LOCK … IN … MODE', 'LOCK TABLE stg.load IN ACCESS EXCLUSIVE MODE'],
  ['LOCK … NOWAIT', 'LOCK stg.load NOWAIT'],
  ['TRANS_STMT_SAVEPOINT', 'SAVEPOINT before_merge'],
  ['TRANS_STMT_ROLLBACK_TO', 'ROLLBACK TO SAVEPOINT before_merge'],
  ['transaction options', 'BEGIN ISOLATION LEVEL REPEATABLE READ'],
  ['AS MATERIALIZED', 'WITH d AS MATERIALIZED (SELECT 1 AS n) SELECT n FROM d'],
  ['data-modifying CTE', 'WITH gone AS (DELETE FROM stg.load WHERE run_id < $1) SELECT 1'],
  ['nested WITH', 'WITH a AS (WITH b AS (SELECT 1 AS n) SELECT n FROM b) SELECT n FROM a'],
  ['RowExpr', 'SELECT adid FROM stg.adjust WHERE (app_id, adid) = ($1, $2)'],
  ['COLLATE', 'CREATE TEMP TABLE t (name VARCHAR(10) COLLATE "C")'],
  ['CollateClause', 'SELECT adid COLLATE "C" FROM stg.adjust'],
  ['CopyStmt', 'COPY stg.adjust FROM STDIN'],
  ['NotifyStmt', "NOTIFY kpi_loads, 'x'"],
  ['one statement per file', 'SELECT 1; SELECT 2'],
];

// Constructs on no list: refused because the allow-list does not name them.
const UNLISTED: [construct: string, sql: string][] = [
  ['an_unknown_function()', 'SELECT an_unknown_function(adid) FROM stg.adjust'],
  ['operator ^', 'SELECT n ^ 2 FROM daily'],
  ['MACADDR type', 'SELECT $1::macaddr'],
  ['AEXPR_SIMILAR', "SELECT adid FROM stg.adjust WHERE adid SIMILAR TO 'a%'"],
  ['BooleanTest', 'SELECT adid FROM stg.adjust WHERE is_organic IS TRUE'],
  ['GroupingSet', 'SELECT app, os, count(*) FROM daily GROUP BY ROLLUP (app, os)'],
  ['MergeStmt', 'MERGE INTO stg.adjust a USING stage_adjust s ON a.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)'],
];

// Statements the gate must accept: the portable forms of redshift.md §3.1.
const ALLOWED: [what: string, sql: string][] = [
  [
    'ILIKE, LIKE and POSIX matches',
    "SELECT adid FROM stg.adjust WHERE network_name ILIKE 'face%' OR app_name LIKE 'a%' OR adid ~ '^[0-9a-f]+$'",
  ],
  [
    'ROWS frames and ranking windows',
    'SELECT row_number() OVER (PARTITION BY adid ORDER BY created_at, id) AS n, sum(revenue) OVER (ORDER BY created_at, id ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), LEAD(created_at) OVER (PARTITION BY adid ORDER BY created_at) FROM stg.adjust',
  ],
  ['a window aggregate without ORDER BY', 'SELECT count(*) OVER (PARTITION BY adid) FROM stg.adjust'],
  [
    'portable date math',
    "SELECT CAST(created_at AS DATE), created_at - INTERVAL '7 days', DATE_TRUNC('week', created_at), EXTRACT(hour FROM created_at), (created_at AT TIME ZONE 'UTC') AT TIME ZONE $2 FROM stg.adjust WHERE created_at >= $1",
  ],
  [
    'casts to portable types',
    'SELECT CAST(session_count AS DOUBLE PRECISION), id::bigint, $1::timestamp, CAST(adid AS VARCHAR(64)), CAST($2 AS VARCHAR) FROM stg.adjust',
  ],
  [
    'COUNT(DISTINCT CASE …), NULLIF, TRIM and SPLIT_PART',
    "SELECT COUNT(DISTINCT CASE WHEN event = 'x' THEN adid END), SUM(CASE WHEN is_organic THEN 1 ELSE 0 END), NULLIF(TRIM(SPLIT_PART(tracker_name, '::', 1)), '') FROM stg.adjust",
  ],
  ['COALESCE and GROUP BY ordinals', "SELECT COALESCE(network_name, 'unknown'), count(*) FROM stg.adjust GROUP BY 1"],
  ['UNION ALL with a parenthesised query', 'SELECT 1 UNION ALL (SELECT 2)'],
  [
    'IN (subquery), EXISTS and IN (list)',
    "SELECT adid FROM stg.adjust a WHERE id IN (SELECT run_id FROM stg.load) AND EXISTS (SELECT 1 FROM stg.load) AND a.activity_kind IN ('install', 'session')",
  ],
  ['the merge recipe', 'DELETE FROM stg.adjust USING stage_adjust WHERE stg.adjust.id = stage_adjust.id AND stg.adjust.created_at >= $1'],
  ['forbidden words in comments', '-- never TRUNCATE, never RETURNING, never now()\n/* VACUUM /* nested */ ON CONFLICT */ SELECT 1'],
  ['forbidden words in string literals', "SELECT 'now() RETURNING [1] ON CONFLICT', 'it''s -- not a comment' FROM stg.adjust"],
  ['forbidden words in quoted identifiers', 'SELECT 1 AS "returning", 2 AS "json"'],
  [
    'a temporary table like another, and with lengths',
    'CREATE TEMP TABLE t (id BIGINT NOT NULL, name VARCHAR(256), day DATE, PRIMARY KEY (id))',
  ],
  ['LOCK without a mode', 'LOCK stg.load'],
  ['BEGIN, COMMIT, ROLLBACK', 'BEGIN'],
  ['DROP TABLE IF EXISTS', 'DROP TABLE IF EXISTS refresh_day, refresh_device'],
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

const constructs = (sql: string) => checkStatement(sql).map((finding) => finding.construct);
const GENERIC = /is not on the gate's allow-list/;

beforeAll(() => loadParser());

describe('checkStatement', () => {
  // with its own reason: the refusal is a rule of the gate, not only the allow-list's silence
  it.each(FORBIDDEN)('refuses %s', (construct, sql) => {
    expect(constructs(sql)).toContain(construct);
    const reasons = checkStatement(sql)
      .filter((finding) => finding.construct === construct)
      .map((finding) => finding.why);
    expect(reasons.filter((why) => !GENERIC.test(why))).not.toEqual([]);
  });

  it.each(UNLISTED)('refuses %s as not on the allow-list', (construct, sql) => {
    expect(checkStatement(sql)).toContainEqual(expect.objectContaining({ construct, why: expect.stringMatching(GENERIC) }));
  });

  it.each(ALLOWED)('accepts %s', (_what, sql) => {
    expect(formatFindings(checkStatement(sql))).toBe('');
  });

  it('reports the file, the line, the construct and why', () => {
    const sql = '-- Purpose: a sample\nSELECT adid\nFROM stg.adjust\nWHERE created_at >= now()';
    expect(checkStatement(sql, 'sql/metrics/dau.sql')).toEqual([
      { file: 'sql/metrics/dau.sql', line: 4, construct: 'now()', why: expect.stringMatching(/bind parameter/) },
    ]);
    expect(formatFindings(checkStatement(sql, 'sql/metrics/dau.sql'))).toMatch(/^sql\/metrics\/dau\.sql:4: now\(\): pass "now" in/);
  });

  it('counts lines after multibyte text as lines', () => {
    const sql = "SELECT 'Zürich – 東京' AS city\nFROM stg.adjust\nWHERE created_at >= now()";
    expect(checkStatement(sql).map((finding) => finding.line)).toEqual([3]);
  });
});

describe('the warehouse SQL', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('places every folder of sql/: where its statements run', () => {
    expect(
      sqlFiles()
        .filter((file) => file.engine === undefined)
        .map((file) => file.file),
    ).toEqual([]);
  });

  it('agrees with the code: what the warehouse code runs is placed on the warehouse, what the source code runs on the source', () => {
    const engine = new Map(sqlFiles().map((file) => [file.name, file.engine]));
    const warehouse = [...catalogNamesIn(WAREHOUSE_CODE), ...klipStatementNames()];
    const source = catalogNamesIn(SOURCE_CODE);
    // the patterns find the names: the rollups' and klips' statements and the sessions' own
    expect(warehouse).toEqual(
      expect.arrayContaining([
        'metrics/installs',
        'metrics/refresh/merge/keep',
        'metrics/refresh/delta/load-rows',
        'etl/warehouse/record-load',
        'dashboard/dimensions',
      ]),
    );
    expect(source).toEqual(expect.arrayContaining(['collector/insert-activities', 'etl/runs/start', 'health/last-run', 'live/listen']));
    expect(warehouse.filter((name) => !['both', 'leader', 'redshift', 'postgres'].includes(engine.get(name) ?? 'missing'))).toEqual([]);
    expect(source.filter((name) => engine.get(name) !== 'source')).toEqual([]);
  });

  it('fails a file in a folder it has not placed', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kpi-sql-'));
    temps.push(root);
    mkdirSync(path.join(root, 'metrics', 'weekly'), { recursive: true });
    writeFileSync(path.join(root, 'metrics', 'weekly', 'wau.sql'), 'SELECT 1');
    writeFileSync(path.join(root, 'metrics', 'dau.sql'), 'SELECT 1');
    expect(sqlFiles(root)).toEqual([
      { file: 'sql/metrics/dau.sql', name: 'metrics/dau', engine: 'both' },
      { file: 'sql/metrics/weekly/wau.sql', name: 'metrics/weekly/wau', engine: undefined },
    ]);
  });

  it('covers the shared warehouse statements, the klips, the rollup refresh and the dashboard, not the PostgreSQL-only ones', async () => {
    const files = (await statementsOf('both')).map((statement) => statement.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'sql/etl/warehouse/record-load.sql',
        'sql/metrics/active-users.sql',
        'sql/metrics/refresh/active-windows/add-active-changes.sql',
        'sql/metrics/refresh/recount/insert-installs.sql',
        'sql/metrics/refresh/full-build/clear.sql (stg.daily_retention)',
        'sql/metrics/refresh/merge/keep.sql (stg.daily_counts)',
        'sql/metrics/refresh/work/create-like.sql (stg.active_device)',
        'sql/dashboard/dimensions.sql',
      ]),
    );
    expect(files.filter((file) => /postgres|redshift|migrations|collector|etl\/(?:extract|lease|runs)/.test(file))).toEqual([]);
  });

  it('fills every placeholder as the code does', async () => {
    const statements = [...(await statementsOf('both')), ...(await statementsOf('leader')), ...(await statementsOf('redshift'))];
    expect(statements.filter((statement) => hasPlaceholders(statement.sql)).map((statement) => statement.file)).toEqual([]);
    expect(statements.find((s) => s.file === 'sql/metrics/refresh/merge/delete.sql (stg.active_change)')?.sql).toMatch(
      /DELETE FROM stg\.active_change\nUSING active_change_work changed\nWHERE stg\.active_change\.day = changed\.day AND /,
    );
  });

  it("parses the leader node's statements (catalog and session) with PostgreSQL's parser", async () => {
    const leader = await statementsOf('leader');
    expect(leader.map((statement) => statement.file)).toEqual(
      expect.arrayContaining(['sql/check/timezone-names.sql', 'sql/check/privileges.sql']),
    );
    const unparsable = leader.filter((statement) => {
      try {
        parseSync(statement.sql);
        return false;
      } catch {
        return true;
      }
    });
    expect(unparsable.map((statement) => statement.file)).toEqual([]);
  });

  it('passes the gate, every statement of it', async () => {
    const findings = (await statementsOf('both')).flatMap((statement) => checkStatement(statement.sql, statement.file));
    expect(formatFindings(findings)).toBe('');
  });

  it('includes the statements written in the code: the migration ledger, BEGIN/COMMIT, the health probe', async () => {
    const inline = await inlineStatements();
    expect(inline.map((statement) => statement.sql)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CREATE TABLE IF NOT EXISTS kpi_migrations/),
        'LOCK kpi_migrations',
        'BEGIN',
        'SELECT 1',
      ]),
    );
    expect(formatFindings(inline.flatMap((statement) => checkStatement(statement.sql, statement.file)))).toBe('');
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
