import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { migrate } from '../../src/database/migrator.js';
import { PROJECT_ROOT, SQL_ROOT } from '../../src/database/project-paths.js';
import { isFragment, listSqlFiles } from '../../src/database/sql-catalog.js';
import {
  addedColumns,
  type ColumnDef,
  createTableColumns,
  expressionsBetween,
  identifierListAfter,
  readSql,
} from '../support/sql-columns.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';

// The ETL's column lists live in six files (two DDLs, the extract, the merge's insert, two COPYs) and
// must agree by position, type and byte limit: a drift loads values into the wrong column, or fails
// the Redshift COPY only in production.

const POSTGRES_DDL = 'migrations/warehouse/postgres/0002_adjust.sql';
const REDSHIFT_DDL = 'migrations/warehouse/redshift/0002_adjust.sql';
// the rollups, and stg.load.rows_new
const POSTGRES_ROLLUPS_DDL = 'migrations/warehouse/postgres/0003_rollups.sql';
const REDSHIFT_ROLLUPS_DDL = 'migrations/warehouse/redshift/0003_rollups.sql';
// stg.active_change for every combination of filters
const SCOPES_DDL = '0004_active_change_scopes.sql';
// stg.load's resume snapshot and first changed day
const REDSHIFT_RESUME_DDL = 'migrations/warehouse/redshift/0005_exact_resume.sql';
const adjustColumns = (): ColumnDef[] => createTableColumns(readSql(POSTGRES_DDL), 'stg.adjust');

describe('stg.adjust DDL', () => {
  it.each(['stg.adjust', 'stg.load'])('declares the same columns, types, limits and NOT NULLs for both engines: %s', (table) => {
    const postgres = createTableColumns(readSql(POSTGRES_DDL), table);
    const redshift = createTableColumns(readSql(REDSHIFT_DDL), table);
    expect(postgres.length).toBeGreaterThan(5);
    expect(redshift).toEqual(postgres);
  });

  it.each([
    'stg.daily_installs',
    'stg.daily_counts',
    'stg.active_device',
    'stg.active_change',
    'stg.refresh_day',
    'stg.refresh_device',
    'stg.registration_event',
    'stg.rollup_build',
  ])('declares the same rollup columns for both engines: %s', (table) => {
    const postgres = createTableColumns(readSql(POSTGRES_ROLLUPS_DDL), table);
    expect(postgres.length).toBeGreaterThan(0);
    expect(createTableColumns(readSql(REDSHIFT_ROLLUPS_DDL), table)).toEqual(postgres);
  });

  it('declares the same merge lock table for both engines: stg.load_lock', () => {
    const lockTable = (engine: string) => createTableColumns(readSql(`migrations/warehouse/${engine}/0006_load_lock.sql`), 'stg.load_lock');
    expect(lockTable('postgres').length).toBeGreaterThan(0);
    expect(lockTable('redshift')).toEqual(lockTable('postgres'));
  });

  it.each(['stg.active_scope', 'stg.active_change'])('declares the same scope columns for both engines: %s', (table) => {
    const postgres = createTableColumns(readSql(`migrations/warehouse/postgres/${SCOPES_DDL}`), table);
    expect(postgres.length).toBeGreaterThan(4);
    expect(createTableColumns(readSql(`migrations/warehouse/redshift/${SCOPES_DDL}`), table)).toEqual(postgres);
  });

  it('defines the same 16 scopes, one per combination of filters, on both engines', () => {
    const scopes = (engine: string) => readSql(`migrations/warehouse/${engine}/${SCOPES_DDL}`).match(/\('[a-z+]+'(, (TRUE|FALSE)){4}\)/g);
    const postgres = scopes('postgres')!;
    expect(new Set(postgres.map((row) => row.replace(/'[a-z+]+', /, ''))).size).toBe(16);
    for (const row of postgres) {
      const [, name, ...flags] = /\('([a-z+]+)', (TRUE|FALSE), (TRUE|FALSE), (TRUE|FALSE), (TRUE|FALSE)\)/.exec(row)!;
      const named = ['app', 'os', 'country', 'channel'].filter((_dimension, i) => flags[i] === 'TRUE');
      expect(name).toBe(named.length === 0 ? 'all' : named.join('+'));
    }
    expect(scopes('redshift')).toEqual(postgres);
  });

  it('adds the same columns to existing tables on both engines', () => {
    expect(addedColumns(readSql(REDSHIFT_ROLLUPS_DDL), 'stg.load')).toEqual(addedColumns(readSql(POSTGRES_ROLLUPS_DDL), 'stg.load'));
    expect(addedColumns(readSql(POSTGRES_ROLLUPS_DDL), 'stg.load')).toHaveLength(1);
    const resume = (engine: string) => addedColumns(readSql(`migrations/warehouse/${engine}/0005_exact_resume.sql`), 'stg.load');
    expect(resume('redshift')).toEqual(resume('postgres'));
    expect(resume('postgres').map((column) => column.name)).toEqual(['resume_snapshot', 'first_changed_day']);
  });

  it('uses only types both engines store alike, with VARCHAR limits Redshift accepts', () => {
    const columns = adjustColumns();
    expect([...new Set(columns.map((column) => column.type))].sort()).toEqual([
      'BIGINT',
      'BOOLEAN',
      'DOUBLE PRECISION',
      'INTEGER',
      'TIMESTAMP',
      'VARCHAR',
    ]);
    expect(columns.filter((column) => column.type === 'VARCHAR' && !(column.length! >= 1 && column.length! <= 65535))).toEqual([]);
  });
});

describe('the ETL statements', () => {
  const columns = adjustColumns();
  const names = columns.map((column) => column.name);

  it('extract/activities.sql selects the DDL columns in order, fitting each VARCHAR to its byte limit without trailing blanks', () => {
    const selected = expressionsBetween(readSql('etl/extract/activities.sql'), /\bCOPY\s*\(\s*SELECT\b/i, /\bFROM\s+mob\.adjust\b/i).map(
      readExtractExpression,
    );
    expect(selected).toEqual(
      columns.map((column) => ({
        column: column.name,
        byteLimit: column.type === 'VARCHAR' ? column.length : null,
        utc: column.type === 'TIMESTAMP',
        // extra is JSON text, never compared
        rtrim: column.type === 'VARCHAR' && column.name !== 'extra',
      })),
    );
  });

  it('insert-staged.sql inserts and selects the DDL columns in order', () => {
    const insert = readSql('etl/warehouse/insert-staged.sql');
    expect(identifierListAfter(insert, /\bINSERT\s+INTO\s+stg\.adjust\s*\(/i)).toEqual(names);
    expect(expressionsBetween(insert, /\bSELECT\b/i, /\bFROM\s+stage_adjust\b/i)).toEqual(names);
  });

  it.each(['etl/warehouse/postgres/copy-rows.sql', 'etl/warehouse/redshift/copy-stage.sql'])(
    '%s copies the DDL columns in order',
    (file) => {
      expect(identifierListAfter(readSql(file), /\bCOPY\s+(?:stage_adjust|\{target\})\s*\(/i)).toEqual(names);
    },
  );
});

type ExtractColumn = { column: string; byteLimit: number | null; utc: boolean; rtrim: boolean };

// mob.fit_text(x, N) (rtrim(mob.fit_bytes(x, N)), checked on data in etl-bytes.spec.ts), rtrim(mob.fit_bytes(x,
// N)), mob.fit_bytes(x, N), x AT TIME ZONE 'UTC' or a plain column; tracker_name also has its first '::'
// segment cut (checked on data below)
function readExtractExpression(expression: string): ExtractColumn {
  const fittedText = /^mob\.fit_text\((\w+), (\d+)\)$/i.exec(expression);
  if (fittedText) return { column: fittedText[1], byteLimit: Number(fittedText[2]), utc: false, rtrim: true };
  const trimmed = /^rtrim\((.*)\)$/is.exec(expression);
  const inner = trimmed ? trimmed[1] : expression;
  const fitted = /^mob\.fit_bytes\((\w+)(?:::text)?, (\d+)\)$/i.exec(inner);
  if (fitted) return { column: fitted[1], byteLimit: Number(fitted[2]), utc: false, rtrim: Boolean(trimmed) };
  const tracker = /^mob\.fit_bytes\(CASE WHEN .*\btracker_name\b.* END, (\d+)\)$/is.exec(inner);
  if (tracker) return { column: 'tracker_name', byteLimit: Number(tracker[1]), utc: false, rtrim: Boolean(trimmed) };
  const utc = /^(\w+) AT TIME ZONE 'UTC'$/i.exec(expression);
  if (utc) return { column: utc[1], byteLimit: null, utc: true, rtrim: false };
  if (/^\w+$/.test(expression)) return { column: expression, byteLimit: null, utc: false, rtrim: false };
  throw new Error(`unexpected select expression in extract/activities.sql: ${expression}`);
}

describe('migrated databases', () => {
  let databases: TestDatabases;
  let source: DataSource;
  let warehouse: DataSource;

  beforeAll(async () => {
    databases = await createTestDatabases();
    source = await new DataSource({ type: 'postgres', url: databases.sourceUrl, poolSize: 2 }).initialize();
    warehouse = await new DataSource({ type: 'postgres', url: databases.warehouseUrl, poolSize: 2 }).initialize();
    await migrate(source, 'source');
    await migrate(warehouse, 'warehouse/postgres');
  });

  afterAll(async () => {
    await Promise.all([source, warehouse].filter((db) => db?.isInitialized).map((db) => db.destroy()));
    await databases?.drop();
  });

  describe('the PostgreSQL warehouse', () => {
    const INFORMATION_SCHEMA_TYPES: Record<string, string> = {
      BIGINT: 'bigint',
      BOOLEAN: 'boolean',
      DATE: 'date',
      'DOUBLE PRECISION': 'double precision',
      INTEGER: 'integer',
      TIMESTAMP: 'timestamp without time zone',
      VARCHAR: 'character varying',
    };

    it.each(['adjust', 'load'])('has the columns the DDL files declare: stg.%s', async (table) => {
      const rows: { column_name: string; data_type: string; character_maximum_length: number | null; is_nullable: string }[] =
        await warehouse.query(
          `SELECT column_name, data_type, character_maximum_length, is_nullable
           FROM information_schema.columns WHERE table_schema = 'stg' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        );
      const declared = [
        ...createTableColumns(readSql(REDSHIFT_DDL), `stg.${table}`),
        ...addedColumns(readSql(REDSHIFT_ROLLUPS_DDL), `stg.${table}`),
        ...addedColumns(readSql(REDSHIFT_RESUME_DDL), `stg.${table}`),
      ];
      expect(rows).toEqual(
        declared.map((column) => ({
          column_name: column.name,
          data_type: INFORMATION_SCHEMA_TYPES[column.type],
          character_maximum_length: column.length,
          is_nullable: column.notNull ? 'NO' : 'YES',
        })),
      );
    });
  });

  describe('mob.fit_bytes and mob.cut_to_bytes', () => {
    const FUNCTIONS = ['mob.fit_bytes', 'mob.cut_to_bytes'];

    async function cut(fn: string, value: string | null, limit: number): Promise<string | null> {
      const [row] = await source.query(`SELECT ${fn}($1::text, $2::int) AS cut`, [value, limit]);
      return row.cut;
    }

    // the longest prefix of whole characters that fits in `limit` bytes of UTF-8
    function expectedCut(value: string, limit: number): string {
      let result = '';
      for (const char of value) {
        if (Buffer.byteLength(result + char) > limit) break;
        result += char;
      }
      return result;
    }

    // a character of each UTF-8 length, placed so that the limit falls on each of its bytes
    const STRADDLING = [
      ['é', 2],
      ['€', 3],
      ['😀', 4],
    ].flatMap(([char, size]) =>
      [0, 1, 2, 3].flatMap((before) =>
        Array.from({ length: Number(size) + 1 }, (_, offset) => ({
          char: String(char),
          value: 'a'.repeat(before) + String(char).repeat(3) + 'z',
          limit: before + offset,
        })),
      ),
    );

    it.each(FUNCTIONS)('%s cuts at the byte limit without splitting a 2-, 3- or 4-byte character', async (fn) => {
      for (const { value, limit } of STRADDLING) {
        const result = (await cut(fn, value, limit))!;
        expect({ value, limit, result, bytes: Buffer.byteLength(result) <= limit, prefix: value.startsWith(result) }).toEqual({
          value,
          limit,
          result: expectedCut(value, limit),
          bytes: true,
          prefix: true,
        });
      }
    });

    it.each(FUNCTIONS)('%s fits long mixed text into the largest VARCHAR', async (fn) => {
      const value = 'x' + '😀€é'.repeat(8_000) + 'ab';
      const result = (await cut(fn, value, 65_535))!;
      expect(Buffer.byteLength(result)).toBeLessThanOrEqual(65_535);
      expect(result).toBe(expectedCut(value, 65_535));
    });

    it.each(FUNCTIONS)('%s keeps NULL as NULL', async (fn) => {
      await expect(cut(fn, null, 4)).resolves.toBeNull();
    });

    it.each(FUNCTIONS)('%s returns a value within the limit unchanged', async (fn) => {
      for (const value of ['', 'plain', 'héllo wörld', '€😀', 'exactly 16 bytes']) {
        await expect(cut(fn, value, Math.max(Buffer.byteLength(value), 1))).resolves.toBe(value);
        await expect(cut(fn, value, 64)).resolves.toBe(value);
      }
    });
  });
});

describe('sql/etl files', () => {
  // Every statement of sql/etl is loaded by name through SqlCatalog.get in src (where the ETL's medium
  // and e2e tests run it); a file no code names is dead, and a name no file has fails only at run time.
  const srcText = listSourceFiles(path.join(PROJECT_ROOT, 'src'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const catalogNames = listSqlFiles(SQL_ROOT)
    .map((file) =>
      path
        .relative(SQL_ROOT, file)
        .replace(/\\/g, '/')
        .replace(/\.sql$/, ''),
    )
    .filter((name) => !name.startsWith('migrations/'));

  it('of sql/metrics are each named by code in src (relative to sql/metrics, as the metrics code asks for them)', () => {
    const metricNames = catalogNames
      .filter((name) => name.startsWith('metrics/') && !isFragment(name))
      .map((name) => name.slice('metrics/'.length));
    expect(metricNames.length).toBeGreaterThan(20);
    expect(metricNames.filter((name) => !srcText.includes(`'${name}'`))).toEqual([]);
  });

  it('of the fragments folders are each named by a statement, as {name:alias}', () => {
    const sqlText = listSqlFiles(SQL_ROOT)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const fragments = catalogNames.filter(isFragment).map((name) => path.posix.basename(name));
    expect(fragments.sort()).toEqual([
      'active',
      'app',
      'channel',
      'extract_bounds',
      'has_session_length',
      'last_session_length',
      'registration',
      'revenue_usd',
      'session_seconds',
    ]);
    expect(fragments.filter((name) => !new RegExp(`\\{${name}:\\w+\\}`).test(sqlText))).toEqual([]);
  });

  it('are each named by code in src', () => {
    // fragments are named by statements (above), not by code
    const etlNames = catalogNames.filter((name) => name.startsWith('etl/') && !isFragment(name));
    expect(etlNames.length).toBeGreaterThan(30);
    expect(etlNames.filter((name) => !srcText.includes(`'${name}'`))).toEqual([]);
  });

  it('cover every statement name src asks the catalog for', () => {
    const asked = [...srcText.matchAll(/\bsql\.get\('([\w/-]+)'\)/g)].map((match) => match[1]).filter((name) => name.includes('/'));
    expect(asked.length).toBeGreaterThan(30);
    expect(asked.filter((name) => !catalogNames.includes(name))).toEqual([]);
  });
});

function listSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}
