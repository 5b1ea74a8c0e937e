import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Debian's sqlfluff (`apt-get install sqlfluff`, 1.4.5) as a syntax check of Redshift-only SQL: its
// redshift dialect knows COPY, VACUUM, DISTKEY/SORTKEY and ENCODE, which PostgreSQL's parser does not.
// It knows nothing of functions or types: that is the gate's part (redshift-gate/).

export type ParseResult = { file: string; unparsable: string[] };

// SQLFLUFF_PATH, else sqlfluff on PATH; a clear error when neither is there.
export function sqlfluffBinary(): string {
  const candidates = process.env.SQLFLUFF_PATH
    ? [process.env.SQLFLUFF_PATH]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'sqlfluff'));
  const found = candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error('sqlfluff is not installed: apt-get install sqlfluff (as .ci/run does), or set SQLFLUFF_PATH');
  return found;
}

// sqlfluff reads :name placeholders, not PostgreSQL's $n.
export const namedPlaceholders = (sql: string) => sql.replace(/\$(\d+)/g, ':p$1');

// Parses every statement with the redshift dialect in one sqlfluff process (one per file would start
// Python each time): each goes to a temporary folder as its own file. Returns, per statement, the text
// of each section sqlfluff could not parse.
export async function parseRedshift(statements: { file: string; sql: string }[]): Promise<ParseResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kpi-sqlfluff-'));
  try {
    const names = statements.map((statement, i) => {
      const name = `${String(i).padStart(4, '0')}.sql`;
      writeFileSync(path.join(dir, name), `${namedPlaceholders(statement.sql).trimEnd()}\n`);
      return name;
    });
    const args = ['parse', '--dialect', 'redshift', '--format', 'json', '--nofail', '--ignore-local-config', dir];
    const { stdout } = await promisify(execFile)(sqlfluffBinary(), args, { maxBuffer: 256 * 1024 * 1024 });
    const parsed = new Map(
      (JSON.parse(stdout) as { filepath: string; segments: unknown }[]).map((file) => [path.basename(file.filepath), file.segments]),
    );
    return statements.map((statement, i) => ({
      file: statement.file,
      unparsable: parsed.has(names[i]) ? unparsableSections(parsed.get(names[i])) : ['(sqlfluff did not parse the file at all)'],
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The raw text of every "unparsable" segment of sqlfluff's JSON tree.
function unparsableSections(tree: unknown): string[] {
  if (tree === null || typeof tree !== 'object') return [];
  if (Array.isArray(tree)) return tree.flatMap(unparsableSections);
  return Object.entries(tree).flatMap(([key, value]) =>
    key === 'unparsable' ? [rawText(value).replace(/\s+/g, ' ').trim()] : unparsableSections(value),
  );
}

function rawText(tree: unknown): string {
  if (typeof tree === 'string') return tree;
  if (tree === null || typeof tree !== 'object') return '';
  return (Array.isArray(tree) ? tree : Object.values(tree)).map(rawText).join('');
}
