import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { migrate } from '../../../src/database/migrator.js';
import { PROJECT_ROOT, SQL_ROOT } from '../../../src/database/project-paths.js';
import { fillPlaceholders, listSqlFiles, SqlCatalog, timeZoneLiteral } from '../../../src/database/sql-catalog.js';
import { type RefreshQueries, valuesList } from '../../../src/etl/rollups/refresh-queries.js';
import { KLIP_REGISTRY } from '../../../src/metrics/klips.js';
import { scratchSchemaName } from '../../../src/warehouse-check/scratch.js';
import {
  ACTIVE_CHANGE,
  ACTIVITY_ROWS,
  ACTIVE_DEVICE_WORK,
  CREATE_ACTIVITY_ROWS,
  createWork,
  DAILY_COUNTS,
  DAILY_INSTALLS,
  mergeWork,
  ROLLUP_TABLES,
} from '../../../src/etl/rollups/rollup-tables.js';
import { RedshiftWarehouseSession, VACUUMED_TABLES } from '../../../src/etl/warehouse/redshift.warehouse.js';
import { bareName, SHADOWED_TABLES, shadowOf, SWAPPED_TABLES } from '../../../src/etl/warehouse/shadow-tables.js';
import type { SqlClient } from '../../../src/etl/warehouse/warehouse-session.js';
import { stripSqlComments } from '../sql-text.js';

// Which statements run on the warehouse, and so pass the Redshift gate.

// both: the warehouse on either engine runs it (the gate's allow-list); redshift: Redshift only (sqlfluff);
// postgres: the PostgreSQL warehouse only; source: the source database (PostgreSQL) only.
// 'leader': catalog and session statements of both engines that Redshift answers on its leader node
// (version, privileges, settings, zone names, the check's scratch schema): parsed by both parsers, but
// outside the allow-list, which is about what runs on Redshift's compute nodes.
// fragment: an expression, not a statement (SqlCatalog writes it into the statements that name it as
// {name:alias}); checked inside those statements.
export type Engine = 'both' | 'leader' | 'redshift' | 'postgres' | 'source' | 'fragment';

// Where the statements of each folder of sql/ run, read from the code that runs them. Every folder that
// holds a .sql file is here: a new folder fails the gate's test until it is placed.
export const SQL_FOLDERS: Record<string, Engine> = {
  'etl/warehouse': 'both', // WarehouseSession and its two engines (src/etl/warehouse)
  'etl/warehouse/shadow': 'both', // a repair's tables beside the live ones (WarehouseSession, shadow-tables.ts)
  metrics: 'both', // MetricsRepository, on the warehouse connection
  // the rollup refresh, inside the merge (src/etl/rollups, a folder per part)
  'metrics/refresh/active-windows': 'both',
  'metrics/refresh/delta': 'both',
  'metrics/refresh/full-build': 'both',
  'metrics/refresh/merge': 'both',
  'metrics/refresh/recount': 'both',
  'metrics/refresh/retention': 'both',
  'metrics/refresh/settings': 'both',
  'metrics/refresh/work': 'both',
  'metrics/refresh/fragments': 'fragment',
  dashboard: 'both', // DimensionsRepository, on the warehouse connection
  check: 'leader', // the start's zone check and npm run warehouse:check (src/warehouse-check)
  'etl/warehouse/redshift': 'redshift', // RedshiftWarehouseSession
  'migrations/warehouse/redshift': 'redshift', // migrate(warehouse, 'warehouse/redshift')
  'etl/warehouse/postgres': 'postgres', // PostgresWarehouseSession
  'migrations/warehouse/postgres': 'postgres',
  'migrations/source': 'source',
  collector: 'source',
  'etl/extract': 'source',
  'etl/extract/fragments': 'fragment',
  'etl/lease': 'source',
  'etl/runs': 'source',
  health: 'source', // HealthRepository reads the run records on the source
  live: 'source', // LISTEN/NOTIFY between replicas, on the source
  observability: 'source',
  demo: 'source',
};

// The code that runs statements on the warehouse, and the code that runs them on the source.
export const WAREHOUSE_CODE = ['src/etl/warehouse', 'src/etl/rollups', 'src/metrics', 'src/dashboard', 'src/warehouse-check'];
export const SOURCE_CODE = [
  'src/collector',
  'src/etl/extract',
  'src/etl/lease.ts',
  'src/etl/etl-run.repository.ts',
  'src/health',
  'src/live',
  'src/observability',
  'src/demo',
];

// How code names a statement of the catalog: the pattern and the folder its name is relative to.
const CALLS: [pattern: RegExp, folder: string][] = [
  [/\bsql\.get\(\s*'([\w/-]+)'/g, ''],
  // PostgresWarehouseSession's run(name)
  [/\bthis\.run\(\s*'([\w/-]+)'/g, ''],
  // the rollup refresh's RefreshQueries and MetricsRepository's query<Row>(name, …) read sql/metrics
  [/\bqueries\.(?:run|runFilled|runWith)\(\s*'([\w/-]+)'/g, 'metrics/'],
  // the rollup refresh's declared steps (refresh-step.ts): step(name, …), { values: name }, { filled: name }
  [/\b(?:step\(|values:|filled:)\s*'(refresh\/[\w/-]+)'/g, 'metrics/'],
  [/\bthis\.query<[^>\n]*>\(\s*'([\w/-]+)'/g, 'metrics/'],
];

// The catalog names that the code under `paths` runs, as far as it names them literally.
export function catalogNamesIn(paths: string[]): string[] {
  return paths.flatMap(typeScriptFiles).flatMap((file) => {
    const code = readFileSync(file, 'utf8');
    return CALLS.flatMap(([pattern, folder]) => [...code.matchAll(pattern)].map((match) => `${folder}${match[1]}`));
  });
}

// The statements the klips read, named by their registry entries (sql/metrics), which the metrics
// repository runs on the warehouse.
export function klipStatementNames(): string[] {
  return KLIP_REGISTRY.flatMap((entry) => Object.values(entry.sql).map((name) => `metrics/${name}`));
}

function typeScriptFiles(relative: string): string[] {
  const full = path.join(PROJECT_ROOT, relative);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(full, name));
}

export type SqlFile = { file: string; name: string; engine: Engine | undefined };
export type Statement = { file: string; sql: string };

// Every .sql file under sql/ with where it runs (undefined: its folder is not placed).
export function sqlFiles(sqlRoot: string = SQL_ROOT): SqlFile[] {
  return listSqlFiles(sqlRoot).map((file) => {
    const name = path
      .relative(sqlRoot, file)
      .replace(/\\/g, '/')
      .replace(/\.sql$/, '');
    return { file: `sql/${name}.sql`, name, engine: SQL_FOLDERS[path.posix.dirname(name)] };
  });
}

export const hasPlaceholders = (sql: string) => /\{\w+(?::\w+)?\}/.test(stripSqlComments(sql));

// The statements of one engine's files, each file with {placeholders} as the code fills them: for the
// rollups' merge and work tables one per table, for COPY with and without REGION; the fragments
// ({channel:a}) as the catalog writes them in. A file with placeholders that none of those fills stays
// as it is (and fails to parse).
export async function statementsOf(engine: 'both' | 'leader' | 'redshift'): Promise<Statement[]> {
  const filled = await filledStatements();
  const catalog = new SqlCatalog();
  return sqlFiles()
    .filter((file) => file.engine === engine)
    .flatMap(({ file, name }) => {
      const text = name.startsWith('migrations/') ? readFileSync(path.join(SQL_ROOT, `${name}.sql`), 'utf8') : catalog.get(name);
      // RefreshQueries.run names the report zone as a literal
      const sql = text.replaceAll('{report_timezone}', timeZoneLiteral('Europe/Berlin'));
      const variants = filled.filter((statement) => statement.name === name);
      return variants.length > 0
        ? variants.map((variant) => ({ file: `${file} (${variant.variant})`, sql: variant.sql }))
        : [{ file, sql }];
    });
}

type Filled = { name: string; variant: string; sql: string };

async function filledStatements(): Promise<Filled[]> {
  const catalog = new SqlCatalog();
  const filled: Filled[] = [];
  let variant = '';
  const queries = {
    runFilled: async (name: string, placeholders: Record<string, string>) => {
      filled.push({ name: `metrics/${name}`, variant, sql: fillPlaceholders(catalog.get(`metrics/${name}`), placeholders) });
    },
  } as unknown as RefreshQueries;
  for (const table of [ACTIVE_CHANGE, ACTIVE_DEVICE_WORK, DAILY_INSTALLS, DAILY_COUNTS]) {
    variant = table.table;
    await createWork(queries, table);
  }
  for (const table of [ACTIVE_CHANGE, DAILY_INSTALLS, DAILY_COUNTS]) {
    variant = table.table;
    await mergeWork(queries, table);
  }
  for (const work of ACTIVITY_ROWS) {
    filled.push({
      name: `metrics/${CREATE_ACTIVITY_ROWS}`,
      variant: work,
      sql: fillPlaceholders(catalog.get(`metrics/${CREATE_ACTIVITY_ROWS}`), { work }),
    });
  }
  // a full build empties every rollup table
  for (const table of ROLLUP_TABLES) {
    filled.push({
      name: 'metrics/refresh/full-build/clear',
      variant: table,
      sql: fillPlaceholders(catalog.get('metrics/refresh/full-build/clear'), { table }),
    });
  }
  // the multi-row INSERTs of the recount's days and of REGISTRATION_EVENTS, with two rows
  for (const [name, width] of [
    ['refresh/recount/add-days', 5],
    ['refresh/settings/add-registration-events', 1],
  ] as const) {
    filled.push({
      name: `metrics/${name}`,
      variant: 'two rows',
      sql: fillPlaceholders(catalog.get(`metrics/${name}`), { rows: valuesList(2, width) }),
    });
  }
  for (const table of VACUUMED_TABLES) {
    filled.push({
      name: 'etl/warehouse/redshift/vacuum-table',
      variant: table,
      sql: fillPlaceholders(catalog.get('etl/warehouse/redshift/vacuum-table'), { table }),
    });
  }
  // a repair's tables beside the live ones: made (the Redshift LIKE), copied, renamed in the swap, dropped
  for (const table of SHADOWED_TABLES) {
    const names = { table, shadow: shadowOf(table) };
    filled.push(
      {
        name: 'etl/warehouse/redshift/create-shadow',
        variant: table,
        sql: fillPlaceholders(catalog.get('etl/warehouse/redshift/create-shadow'), names),
      },
      {
        name: 'etl/warehouse/shadow/drop',
        variant: table,
        sql: fillPlaceholders(catalog.get('etl/warehouse/shadow/drop'), { table: names.shadow }),
      },
    );
  }
  for (const table of SWAPPED_TABLES) {
    filled.push({
      name: 'etl/warehouse/redshift/analyze-shadow',
      variant: table,
      sql: fillPlaceholders(catalog.get('etl/warehouse/redshift/analyze-shadow'), { table: shadowOf(table) }),
    });
    filled.push(
      {
        name: 'etl/warehouse/shadow/copy',
        variant: table,
        sql: fillPlaceholders(catalog.get('etl/warehouse/shadow/copy'), { table, shadow: shadowOf(table) }),
      },
      {
        name: 'etl/warehouse/shadow/rename',
        variant: table,
        sql: fillPlaceholders(catalog.get('etl/warehouse/shadow/rename'), { table, name: bareName(table) }),
      },
    );
  }
  const session = (options: { iamRole: string; region?: string }) => new RedshiftWarehouseSession({} as SqlClient, catalog, options);
  const manifest = 's3://kpi-stage/runs/2026-11-20/42/manifest.json';
  filled.push(
    {
      name: 'etl/warehouse/redshift/copy-stage',
      variant: 'role and region',
      sql: session({ iamRole: 'arn:aws:iam::123456789012:role/kpi-copy', region: 'eu-west-1' }).copyStatement(manifest),
    },
    { name: 'etl/warehouse/redshift/copy-stage', variant: 'default role', sql: session({ iamRole: 'default' }).copyStatement(manifest) },
  );
  filled.push({
    name: 'check/drop-schema',
    variant: 'scratch schema',
    sql: fillPlaceholders(catalog.get('check/drop-schema'), { schema: scratchSchemaName() }),
  });
  return filled;
}

// Statements written in the code rather than in sql/, that the warehouse runs on both engines.
export async function inlineStatements(): Promise<Statement[]> {
  return [
    ...(await migratorStatements()),
    { file: 'src/etl/warehouse/warehouse-session.ts', sql: 'BEGIN' },
    { file: 'src/etl/warehouse/warehouse-session.ts', sql: 'COMMIT' },
    { file: 'src/etl/warehouse/warehouse-session.ts', sql: 'ROLLBACK' },
    { file: 'src/health/health.repository.ts', sql: 'SELECT 1' },
    // TypeORM's QueryRunner.startTransaction(), which the migrator calls
    { file: 'node_modules/typeorm (startTransaction)', sql: 'START TRANSACTION' },
  ];
}

// What migrate() sends to Redshift besides the migration files (its ledger), recorded by a fake
// connection that has no migration applied yet.
async function migratorStatements(): Promise<Statement[]> {
  const sent: string[] = [];
  const runner = {
    isTransactionActive: false,
    startTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    release: async () => undefined,
    query: async (text: string) => {
      sent.push(text);
      return [];
    },
  };
  await migrate({ query: runner.query, createQueryRunner: () => runner } as unknown as DataSource, 'warehouse/redshift');
  const files = new Set((await statementsOf('redshift')).map((statement) => statement.sql));
  return [...new Set(sent)].filter((sql) => !files.has(sql)).map((sql) => ({ file: 'src/database/migrator.ts', sql }));
}
