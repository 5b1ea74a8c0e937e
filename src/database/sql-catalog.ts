import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { SQL_ROOT } from './project-paths.js';

// Every statement the service runs lives in sql/<area>/<name>.sql; they are read once at start-up,
// so a missing file stops the start instead of failing the first request that needs it. A file in a
// folder named fragments is an expression, not a statement: a statement names it as {name:alias} (the
// rollups' {app:a} and {channel:a}) and gets its text here, at start, so a derivation is written once.
@Injectable()
export class SqlCatalog {
  private readonly statements = new Map<string, string>();

  constructor() {
    const files = listSqlFiles(SQL_ROOT)
      .map((file) => ({ file, name: catalogName(file) }))
      .filter(({ name }) => !name.startsWith('migrations/'));
    const fragments = new Map<string, string>();
    const [fragmentFiles, statementFiles] = [files.filter((f) => isFragment(f.name)), files.filter((f) => !isFragment(f.name))];
    for (const { file, name } of fragmentFiles) {
      const key = path.posix.basename(name);
      if (fragments.has(key)) throw new Error(`two SQL fragments named ${key}: sql/${name}.sql and another`);
      fragments.set(key, fragmentText(readFileSync(file, 'utf8')));
    }
    for (const { file, name } of statementFiles) {
      this.statements.set(name, fillFragments(readFileSync(file, 'utf8'), fragments, name));
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

function catalogName(file: string): string {
  return path
    .relative(SQL_ROOT, file)
    .replace(/\\/g, '/')
    .replace(/\.sql$/, '');
}

// Whether a catalog name (sql/<name>.sql) is a fragment rather than a statement.
export const isFragment = (name: string) => path.posix.basename(path.posix.dirname(name)) === 'fragments';

// A fragment's expression: its text after the header comment.
function fragmentText(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .trim();
}

// A statement with each {fragment:alias} written out: the fragment's {alias} becomes the statement's
// alias, and its second and later lines are indented to where the placeholder stood. A placeholder in
// a comment would end the comment at the fragment's first line break: refused, as is an unknown name.
export function fillFragments(statement: string, fragments: Map<string, string>, name: string): string {
  return statement
    .split('\n')
    .map((line) =>
      line.replace(/\{(\w+):(\w+)\}/g, (placeholder, fragment: string, alias: string, at: number) => {
        const text = fragments.get(fragment);
        if (text === undefined) throw new Error(`sql/${name}.sql names ${placeholder}, but no fragments/${fragment}.sql exists`);
        if (line.slice(0, at).includes('--')) throw new Error(`sql/${name}.sql names ${placeholder} in a comment`);
        return text.replaceAll('{alias}', alias).replaceAll('\n', `\n${' '.repeat(at)}`);
      }),
    )
    .join('\n');
}
