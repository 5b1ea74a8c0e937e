import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WarehouseEngine } from '../config/app-config.js';
import type { CheckedOutClient } from '../database/pg-client.js';
import { SQL_ROOT } from '../database/project-paths.js';
import { listSqlFiles, SqlCatalog } from '../database/sql-catalog.js';

// The warehouse check runs the service's own statements — migrations, load, merge, rollups, klips — in
// a scratch schema of its own, so it never touches schema stg. Every use of `stg` in sql/ is the
// schema's name, so the statements' text changes in this one place: the whole word stg becomes the
// scratch schema's name.
const SCRATCH_NAME = /^kpi_check_[0-9a-f]{8}$/;

export function scratchSchemaName(): string {
  return `kpi_check_${randomBytes(4).toString('hex')}`;
}

export function inSchema(statement: string, schema: string): string {
  if (!SCRATCH_NAME.test(schema)) throw new Error(`not a scratch schema name: ${schema}`);
  return statement.replace(/\bstg\b/g, schema);
}

// The check's connection, moving every statement sent as text to the scratch schema: the catalog's, and
// those whose table names come from code (the rollups' work tables, rollup-tables.ts).
export function scratchClient(client: CheckedOutClient, schema: string): CheckedOutClient {
  const query = (statement: unknown, ...rest: unknown[]) =>
    (client.query as (...args: unknown[]) => unknown)(typeof statement === 'string' ? inSchema(statement, schema) : statement, ...rest);
  return new Proxy(client, {
    get: (target, property) => {
      if (property === 'query') return query;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

// The service's catalog with every statement moved to the scratch schema (COPY … FROM STDIN streams,
// which the connection above does not see as text, take theirs from it).
export class ScratchSqlCatalog extends SqlCatalog {
  constructor(private readonly schema: string) {
    super();
  }

  override get(name: string): string {
    return inSchema(super.get(name), this.schema);
  }
}

// The engine's warehouse migrations, in order, in the scratch schema (the first creates it); no ledger.
export function scratchMigrations(engine: WarehouseEngine, schema: string): string[] {
  return listSqlFiles(path.join(SQL_ROOT, 'migrations', 'warehouse', engine)).map((file) => inSchema(readFileSync(file, 'utf8'), schema));
}
