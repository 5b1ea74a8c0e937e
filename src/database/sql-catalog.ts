import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { SQL_ROOT } from './project-paths.js';

// Every statement the service runs lives in sql/<area>/<name>.sql; they are read once at start-up,
// so a missing file stops the start instead of failing the first request that needs it.
@Injectable()
export class SqlCatalog {
  private readonly statements = new Map<string, string>();

  constructor() {
    for (const file of listSqlFiles(SQL_ROOT)) {
      const name = path
        .relative(SQL_ROOT, file)
        .replace(/\\/g, '/')
        .replace(/\.sql$/, '');
      if (!name.startsWith('migrations/')) this.statements.set(name, readFileSync(file, 'utf8'));
    }
  }

  get(name: string): string {
    const statement = this.statements.get(name);
    if (statement === undefined) throw new Error(`SQL file sql/${name}.sql is missing`);
    return statement;
  }
}

// A statement with {names} filled in from `values`: identifiers and literals the caller has checked,
// never caller input. An unknown placeholder is a mistake in the file.
export function fillPlaceholders(statement: string, values: Record<string, string>): string {
  return statement.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`unknown placeholder {${name}} in: ${statement.slice(0, 80)}`);
    return values[name];
  });
}

// A time zone name as a SQL literal: Redshift documents AT TIME ZONE with a literal zone only
// (r_AT_TIME_ZONE), and the start checks the name against the warehouse's own list. Only the characters
// of zone names pass (letters, digits, / _ + -), so the literal needs no escaping.
export function timeZoneLiteral(zone: string): string {
  if (!/^[A-Za-z0-9/_+-]{1,64}$/.test(zone)) throw new Error(`not a time zone name: ${JSON.stringify(zone)}`);
  return `'${zone}'`;
}

export function listSqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
