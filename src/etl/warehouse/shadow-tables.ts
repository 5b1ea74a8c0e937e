import { ROLLUP_TABLES } from '../rollups/rollup-tables.js';
import type { SqlClient } from './warehouse-session.js';

// A repair (a window run or a rebuild) builds the warehouse again beside the live one, while arrival
// loads go on landing in the live tables, then swaps it in at once (docs/design.md, "Repairs beside the
// live warehouse"). Beside each live table it changes is stg.<name>_next.

// The tables the swap puts in place of the live ones: the rows and everything counted from them.
export const SWAPPED_TABLES = ['stg.adjust', ...ROLLUP_TABLES, 'stg.rollup_build', 'stg.registration_event'] as const;
// The repair's own bookkeeping beside them, never swapped in: its load records (the resume point of its
// catch-up) and the lock its merges take, so that they never queue the live loads' merges.
const BOOKKEEPING_TABLES = ['stg.load', 'stg.load_lock'] as const;
export const SHADOWED_TABLES = [...SWAPPED_TABLES, ...BOOKKEEPING_TABLES];

export const shadowOf = (table: string) => `${table}_next`;
// a live table between the swap, which renames it so, and the drop after it
export const oldOf = (table: string) => `${table}_old`;
// RENAME TO takes a name without its schema
export const bareName = (table: string) => table.slice(table.indexOf('.') + 1);

const SHADOWED = new RegExp(`\\b(${SHADOWED_TABLES.map((table) => table.replace('.', '\\.')).join('|')})\\b`, 'g');

// The statements of a load, as they are, sent to the tables beside the live ones: every name of
// SHADOWED_TABLES becomes its shadow's. A COPY stream (pg-copy-streams) carries its text in `text`.
export function besideLive<T extends SqlClient>(client: T): T {
  const rename = (text: string) => text.replace(SHADOWED, (table) => shadowOf(table));
  const query = (statement: unknown, ...rest: unknown[]) => {
    if (typeof statement === 'string') return (client.query as (...args: unknown[]) => unknown)(rename(statement), ...rest);
    const stream = statement as { text?: string };
    if (typeof stream.text === 'string') stream.text = rename(stream.text);
    return (client.query as (...args: unknown[]) => unknown)(stream, ...rest);
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
