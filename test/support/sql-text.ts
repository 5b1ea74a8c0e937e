// The SQL of a file without its comments, for tests that read statements as text. Each comment
// character becomes a space and line breaks stay, so positions (and line numbers) are those of the file;
// '…', "…" and $tag$…$tag$ are kept whole, so a comment marker inside them is not a comment.
export function stripSqlComments(sql: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const stop = commentEnd(sql, i) ?? quotedEnd(sql, i);
    if (stop === undefined) {
      out.push(sql[i]);
      i++;
    } else {
      const text = sql.slice(i, stop);
      out.push(isComment(sql, i) ? text.replace(/[^\n]/g, ' ') : text);
      i = stop;
    }
  }
  return out.join('');
}

function isComment(sql: string, at: number): boolean {
  return sql.startsWith('--', at) || sql.startsWith('/*', at);
}

// index just after a comment that starts at `at` (block comments nest, as in PostgreSQL)
function commentEnd(sql: string, at: number): number | undefined {
  if (sql.startsWith('--', at)) {
    const end = sql.indexOf('\n', at);
    return end === -1 ? sql.length : end;
  }
  if (!sql.startsWith('/*', at)) return undefined;
  let depth = 0;
  for (let i = at; i < sql.length - 1; i++) {
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

// index just after a quoted string or identifier that starts at `at` ('' or "" inside stand for one
// quote; E'…' also takes \')
function quotedEnd(sql: string, at: number): number | undefined {
  const dollar = /^\$(?:[A-Za-z_]\w*)?\$/.exec(sql.slice(at, at + 64));
  if (dollar) {
    const close = sql.indexOf(dollar[0], at + dollar[0].length);
    return close === -1 ? sql.length : close + dollar[0].length;
  }
  const quote = sql[at];
  if (quote !== "'" && quote !== '"') return undefined;
  const backslashEscapes = quote === "'" && /\bE$/i.test(sql.slice(Math.max(0, at - 2), at));
  for (let i = at + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') i++;
    else if (sql[i] === quote && sql[i + 1] === quote) i++;
    else if (sql[i] === quote) return i + 1;
  }
  return sql.length;
}
