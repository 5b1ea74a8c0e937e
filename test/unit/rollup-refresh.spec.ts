import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { isFragment, listSqlFiles, SqlCatalog } from '../../src/database/sql-catalog.js';
import type { Step } from '../../src/etl/rollups/refresh-step.js';
import {
  REFRESH_PATHS,
  type RefreshPath,
  RollupRefresh,
  type RollupRefreshRequest,
  type RollupSettings,
} from '../../src/etl/rollups/rollup-refresh.js';
import { ROLLUP_TABLES } from '../../src/etl/rollups/rollup-tables.js';
import type { SqlClient } from '../../src/etl/warehouse/warehouse-session.js';

// Which statements the rollup refresh sends for each kind of load, recorded by a fake connection: the
// statements' own behaviour is tested on PostgreSQL (test/medium/rollup-*.spec.ts); here, the choice
// between the delta, the recount and the full build, and that their statement count does not grow with
// the days. Each recorded statement is named by the sql/metrics file it came from.

const SETTINGS: RollupSettings = {
  timezone: 'Europe/Berlin',
  registrationEvents: ['registration', 'sign_up'],
  sessionLengthField: 'last_time_spent',
} as RollupSettings;

// A catalog statement with its {placeholders} as wildcards, to tell which file a sent text came from.
function namer(sql: SqlCatalog): (text: string) => string {
  const names = listSqlFiles(path.join(SQL_ROOT, 'metrics/refresh'))
    .map((file) =>
      path
        .relative(SQL_ROOT, file)
        .replace(/\\/g, '/')
        .replace(/\.sql$/, ''),
    )
    .filter((name) => !isFragment(name));
  const patterns = names.map((name) => {
    const escaped = sql.get(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { name: name.slice('metrics/'.length), pattern: new RegExp(`^${escaped.replace(/\\\{\w+\\\}/g, '[\\s\\S]*?')}$`) };
  });
  return (text) => patterns.find(({ pattern }) => pattern.test(text))?.name ?? `unknown: ${text.slice(0, 60)}`;
}

type Answers = { built: boolean; registrationEvents?: string[]; allDays?: string[]; activeDays?: [string, string] | null };

function recordingClient(sql: SqlCatalog, answers: Answers): { client: SqlClient; sent: string[] } {
  const nameOf = namer(sql);
  const sent: string[] = [];
  const rowsFor: Record<string, () => Record<string, unknown>[]> = {
    'refresh/settings/build-settings': () => (answers.built ? [{ timezone: SETTINGS.timezone }] : []),
    'refresh/settings/registration-events': () => (answers.registrationEvents ?? SETTINGS.registrationEvents).map((name) => ({ name })),
    'refresh/full-build/all-days': () => (answers.allDays ?? []).map((day) => ({ day })),
    'refresh/delta/active-days': () => [{ first_day: answers.activeDays?.[0] ?? null, last_day: answers.activeDays?.[1] ?? null }],
  };
  const query = async (text: string) => {
    const name = nameOf(text);
    sent.push(name);
    return { rows: rowsFor[name]?.() ?? [] };
  };
  return { client: { query } as unknown as SqlClient, sent };
}

const request = (overrides: Partial<RollupRefreshRequest>): RollupRefreshRequest => ({
  runId: 7,
  mode: 'arrival',
  afterId: '100',
  windowStart: null,
  days: ['2026-11-02'],
  rows: 10,
  loadRowsKept: true,
  replacedRows: 0,
  ...overrides,
});

const days = (count: number) => Array.from({ length: count }, (_, i) => new Date(Date.UTC(2026, 8, 1 + i)).toISOString().slice(0, 10));

type Told = { done: number; total: number; current: string | null };

// One refresh against the recording client: the statements it sent, the days it says it built, and the
// progress it told.
async function runRefresh(
  answers: Answers,
  overrides: Partial<RollupRefreshRequest>,
): Promise<{ sent: string[]; built: string[]; told: Told[] }> {
  const sql = new SqlCatalog();
  const { client, sent } = recordingClient(sql, answers);
  const told: Told[] = [];
  const built = await new RollupRefresh(client, sql, SETTINGS).run(request(overrides), (done, total, current) =>
    told.push({ done, total, current }),
  );
  return { sent, built, told };
}

const refresh = async (answers: Answers, overrides: Partial<RollupRefreshRequest>) => (await runRefresh(answers, overrides)).sent;

const recountOnly = [
  'refresh/recount/delete-counts',
  'refresh/recount/insert-counts',
  'refresh/recount/add-days',
  'refresh/recount/insert-installs',
];
const clears = ['refresh/full-build/clear'];

describe('RollupRefresh: which statements each load sends', () => {
  it('sends nothing but the build check for an arrival load that brought no rows', async () => {
    expect(await refresh({ built: true }, { rows: 0, days: [] })).toEqual(['refresh/settings/build-settings']);
  });

  it('moves the rollups by the load rows of an arrival load: no recount, no clearing, its work tables dropped at the end', async () => {
    const sent = await refresh({ built: true, activeDays: ['2026-11-02', '2026-11-02'] }, {});
    expect(sent).toEqual(expect.arrayContaining(['refresh/delta/load-rows', 'refresh/delta/add-counts', 'refresh/delta/add-installs']));
    expect(sent).toContain('refresh/delta/add-active-devices');
    expect(sent.filter((name) => recountOnly.includes(name) || clears.includes(name))).toEqual([]);
    expect(sent.at(-1)).toBe('refresh/work/drop');
    expect(sent.filter((name) => name.startsWith('unknown'))).toEqual([]);
  });

  it('leaves the active-user windows alone when the load rows made no device active on a new day', async () => {
    const sent = await refresh({ built: true, activeDays: null }, {});
    expect(sent).toContain('refresh/delta/load-active');
    expect(
      sent.filter((name) => name === 'refresh/delta/add-active-devices' || name === 'refresh/active-windows/add-active-changes'),
    ).toEqual([]);
  });

  it.each([
    ['a window run', { mode: 'window' as const, windowStart: new Date('2026-10-28T23:00:00Z') }],
    ['an arrival load that replaced rows (the first after an upgrade)', { replacedRows: 3 }],
    ['an arrival load whose rows are not kept in the session', { loadRowsKept: false }],
  ])('recounts the touched days for %s, without the delta statements and without clearing', async (_case, overrides) => {
    const sent = await refresh({ built: true }, overrides);
    expect(sent).toEqual(expect.arrayContaining(recountOnly));
    expect(sent.filter((name) => name.startsWith('refresh/delta/') || clears.includes(name))).toEqual([]);
    expect(sent).not.toContain('refresh/settings/record-build-settings');
  });

  it.each([
    ['a rebuild', { built: true }, { mode: 'rebuild' as const }, false],
    ['a first load (from the first id)', { built: false }, { afterId: '0', loadRowsKept: false }, false],
    ['the first build after an upgrade (a load after an earlier one)', { built: false }, { afterId: '100' }, true],
  ])(
    'builds on the days of the load itself for %s when it replaced every activity, else reads them',
    async (_case, answers, overrides, reads) => {
      const loadDays = ['2026-11-03', '2026-11-02', '2026-11-03'];
      const { sent, built } = await runRefresh({ ...answers, allDays: days(3) }, { ...overrides, days: loadDays });
      expect(sent.includes('refresh/full-build/all-days')).toBe(reads);
      expect(built).toEqual(reads ? days(3) : ['2026-11-02', '2026-11-03']);
    },
  );

  it.each([
    ['a rebuild', { built: true }, { mode: 'rebuild' as const }],
    ['the first load after the rollups appeared', { built: false }, {}],
  ])('builds everything from every activity for %s, and records the settings it built with', async (_case, answers, overrides) => {
    const sent = await refresh({ ...answers, allDays: days(3) }, overrides);
    expect(sent).toEqual(expect.arrayContaining([...clears, ...recountOnly, 'refresh/full-build/add-all-devices']));
    // every rollup table emptied, before anything is counted again
    expect(sent.filter((name) => name === 'refresh/full-build/clear')).toHaveLength(ROLLUP_TABLES.length);
    expect(sent.lastIndexOf('refresh/full-build/clear')).toBeLessThan(sent.indexOf('refresh/recount/delete-installs'));
    expect(sent.at(-1)).toBe('refresh/settings/record-build-settings');
  });

  it('sends as many statements for a build of 90 days as for one of 3 (one statement for every day)', async () => {
    const few = await refresh({ built: false, allDays: days(3) }, {});
    const many = await refresh({ built: false, allDays: days(90) }, {});
    expect(many).toEqual(few);
  });

  it.each<[RefreshPath, Answers, Partial<RollupRefreshRequest>]>([
    ['arrivalDelta', { built: true, activeDays: ['2026-11-02', '2026-11-02'] }, {}],
    ['recount', { built: true }, { mode: 'window', windowStart: new Date('2026-10-28T23:00:00Z') }],
    ['fullBuild', { built: true, allDays: days(3) }, { mode: 'rebuild' }],
  ])('sends the statements REFRESH_PATHS.%s declares, in their order', async (refreshPath, answers, overrides) => {
    const declared = firstOccurrences(statementsOf(REFRESH_PATHS[refreshPath]));
    const sent = (await refresh(answers, overrides)).slice(1); // after the build check, which chose the path
    expect(firstOccurrences(sent.filter((name) => declared.includes(name)))).toEqual(declared.filter((name) => sent.includes(name)));
    // besides them only what the declared work tables and merges run
    const declaredOrGeneric = (name: string) =>
      declared.includes(name) || name.startsWith('refresh/merge/') || name === 'refresh/work/create-like';
    expect(sent.filter((name) => !declaredOrGeneric(name))).toEqual([]);
  });

  it('writes REGISTRATION_EVENTS again, in one statement, only when they changed', async () => {
    const writes = (sent: string[]) => sent.filter((name) => /^refresh\/settings\/(clear|add)-registration-events$/.test(name));
    expect(writes(await refresh({ built: true }, {}))).toEqual([]);
    expect(writes(await refresh({ built: true, registrationEvents: ['registration'] }, {}))).toEqual([
      'refresh/settings/clear-registration-events',
      'refresh/settings/add-registration-events',
    ]);
  });
});

describe('RollupRefresh: the progress it reports', () => {
  it.each<[string, Answers, Partial<RollupRefreshRequest>]>([
    ['an arrival delta', { built: true, activeDays: ['2026-11-02', '2026-11-02'] }, {}],
    ['a recount', { built: true }, { mode: 'window', windowStart: new Date('2026-10-28T23:00:00Z') }],
    ['a full build', { built: true, allDays: days(3) }, { mode: 'rebuild' }],
  ])('names each statement of %s before it runs, moves only forward and ends at its whole weight', async (_case, answers, overrides) => {
    const { told, sent } = await runRefresh(answers, overrides);
    const total = told[0].total;
    expect(told.every((report) => report.total === total)).toBe(true);
    expect(told.map((report) => report.done)).toEqual([...told.map((report) => report.done)].sort((a, b) => a - b));
    expect(told.at(-1)).toEqual({ done: total, total, current: null });
    // the statements named, in the order they were sent (work tables and merges are named by their tables;
    // a step that takes what the run knows sends none)
    const known = knownOf(Object.values(REFRESH_PATHS).flat());
    const named = told
      .map((report) => report.current)
      .filter((name): name is string => name !== null && !/^(create|merge into) /.test(name) && !known.includes(name));
    const sentNamed = sent.map((name) => name.replace(/^refresh\//, '')).filter((name) => named.includes(name));
    expect(firstOccurrences(sentNamed)).toEqual(firstOccurrences(named));
  });

  it("weighs a full build's statements by what they cost: its six heaviest most, largest first", async () => {
    const { told } = await runRefresh({ built: true, allDays: days(3) }, { mode: 'rebuild' });
    const total = told[0].total;
    const shares = told
      .slice(0, -1)
      .map((report, index) => ({ name: report.current, share: (told[index + 1].done - report.done) / total }));
    const shareOf = (name: string) => shares.find((entry) => entry.name === name)!.share;
    // as measured at 10,000,000 activities (docs/design.md, "A run's progress")
    const scans = [
      'active-windows/add-active-changes',
      'recount/insert-rows',
      'recount/insert-active-devices',
      'retention/insert-devices',
      'recount/insert-installs',
      'recount/insert-counts',
    ].map(shareOf);
    expect(scans).toEqual([...scans].sort((a, b) => b - a));
    expect(scans[0]).toBe(Math.max(...shares.map((entry) => entry.share)));
    expect(scans.reduce((sum, share) => sum + share, 0)).toBeGreaterThan(0.85);
  });
});

// The statements a path's steps name, in order, whatever their conditions (work tables created like a
// rollup and merges run work/create-like.sql and merge/*.sql).
function statementsOf(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => {
    if ('steps' in step) return statementsOf(step.steps);
    if ('sql' in step) return [step.sql];
    if ('values' in step) return [step.values];
    if ('filled' in step) return [step.filled];
    return [];
  });
}

// The names of the steps that take what the run already knows, without a statement, as progress names them.
function knownOf(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => {
    if ('steps' in step) return knownOf(step.steps);
    return 'known' in step ? [step.known.replace(/^refresh\//, '')] : [];
  });
}

const firstOccurrences = (names: string[]) => names.filter((name, index) => names.indexOf(name) === index);
