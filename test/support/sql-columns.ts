import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { stripSqlComments } from './sql-text.js';

// Reads column lists out of the project's SQL files, so tests can compare them with each other.

export type ColumnDef = { name: string; type: string; length: number | null; notNull: boolean };

export function readSql(relative: string): string {
  return readFileSync(path.join(SQL_ROOT, relative), 'utf8');
}

// The columns of `CREATE TABLE <table> (…)`, in order: type upper-cased with single spaces, the
// length of VARCHAR(n) and the like, and whether the column is declared NOT NULL.
export function createTableColumns(ddl: string, table: string): ColumnDef[] {
  const body = parenthesizedAfter(ddl, new RegExp(`\\bCREATE\\s+TABLE\\s+${table.replace('.', '\\.')}\\s*\\(`, 'i'));
  return splitTopLevel(body)
    .filter((item) => !/^(?:PRIMARY\s+KEY|UNIQUE|CONSTRAINT|FOREIGN\s+KEY|CHECK)\b/i.test(item))
    .map(columnDef);
}

// The columns that `ALTER TABLE <table> ADD COLUMN …` statements add, in order.
export function addedColumns(ddl: string, table: string): ColumnDef[] {
  const pattern = new RegExp(`\\bALTER\\s+TABLE\\s+${table.replace('.', '\\.')}\\s+ADD\\s+COLUMN\\s+([^;]+)`, 'gi');
  return [...stripSqlComments(ddl).matchAll(pattern)].map((match) => columnDef(match[1].trim()));
}

function columnDef(item: string): ColumnDef {
  const match = /^(\w+)\s+([A-Za-z]+(?:\s+(?:PRECISION|VARYING|WITHOUT\s+TIME\s+ZONE|WITH\s+TIME\s+ZONE))?)(?:\s*\(\s*(\d+)\s*\))?/i.exec(
    item,
  );
  if (!match) throw new Error(`cannot read the column definition "${item}"`);
  return {
    name: match[1].toLowerCase(),
    type: match[2].toUpperCase().replace(/\s+/g, ' '),
    length: match[3] === undefined ? null : Number(match[3]),
    notNull: /\bNOT\s+NULL\b/i.test(item),
  };
}

// The comma-separated identifiers in the parentheses that follow `opening` (which ends with "(").
export function identifierListAfter(sql: string, opening: RegExp): string[] {
  return splitTopLevel(parenthesizedAfter(sql, opening)).map((item) => {
    if (!/^\w+$/.test(item)) throw new Error(`"${item}" is not a plain column name`);
    return item.toLowerCase();
  });
}

// The top-level expressions between `start` and `end` (a SELECT list, say).
export function expressionsBetween(sql: string, start: RegExp, end: RegExp): string[] {
  const code = stripSqlComments(sql);
  const from = start.exec(code);
  if (!from) throw new Error(`no ${start} in the statement`);
  const rest = code.slice(from.index + from[0].length);
  const to = end.exec(rest);
  if (!to) throw new Error(`no ${end} after ${start}`);
  return splitTopLevel(rest.slice(0, to.index));
}

function parenthesizedAfter(sql: string, opening: RegExp): string {
  const code = stripSqlComments(sql);
  const match = opening.exec(code);
  if (!match) throw new Error(`no ${opening} in the statement`);
  const open = match.index + match[0].length - 1;
  if (code[open] !== '(') throw new Error(`${opening} must end with an opening parenthesis`);
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) return code.slice(open + 1, i);
  }
  throw new Error(`unbalanced parentheses after ${opening}`);
}

// Splits on commas outside parentheses and string literals; trims and normalises white space.
export function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (!quoted && char === '(') depth++;
    if (!quoted && char === ')') depth--;
    if (!quoted && depth === 0 && char === ',') {
      items.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  items.push(current);
  return items.map((item) => item.trim().replace(/\s+/g, ' ')).filter((item) => item.length > 0);
}
