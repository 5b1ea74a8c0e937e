import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { listSqlFiles } from '../../src/database/sql-catalog.js';

// Checks the SQL that PostgreSQL and Redshift share (sql/etl/warehouse/*.sql, sql/metrics/**) for
// constructs outside the portable subset of ../shared/reference/redshift.md §3 and §3.1. Comments are
// removed and the insides of string literals and quoted identifiers blanked before matching, so prose
// and data never trigger a rule; positions (and so line numbers) stay those of the file.

export type PortabilityFinding = { file: string; construct: string; line: number; excerpt: string; why: string };

type Rule = { construct: string; why: string; pattern?: RegExp; find?: (masked: string) => number[] };

const NOW_RULE = 'pass "now" in as a bind parameter (§3.1 rule 1)';
const NO_ARRAYS = 'Redshift has no arrays (§3, §3.1 rule 10)';
const NO_JSON = 'no JSON/JSONB in shared SQL (§3.1 rule 10)';
const REDSHIFT_ONLY = 'Redshift-only: PostgreSQL, the stand-in, rejects it';
// casts to these fail on Redshift (§3: no arrays, JSON, UUID, ENUM, range or network types)
const PG_ONLY_TYPES =
  'uuid|bytea|inet|cidr|macaddr8?|money|xml|oid|regclass|regtype|regproc|regnamespace|tsvector|tsquery|' +
  'int4range|int8range|numrange|tsrange|tstzrange|daterange|citext|varbit|bit\\s+varying|point|lseg|box|polygon|circle';
// window functions that take no frame; any other function with ORDER BY in OVER needs an explicit ROWS frame
const RANKING_FUNCTIONS = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead']);

const word = (words: string) => new RegExp(`\\b(?:${words})\\b`, 'gi');
const callOf = (names: string) => new RegExp(`\\b(?:${names})\\s*\\(`, 'gi');

export const PORTABILITY_RULES: Rule[] = [
  { construct: 'ON CONFLICT', why: 'Redshift INSERT has no ON CONFLICT (§3)', pattern: /\bON\s+CONFLICT\b/gi },
  { construct: 'RETURNING', why: 'Redshift INSERT/UPDATE/DELETE have no RETURNING (§3)', pattern: word('RETURNING') },
  { construct: 'FILTER (WHERE …)', why: 'use SUM(CASE …) or COUNT(DISTINCT CASE …) (§3.1 rule 4)', pattern: /\bFILTER\s*\(\s*WHERE\b/gi },
  { construct: 'DISTINCT ON', why: 'use ROW_NUMBER() … = 1 in a subquery (§3.1 rule 5)', pattern: /\bDISTINCT\s+ON\s*\(/gi },
  {
    construct: 'generate_series',
    why: 'leader-node only on Redshift; use a calendar table (§3.1 rule 3)',
    pattern: callOf('generate_series'),
  },
  { construct: 'JSON/JSONB type', why: NO_JSON, pattern: word('JSONB?') },
  { construct: 'JSON function', why: NO_JSON, pattern: callOf('jsonb?_\\w+|to_jsonb?|row_to_json|array_to_json') },
  { construct: 'JSON operator', why: NO_JSON, pattern: /->>?|#>>?|@>|<@/g },
  { construct: 'ARRAY constructor', why: NO_ARRAYS, pattern: /\bARRAY\s*[[(]/gi },
  { construct: 'array type or subscript', why: NO_ARRAYS, pattern: /\[/g },
  { construct: 'ANY(…)', why: `${NO_ARRAYS}; write IN (…)`, pattern: callOf('ANY|SOME') },
  { construct: 'ARRAY_AGG', why: NO_ARRAYS, pattern: callOf('ARRAY_AGG') },
  { construct: 'STRING_AGG', why: 'Redshift has LISTAGG instead, PostgreSQL only STRING_AGG (§3)', pattern: callOf('STRING_AGG') },
  {
    construct: 'array function',
    why: NO_ARRAYS,
    pattern: callOf(
      'unnest|array_length|array_upper|array_lower|array_to_string|string_to_array|array_position|array_append|array_prepend|array_cat|array_remove|cardinality',
    ),
  },
  { construct: 'LATERAL', why: 'not in Redshift’s FROM grammar (§3.1 rule 9)', pattern: word('LATERAL') },
  {
    construct: 'IS DISTINCT FROM',
    why: 'write a COALESCE/CASE null-safe comparison (§3.1 rule 9)',
    pattern: /\bIS\s+(?:NOT\s+)?DISTINCT\s+FROM\b/gi,
  },
  {
    construct: 'RANGE/GROUPS frame',
    why: 'Redshift has ROWS frames only (§3, §3.1 rule 3)',
    pattern: /\b(?:RANGE|GROUPS)\s+(?:BETWEEN|UNBOUNDED|CURRENT|INTERVAL|\d|\$)/gi,
  },
  {
    construct: 'window ORDER BY without a ROWS frame',
    why: 'Redshift requires the frame and PostgreSQL defaults to RANGE (§3.1 rule 6)',
    find: (masked) =>
      windowCalls(masked)
        .filter((fn) => !RANKING_FUNCTIONS.has(fn.name) && /\bORDER\s+BY\b/i.test(fn.spec) && !/\bROWS\b/i.test(fn.spec))
        .map((fn) => fn.at),
  },
  {
    construct: 'DISTINCT window aggregate',
    why: 'COUNT(DISTINCT …) OVER runs on neither engine (§3)',
    find: (masked) =>
      windowCalls(masked)
        .filter((fn) => /^\s*DISTINCT\b/i.test(fn.args))
        .map((fn) => fn.at),
  },
  { construct: 'NOW()', why: NOW_RULE, pattern: callOf('NOW') },
  { construct: 'CURRENT_TIMESTAMP', why: NOW_RULE, pattern: word('CURRENT_TIMESTAMP') },
  { construct: 'LOCALTIMESTAMP', why: NOW_RULE, pattern: word('LOCALTIMESTAMP') },
  { construct: 'CURRENT_TIME/LOCALTIME', why: NOW_RULE, pattern: word('CURRENT_TIME|LOCALTIME') },
  {
    construct: 'CURRENT_DATE',
    why: `${NOW_RULE}: "today" depends on the session's time zone, not the report's`,
    pattern: word('CURRENT_DATE'),
  },
  { construct: 'GETDATE', why: `${NOW_RULE}; ${REDSHIFT_ONLY}`, pattern: callOf('GETDATE') },
  { construct: 'SYSDATE', why: `${NOW_RULE}; ${REDSHIFT_ONLY}`, pattern: word('SYSDATE') },
  {
    construct: 'PostgreSQL clock function',
    why: NOW_RULE,
    pattern: callOf('clock_timestamp|statement_timestamp|transaction_timestamp|timeofday'),
  },
  { construct: 'AGE()', why: 'leader-node only on Redshift (§3)', pattern: callOf('AGE') },
  { construct: 'DATEADD', why: `${REDSHIFT_ONLY}; use ± INTERVAL (§3.1 rule 2)`, pattern: callOf('DATEADD') },
  { construct: 'DATEDIFF', why: `${REDSHIFT_ONLY}; use EXTRACT or date subtraction (§3.1 rule 2)`, pattern: callOf('DATEDIFF') },
  {
    construct: 'Redshift-only function',
    why: REDSHIFT_ONLY,
    pattern: callOf(
      'LISTAGG|NVL2?|MEDIAN|RATIO_TO_REPORT|ADD_MONTHS|MONTHS_BETWEEN|CONVERT_TIMEZONE|DATE_CMP\\w*|LEN|CHARINDEX|STRTOL|HLL\\w*',
    ),
  },
  { construct: 'APPROXIMATE', why: `${REDSHIFT_ONLY}; make approximation a dialect choice (§3.1 rule 12)`, pattern: word('APPROXIMATE') },
  { construct: 'SELECT TOP', why: `${REDSHIFT_ONLY}; use LIMIT`, pattern: /\bSELECT\s+(?:ALL\s+|DISTINCT\s+)?TOP\s+\d/gi },
  {
    construct: 'PostgreSQL-only function',
    why: 'Redshift lacks it',
    // pg_timezone_names() is how Redshift documents listing its zones (r_TIMEZONE): the zone check runs it on both
    pattern: callOf(
      'make_interval|make_date|make_timestamp|make_timestamptz|date_bin|regexp_split_to_\\w+|regexp_matches|string_to_table|format|gen_random_uuid|set_config|current_setting|pg_(?!timezone_names\\b)\\w+',
    ),
  },
  { construct: 'TRUNCATE', why: 'commits the open transaction on Redshift (§2.2); use DELETE', pattern: word('TRUNCATE') },
  {
    construct: 'VACUUM',
    why: 'cannot run in a transaction and commits on Redshift (§2.2); belongs behind maintenance',
    pattern: word('VACUUM'),
  },
  { construct: 'SERIAL', why: 'Redshift has no SERIAL types (§3)', pattern: word('(?:SMALL|BIG)?SERIAL[248]?') },
  { construct: 'CREATE INDEX', why: 'Redshift has no indexes (§3)', pattern: /\bCREATE\s+(?:UNIQUE\s+)?INDEX\b/gi },
  { construct: 'ON COMMIT', why: 'temporary-table ON COMMIT actions are PostgreSQL-only', pattern: /\bON\s+COMMIT\b/gi },
  {
    construct: 'CREATE FUNCTION',
    why: 'functions are engine-specific; keep them in migrations per engine',
    pattern: /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b/gi,
  },
  {
    construct: 'Redshift table design',
    why: `${REDSHIFT_ONLY}; DDL lives in sql/migrations/warehouse/<engine> (§3.1 rule 13)`,
    pattern: /\b(?:DISTKEY|SORTKEY|DISTSTYLE|INTERLEAVED)\b|\bENCODE\s+\w/gi,
  },
  {
    construct: 'cast to a PostgreSQL-only type',
    why: 'Redshift has no such type (§3)',
    pattern: new RegExp(`(?:::\\s*(?:${PG_ONLY_TYPES})\\b|\\bAS\\s+(?:${PG_ONLY_TYPES})\\s*\\))`, 'gi'),
  },
  {
    construct: 'TEXT cast',
    why: 'Redshift reads TEXT as VARCHAR(256) (§3); cast to VARCHAR(n)',
    pattern: /::\s*TEXT\b|\bAS\s+TEXT\s*\)/gi,
  },
  { construct: "E'…' string", why: 'escape-string syntax is PostgreSQL-only', pattern: /\bE'/gi },
  { construct: 'FOR UPDATE/SHARE', why: 'Redshift has no row locks', pattern: /\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b/gi },
  {
    construct: 'LOCK … IN … MODE',
    why: 'Redshift’s LOCK takes no mode; put locks behind the warehouse session',
    pattern: /\bLOCK\s+(?:TABLE\s+)?[\w.]+\s+IN\s+[\w\s]+?\bMODE\b/gi,
  },
  { construct: 'AS MATERIALIZED', why: 'PostgreSQL-only CTE hint', pattern: /\bAS\s+(?:NOT\s+)?MATERIALIZED\s*\(/gi },
];

// The shared warehouse SQL: sql/etl/warehouse/*.sql (not its per-engine folders) and, once it exists,
// everything under sql/metrics and sql/dashboard.
export function sharedWarehouseSqlFiles(sqlRoot: string = SQL_ROOT): string[] {
  const warehouse = listSqlFiles(path.join(sqlRoot, 'etl', 'warehouse')).filter(
    (file) => path.dirname(file) === path.join(sqlRoot, 'etl', 'warehouse'),
  );
  // the metric and dashboard statements read the warehouse's rollups, on both engines
  const readers = ['metrics', 'dashboard'].map((folder) => path.join(sqlRoot, folder)).filter((folder) => existsSync(folder));
  return [...warehouse, ...readers.flatMap((folder) => listSqlFiles(folder))];
}

// Every finding in the shared files; `file` is relative to the sql folder (etl/warehouse/x.sql).
export function checkSharedSql(sqlRoot: string = SQL_ROOT): PortabilityFinding[] {
  return sharedWarehouseSqlFiles(sqlRoot).flatMap((file) =>
    findPortabilityProblems(readFileSync(file, 'utf8'), path.relative(sqlRoot, file).replace(/\\/g, '/')),
  );
}

export function findPortabilityProblems(sql: string, file = '<inline>'): PortabilityFinding[] {
  const { code, masked } = scanSql(sql);
  const findings: PortabilityFinding[] = [];
  for (const rule of PORTABILITY_RULES) {
    const positions = rule.find ? rule.find(masked) : [...masked.matchAll(rule.pattern!)].map((match) => match.index);
    for (const at of positions) {
      const line = lineAt(code, at);
      findings.push({ file, construct: rule.construct, line, excerpt: code.split('\n')[line - 1].trim(), why: rule.why });
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

export function formatFindings(findings: PortabilityFinding[]): string {
  return findings.map((f) => `sql/${f.file}:${f.line}: ${f.construct} (${f.why}): ${f.excerpt}`).join('\n');
}

// The SQL without comments (each comment character becomes a space; line breaks stay).
export function stripSqlComments(sql: string): string {
  return scanSql(sql).code;
}

// One pass over the text: `code` drops comments; `masked` also blanks what is inside '…', E'…', "…"
// and $tag$…$tag$ (the quotes stay, so a cast after a literal still shows).
function scanSql(sql: string): { code: string; masked: string } {
  const code: string[] = [];
  const masked: string[] = [];
  const keep = (text: string, mask: boolean) => {
    code.push(text);
    masked.push(mask ? text.replace(/[^\n]/g, ' ') : text);
  };
  const blank = (text: string) => {
    const spaces = text.replace(/[^\n]/g, ' ');
    code.push(spaces);
    masked.push(spaces);
  };
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      blank(sql.slice(i, stop));
      i = stop;
    } else if (rest.startsWith('/*')) {
      const stop = blockCommentEnd(sql, i);
      blank(sql.slice(i, stop));
      i = stop;
    } else if (sql[i] === "'" || sql[i] === '"') {
      const escapes = sql[i] === "'" && /\bE$/i.test(sql.slice(Math.max(0, i - 2), i));
      const stop = quotedEnd(sql, i, sql[i], escapes);
      keep(sql[i], false);
      keep(sql.slice(i + 1, stop - 1), true);
      keep(sql.slice(stop - 1, stop), false);
      i = stop;
    } else if (/^\$(?:[A-Za-z_]\w*)?\$/.test(rest)) {
      const tag = /^\$(?:[A-Za-z_]\w*)?\$/.exec(rest)![0];
      const close = sql.indexOf(tag, i + tag.length);
      const stop = close === -1 ? sql.length : close + tag.length;
      keep(tag, false);
      keep(sql.slice(i + tag.length, Math.max(i + tag.length, stop - tag.length)), true);
      keep(sql.slice(Math.max(i + tag.length, stop - tag.length), stop), false);
      i = stop;
    } else {
      keep(sql[i], false);
      i++;
    }
  }
  return { code: code.join(''), masked: masked.join('') };
}

function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i++;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return sql.length;
}

// index just after the closing quote ('' or "" inside stand for one quote; E'…' also takes \')
function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') i++;
    else if (sql[i] === quote && sql[i + 1] === quote) i++;
    else if (sql[i] === quote) return i + 1;
  }
  return sql.length;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text[i] === '\n') line++;
  return line;
}

type WindowCall = { at: number; name: string; args: string; spec: string };

// Every `f(args) OVER (spec)` of the masked text.
function windowCalls(masked: string): WindowCall[] {
  const calls: WindowCall[] = [];
  for (const match of masked.matchAll(/\bOVER\s*\(/gi)) {
    const open = match.index + match[0].length - 1;
    const spec = masked.slice(open + 1, closingParen(masked, open));
    const argsEnd = masked.slice(0, match.index).trimEnd().length - 1;
    if (masked[argsEnd] !== ')') continue;
    const argsStart = openingParen(masked, argsEnd);
    const name = /([A-Za-z_]\w*)\s*$/.exec(masked.slice(0, argsStart))?.[1] ?? '';
    calls.push({ at: match.index, name: name.toLowerCase(), args: masked.slice(argsStart + 1, argsEnd), spec });
  }
  return calls;
}

function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return text.length;
}

function openingParen(text: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) return i;
  }
  return 0;
}
