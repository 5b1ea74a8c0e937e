import { loadModule, parseSync, scanSync } from 'libpg-query';
import { FORBIDDEN_NODES, NODES } from './nodes.js';
import { CHECKS, type Report } from './checks.js';

// The Redshift gate: PostgreSQL's own parser (libpg_query, compiled to WebAssembly) parses a statement
// that both engines run, and every node, function, type, cast and operator of its tree is held against
// the allow-lists of allow-list.ts and nodes.ts. A statement PostgreSQL cannot parse fails too.

export type GateFinding = { file: string; line: number; construct: string; why: string };

// Loads the WebAssembly parser; call once (beforeAll) before checkStatement.
export const loadParser = (): Promise<void> => loadModule();

export function checkStatement(sql: string, file = '<inline>'): GateFinding[] {
  const findings: GateFinding[] = [];
  const report: Report = (construct, why, location = 0) => findings.push({ file, line: lineAt(sql, location), construct, why });
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = parseSync(sql);
  } catch (error) {
    const at = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0;
    report('not PostgreSQL', `PostgreSQL's parser refuses it: ${(error as Error).message}`, at);
    return findings;
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1)
    report('one statement per file', `${statements.length} statements: a file holds exactly one (style.md habit 4)`, 0);
  for (const { stmt } of statements) walk(stmt, report, 0);
  checkTokens(sql, report);
  return findings;
}

export function formatFindings(findings: GateFinding[]): string {
  return findings.map((f) => `${f.file}:${f.line}: ${f.construct}: ${f.why}`).join('\n');
}

// Every wrapped node ({"Kind": {…}}) is checked by kind; the fields of any object are walked, so nodes
// inside unwrapped parts (a TypeName, a WindowDef) are reached as well.
function walk(value: unknown, report: Report, at: number): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, report, at);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const entries = Object.entries(value as Record<string, unknown>);
  const [kind, body] = entries[0] ?? [];
  if (entries.length === 1 && /^[A-Z]/.test(kind) && body !== null && typeof body === 'object') {
    const node = body as Record<string, unknown>;
    const here = typeof node.location === 'number' && node.location >= 0 ? node.location : at;
    checkNode(kind, node, report, here);
    walk(node, report, here);
    return;
  }
  for (const [, field] of entries) walk(field, report, at);
}

function checkNode(kind: string, node: Record<string, unknown>, report: Report, at: number): void {
  if (FORBIDDEN_NODES[kind]) report(kind, FORBIDDEN_NODES[kind], at);
  else if (!NODES[kind]) report(kind, `${kind} is not on the gate's allow-list: find it in AWS's SQL reference and add it to nodes.ts`, at);
  else CHECKS[kind]?.(node, (construct, why, location = at) => report(construct, why, location));
}

// What the tree does not keep: the spelling of literals and whether LOCK named a mode.
function checkTokens(sql: string, report: Report): void {
  const tokens = scanSync(sql).tokens;
  for (const token of tokens) {
    if (/^[EeUu]&?'/.test(token.text))
      report("E'…' string", "escape-string syntax is PostgreSQL-only: write a plain '…' literal", token.start);
    if (token.text.startsWith('$') && token.tokenName === 'SCONST') report('$$ string', 'dollar quoting is PostgreSQL-only', token.start);
  }
  const words = tokens.map((token) => token.text.toUpperCase());
  if (words[0] === 'LOCK' && words.includes('MODE')) {
    report(
      'LOCK … IN … MODE',
      'Redshift’s LOCK takes no mode: it is always ACCESS EXCLUSIVE (r_LOCK)',
      tokens[words.indexOf('MODE')].start,
    );
  }
}

// 1-based line of a byte offset (libpg_query counts bytes of the UTF-8 text).
function lineAt(sql: string, byteOffset: number): number {
  const before = Buffer.from(sql, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  return before.split('\n').length;
}
