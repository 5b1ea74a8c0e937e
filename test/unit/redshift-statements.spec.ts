import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SQL_ROOT } from '../../src/database/project-paths.js';
import { listSqlFiles, SqlCatalog } from '../../src/database/sql-catalog.js';
import type { EtlMode } from '../../src/etl/etl-run.js';
import { ACTIVE_CHANGE, DAILY_COUNTS, DAILY_INSTALLS, DAILY_RETENTION, ROLLUP_TABLES } from '../../src/etl/rollups/rollup-tables.js';
import { IDLE_PING_MS, RedshiftWarehouseSession } from '../../src/etl/warehouse/redshift.warehouse.js';
import { bareName, SHADOWED_TABLES, SWAPPED_TABLES } from '../../src/etl/warehouse/shadow-tables.js';
import type { BeforeCommit, MergePlan, SqlClient } from '../../src/etl/warehouse/warehouse-session.js';
import { createTableColumns, identifierListAfter, readSql } from '../support/sql-columns.js';
import { stripSqlComments } from '../support/sql-text.js';

// What RedshiftWarehouseSession sends to Redshift, recorded by a fake connection: no Redshift is needed
// to check the COPY text and that the merge transaction holds nothing that commits on its own.

const sql = new SqlCatalog();
const ROLE_ARN = 'arn:aws:iam::123456789012:role/kpi-redshift-copy';
const MANIFEST_URL = 's3://kpi-stage/runs/2026-11-20/42/manifest.json';

type Sent = { text: string; values: unknown[] | undefined };
type Responder = (text: string, sent: Sent[]) => { rows: Record<string, unknown>[]; rowCount?: number } | void;

// A connection that records every statement; `respond` may answer with rows or throw to fail one.
function recordingClient(respond: Responder = () => undefined): { client: SqlClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const fake = {
    query: async (text: string, values?: unknown[]) => {
      sent.push({ text, values });
      return respond(text, sent) ?? { rows: [] };
    },
  };
  return { client: fake as unknown as SqlClient, sent };
}

// The catalog names of the statements the sessions send, to tell recorded texts apart.
const KNOWN = [
  'etl/warehouse/redshift/lock-loads',
  'etl/warehouse/redshift/load-errors-stl',
  'etl/warehouse/redshift/load-errors-sys',
  'etl/warehouse/redshift/keepalive',
  'etl/warehouse/redshift/vacuum',
  'etl/warehouse/redshift/analyze',
  'etl/warehouse/redshift/tables-not-owned',
  'etl/warehouse/delete-all',
  'etl/warehouse/delete-window',
  'etl/warehouse/delete-after-id',
  'etl/warehouse/create-stage',
  'etl/warehouse/insert-staged',
  'etl/warehouse/record-load',
  'etl/warehouse/prune-loads',
  'etl/warehouse/last-maintained',
  'etl/warehouse/mark-maintained',
];

function nameOf(text: string): string {
  const known = KNOWN.find((name) => sql.get(name) === text);
  if (known) return known;
  const code = stripSqlComments(text).trim();
  return /^COPY\b/i.test(code) ? 'COPY' : code;
}

const code = (text: string) => stripSqlComments(text).replace(/\s+/g, ' ').trim();

// The merge half of a run's load: beginLoad creates the staging table (COPY would fill it), then the
// commit is the merge transaction. What beginLoad sent is checked and dropped from `sent`.
async function merge(warehouse: RedshiftWarehouseSession, sent: Sent[], plan: MergePlan, beforeCommit: BeforeCommit): Promise<void> {
  const load = await warehouse.beginLoad(plan);
  expect(sent.map((s) => nameOf(s.text))).toEqual(['etl/warehouse/create-stage']);
  sent.length = 0;
  await load.commit(plan, beforeCommit);
}

function session(client: SqlClient, options: { iamRole: string; region?: string } = { iamRole: ROLE_ARN }) {
  return new RedshiftWarehouseSession(client, sql, options);
}

describe(`${RedshiftWarehouseSession.name} COPY`, () => {
  const copyText = (options?: { iamRole: string; region?: string }, url = MANIFEST_URL) =>
    code(session(recordingClient().client, options).copyStatement(url));

  it('reads exactly the run manifest with the named IAM role, gzip, | and backslash escapes', () => {
    const copy = copyText();
    expect(copy).toMatch(/^COPY stage_adjust \(/);
    expect(copy).toContain(`FROM '${MANIFEST_URL}'`);
    expect(copy).toContain(`IAM_ROLE '${ROLE_ARN}'`);
    for (const option of [/\bMANIFEST\b/, /\bGZIP\b/, /\bDELIMITER '\|'/, /\bESCAPE\b/]) expect(copy).toMatch(option);
    // ESCAPE cannot be combined with CSV, and nothing may be left unfilled
    expect(copy).not.toMatch(/\bCSV\b|[{}]/);
  });

  it('uses the cluster default role unquoted for "default"', () => {
    const copy = copyText({ iamRole: 'default' });
    expect(copy).toMatch(/\bIAM_ROLE default\b/);
    expect(copy).not.toContain("'default'");
  });

  it('names the columns of stg.adjust, in its order', () => {
    const columns = createTableColumns(readSql('migrations/warehouse/redshift/0002_adjust.sql'), 'stg.adjust').map((c) => c.name);
    expect(columns.length).toBeGreaterThan(40);
    expect(identifierListAfter(copyText(), /^COPY\s+stage_adjust\s*\(/i)).toEqual(columns);
  });

  it('adds REGION only when a region is given', () => {
    expect(copyText({ iamRole: ROLE_ARN, region: 'eu-central-1' })).toMatch(/\bREGION 'eu-central-1'$/);
    expect(copyText()).not.toMatch(/\bREGION\b/i);
  });

  it('never carries access keys or credentials', () => {
    const statement = session(recordingClient().client, { iamRole: ROLE_ARN, region: 'eu-west-1' }).copyStatement(MANIFEST_URL);
    expect(statement).not.toMatch(/ACCESS_KEY|SECRET|CREDENTIALS|SESSION_TOKEN/i);
  });

  it('does not fill placeholders that appear inside the manifest URL', () => {
    expect(copyText(undefined, 's3://kpi-stage/{iam_role}/manifest.json')).toContain("FROM 's3://kpi-stage/{iam_role}/manifest.json'");
  });

  it.each([
    ['a quote', "s3://kpi-stage/run'/manifest.json"],
    ['an injected clause', "s3://kpi-stage/manifest.json' ACCESS_KEY_ID 'x"],
    ['a backslash', 's3://kpi-stage/run\\/manifest.json'],
    ['white space', 's3://kpi-stage/run 1/manifest.json'],
    ['an https URL', 'https://kpi-stage.s3.amazonaws.com/manifest.json'],
    ['a file URL', 'file:///var/lib/kpi/stage/manifest.json'],
    ['no scheme', 'kpi-stage/manifest.json'],
  ])('refuses a manifest URL with %s, before sending anything', async (_what, url) => {
    const { client, sent } = recordingClient();
    expect(() => session(client).copyStatement(url)).toThrow(/not an S3 manifest URL/);
    await expect(session(client).copyStage(url)).rejects.toThrow(/not an S3 manifest URL/);
    expect(sent.map((s) => nameOf(s.text))).not.toContain('COPY');
  });

  it('sends the COPY alone when it succeeds', async () => {
    const { client, sent } = recordingClient();
    await session(client).copyStage(MANIFEST_URL);
    expect(sent.map((s) => nameOf(s.text))).toEqual(['COPY']);
  });

  describe('when the COPY fails', () => {
    const copyError = new Error("Load into table 'stage_adjust' failed. Check 'sys_load_error_detail' system table for details.");
    // Redshift pads CHAR columns with blanks
    const rejected = [
      {
        file_name: 's3://kpi-stage/runs/42/part-0000.gz   ',
        line_number: 17,
        column_name: 'created_at      ',
        error_code: 1206,
        error_message: 'Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]   ',
      },
      {
        file_name: 's3://kpi-stage/runs/42/part-0001.gz',
        line_number: 3,
        column_name: 'adid',
        error_code: 1204,
        error_message: 'String length exceeds DDL length',
      },
    ];

    const STL = 'etl/warehouse/redshift/load-errors-stl';
    const SYS = 'etl/warehouse/redshift/load-errors-sys';
    type ErrorTable = () => { rows: Record<string, unknown>[] };
    const none: ErrorTable = () => ({ rows: [] });
    const refused =
      (view: string): ErrorTable =>
      () => {
        throw new Error(`permission denied for relation ${view}`);
      };

    function failingCopy(stl: ErrorTable, sys: ErrorTable) {
      return recordingClient((text) => {
        if (nameOf(text) === 'COPY') throw copyError;
        if (nameOf(text) === STL) return stl();
        if (nameOf(text) === SYS) return sys();
      });
    }

    it('puts the first rejected rows from STL_LOAD_ERRORS, by pg_last_copy_id(), into the error (a provisioned cluster)', async () => {
      const { client, sent } = failingCopy(() => ({ rows: rejected }), refused('sys_load_error_detail'));
      const failure = session(client).copyStage(MANIFEST_URL);

      await expect(failure).rejects.toThrow(copyError.message);
      await expect(failure).rejects.toThrow(
        's3://kpi-stage/runs/42/part-0000.gz line 17, column created_at: Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS] | ' +
          's3://kpi-stage/runs/42/part-0001.gz line 3, column adid: String length exceeds DDL length',
      );
      await expect(failure).rejects.toMatchObject({ cause: copyError });
      expect(sent.map((s) => nameOf(s.text))).toEqual(['COPY', STL]);
      expect(code(sent[1].text)).toMatch(/FROM stl_load_errors WHERE query = pg_last_copy_id\(\)/i);
    });

    it('reads SYS_LOAD_ERROR_DETAIL for the session when STL views are refused (Serverless)', async () => {
      const { client, sent } = failingCopy(refused('stl_load_errors'), () => ({ rows: rejected.slice(1) }));
      const failure = session(client).copyStage(MANIFEST_URL);

      await expect(failure).rejects.toThrow(
        'first rejected rows: s3://kpi-stage/runs/42/part-0001.gz line 3, column adid: String length exceeds DDL length',
      );
      await expect(failure).rejects.not.toThrow(/permission denied/);
      expect(sent.map((s) => nameOf(s.text))).toEqual(['COPY', STL, SYS]);
      expect(code(sent[2].text)).toMatch(/FROM sys_load_error_detail WHERE session_id = pg_backend_pid\(\)/i);
    });

    it('reads SYS_LOAD_ERROR_DETAIL when STL_LOAD_ERRORS has no rows for the COPY (a concurrency-scaling cluster)', async () => {
      const { client } = failingCopy(none, () => ({ rows: rejected.slice(0, 1) }));
      await expect(session(client).copyStage(MANIFEST_URL)).rejects.toThrow(
        /first rejected rows: .*part-0000\.gz line 17, column created_at/,
      );
    });

    it('still reports the COPY error when neither view has rows', async () => {
      const { client } = failingCopy(none, none);
      const failure = session(client).copyStage(MANIFEST_URL);
      await expect(failure).rejects.toThrow(`Redshift COPY failed: ${copyError.message}`);
      await expect(failure).rejects.not.toThrow(/rejected rows/);
    });

    it('still reports the COPY error when neither view can be read', async () => {
      const { client } = failingCopy(refused('stl_load_errors'), refused('sys_load_error_detail'));
      const failure = session(client).copyStage(MANIFEST_URL);
      await expect(failure).rejects.toThrow(`Redshift COPY failed: ${copyError.message}`);
      await expect(failure).rejects.not.toThrow(/permission denied/);
    });
  });
});

describe(`${RedshiftWarehouseSession.name} while the extract runs`, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  const bounds = { mode: 'arrival' as const, afterId: '0', windowStart: null, keepLoadRows: true };

  it(`keeps the session busy with a trivial statement every ${IDLE_PING_MS / 1000} s until the COPY`, async () => {
    jest.useFakeTimers();
    const { client, sent } = recordingClient();
    const load = await session(client).beginLoad(bounds);
    await jest.advanceTimersByTimeAsync(3 * IDLE_PING_MS);
    expect(sent.map((s) => nameOf(s.text))).toEqual(['etl/warehouse/create-stage', ...Array(3).fill('etl/warehouse/redshift/keepalive')]);
    expect(code(sent[1].text)).toBe('SELECT 1 AS alive');

    await load.loadStaged(MANIFEST_URL);
    await jest.advanceTimersByTimeAsync(5 * IDLE_PING_MS);
    expect(sent.map((s) => nameOf(s.text)).slice(4)).toEqual(['COPY']);
  });

  it('stops when the load is aborted, and a failed ping fails nothing by itself', async () => {
    jest.useFakeTimers();
    const { client, sent } = recordingClient((text) => {
      if (nameOf(text) === 'etl/warehouse/redshift/keepalive') throw new Error('connection reset');
    });
    const load = await session(client).beginLoad(bounds);
    await jest.advanceTimersByTimeAsync(IDLE_PING_MS);
    load.abort(new Error('extract failed'));
    await jest.advanceTimersByTimeAsync(5 * IDLE_PING_MS);
    expect(sent.map((s) => nameOf(s.text))).toEqual(['etl/warehouse/create-stage', 'etl/warehouse/redshift/keepalive']);
  });
});

const LOADED_AT = new Date('2026-11-20T10:15:00.123Z');

function mergePlan(mode: EtlMode, stagedRows: number, afterId = '1200'): MergePlan {
  return {
    runId: 42,
    mode,
    windowStart: mode === 'window' ? new Date('2026-11-13T23:00:00Z') : null,
    afterId,
    keepLoadRows: mode === 'arrival',
    stagedRows,
    resumeAfterId: '1500',
    resumeSnapshot: '9200:9204:9201',
    dataThrough: stagedRows > 0 ? new Date('2026-11-20T10:14:59.5Z') : null,
    loadedAt: LOADED_AT,
  };
}

const RECORD = ['etl/warehouse/record-load', 'etl/warehouse/prune-loads'];
const LOCK = 'etl/warehouse/redshift/lock-loads';
const INSERT = 'etl/warehouse/insert-staged';
const AFTER_ID = 'etl/warehouse/delete-after-id';
// what each merge sends between BEGIN and COMMIT
const MERGES: { mode: EtlMode; afterId: string; stagedRows: number; inside: string[] }[] = [
  { mode: 'arrival', afterId: '1200', stagedRows: 0, inside: [LOCK, AFTER_ID, ...RECORD] },
  { mode: 'arrival', afterId: '1200', stagedRows: 3, inside: [LOCK, AFTER_ID, INSERT, ...RECORD] },
  // a first load (no resume point) replaces every row, by DELETE: TRUNCATE would commit
  { mode: 'arrival', afterId: '0', stagedRows: 3, inside: [LOCK, 'etl/warehouse/delete-all', INSERT, ...RECORD] },
  { mode: 'window', afterId: '1200', stagedRows: 0, inside: [LOCK, 'etl/warehouse/delete-window', AFTER_ID, ...RECORD] },
  { mode: 'window', afterId: '1200', stagedRows: 3, inside: [LOCK, 'etl/warehouse/delete-window', AFTER_ID, INSERT, ...RECORD] },
  { mode: 'rebuild', afterId: '1200', stagedRows: 0, inside: [LOCK, 'etl/warehouse/delete-all', ...RECORD] },
  { mode: 'rebuild', afterId: '1200', stagedRows: 3, inside: [LOCK, 'etl/warehouse/delete-all', INSERT, ...RECORD] },
];

// Statements that commit on Redshift or must not run in its merge transaction.
const SELF_COMMITTING = /\b(?:TRUNCATE|VACUUM|ANALYZE|CREATE|DROP)\b/i;

describe(`${RedshiftWarehouseSession.name} merge`, () => {
  describe.each(MERGES)('$mode after id $afterId with $stagedRows staged rows', ({ mode, afterId, stagedRows, inside }) => {
    it('is one transaction that starts with LOCK stg.load_lock and holds nothing that commits by itself', async () => {
      const { client, sent } = recordingClient();
      let beforeCommitAt = -1;
      await merge(session(client), sent, mergePlan(mode, stagedRows, afterId), async (received) => {
        beforeCommitAt = sent.length;
        expect(received).toBe(client);
      });

      const names = sent.map((s) => nameOf(s.text));
      expect(names).toEqual(['BEGIN', ...inside, 'COMMIT']);
      expect(code(sent[1].text)).toBe('LOCK stg.load_lock');
      expect(
        sent
          .slice(1, -1)
          .filter((s) => SELF_COMMITTING.test(code(s.text)))
          .map((s) => code(s.text)),
      ).toEqual([]);
      // the caller's work (rollups, fault injection) runs inside the transaction, before the load record
      expect(beforeCommitAt).toBe(sent.length - 1 - RECORD.length);
    });

    it('rolls back, and never commits, when any statement in it fails', async () => {
      for (let failAt = 1; failAt <= inside.length + 1; failAt++) {
        const failure = new Error(`statement ${failAt} failed`);
        const { client, sent } = recordingClient((_text, sentSoFar) => {
          if (sentSoFar.length === failAt + 1) throw failure;
        });
        await expect(merge(session(client), sent, mergePlan(mode, stagedRows, afterId), async () => undefined)).rejects.toBe(failure);
        const names = sent.map((s) => nameOf(s.text));
        expect(names).toEqual(['BEGIN', ...[...inside, 'COMMIT'].slice(0, failAt), 'ROLLBACK']);
      }
    });

    it('rolls back when the work before the commit fails', async () => {
      const { client, sent } = recordingClient();
      const failure = new Error('rollup failed');
      await expect(
        merge(session(client), sent, mergePlan(mode, stagedRows, afterId), async () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      // nothing is recorded for a load that did not finish
      expect(sent.map((s) => nameOf(s.text))).toEqual(['BEGIN', ...inside.filter((name) => !RECORD.includes(name)), 'ROLLBACK']);
    });
  });

  it('rebuilds with DELETE, never TRUNCATE', async () => {
    const { client, sent } = recordingClient();
    await merge(session(client), sent, mergePlan('rebuild', 3), async () => undefined);
    const deleteAll = sent.find((s) => nameOf(s.text) === 'etl/warehouse/delete-all')!;
    expect(code(deleteAll.text)).toBe('DELETE FROM stg.adjust');
    expect(sent.map((s) => code(s.text)).filter((text) => /\bTRUNCATE\b/i.test(text))).toEqual([]);
  });

  it('passes times as UTC wall-clock TIMESTAMP strings and records the load', async () => {
    const { client, sent } = recordingClient();
    await merge(session(client), sent, mergePlan('window', 3), async () => ({ firstChangedDay: '2026-11-14' }));
    const values = Object.fromEntries(sent.map((s) => [nameOf(s.text), s.values]));
    expect(values['etl/warehouse/delete-window']).toEqual(['2026-11-13 23:00:00.000']);
    expect(values[AFTER_ID]).toEqual(['1200']);
    expect(values['etl/warehouse/record-load']).toEqual([
      42,
      'window',
      '2026-11-20 10:15:00.123',
      '1500',
      '9200:9204:9201',
      '2026-11-20 10:14:59.500',
      3,
      3,
      '2026-11-14',
    ]);
    // load records are kept 30 days
    expect(values['etl/warehouse/prune-loads']).toEqual(['2026-10-21 10:15:00.123']);
  });

  it('keeps the original error when the ROLLBACK fails too', async () => {
    const failure = new Error('serializable isolation violation');
    const { client, sent } = recordingClient((text) => {
      if (nameOf(text) === INSERT) throw failure;
      if (text === 'ROLLBACK') throw new Error('connection lost');
    });
    await expect(merge(session(client), sent, mergePlan('arrival', 3), async () => undefined)).rejects.toBe(failure);
  });
});

describe(`${RedshiftWarehouseSession.name} repairs beside the live warehouse`, () => {
  const transactionOf = (sent: Sent[]) => {
    const begin = sent.findIndex((s) => /^BEGIN\b/.test(s.text));
    const commit = sent.findIndex((s) => s.text === 'COMMIT');
    return { before: sent.slice(0, begin), inside: sent.slice(begin + 1, commit), after: sent.slice(commit + 1) };
  };

  it("makes its tables LIKE the live ones outside any transaction, and copies a window run's in one", async () => {
    const { client, sent } = recordingClient();
    await session(client).prepareShadow(true);

    const { before, inside, after } = transactionOf(sent);
    expect(before.map((s) => code(s.text))).toEqual([
      ...SWAPPED_TABLES.map((table) => `DROP TABLE IF EXISTS ${table}_old`),
      ...SHADOWED_TABLES.flatMap((table) => [
        `DROP TABLE IF EXISTS ${table}_next`,
        `CREATE TABLE ${table}_next (LIKE ${table} INCLUDING DEFAULTS)`,
      ]),
    ]);
    // Redshift's transactions read one snapshot from their first statement
    expect(sent[before.length].text).toBe('BEGIN');
    expect(inside.map((s) => code(s.text))).toEqual([
      ...SWAPPED_TABLES.map((table) => `INSERT INTO ${table}_next SELECT * FROM ${table}`),
      expect.stringMatching(
        /^INSERT INTO stg\.load_next \(.*\) SELECT 0, .* FROM stg\.load WHERE run_id = \(SELECT MAX\(run_id\) FROM stg\.load\)$/,
      ),
    ]);
    expect(after.map((s) => code(s.text))).toEqual(SWAPPED_TABLES.map((table) => `ANALYZE ${table}_next`));
  });

  it('swaps in one transaction that starts with LOCK stg.load_lock and only renames and records; the old tables go after it', async () => {
    const { client, sent } = recordingClient((text) =>
      /^INSERT INTO stg\.load \(/.test(code(text)) ? { rows: [], rowCount: 1 } : undefined,
    );
    const swapped = session(client);
    await swapped.swapShadow(42, 'rebuild', 1234);
    expect(await swapped.dropReplaced()).toEqual({ left: [] });

    const { before, inside, after } = transactionOf(sent);
    expect(before).toEqual([]);
    expect(inside.map((s) => code(s.text))).toEqual([
      'LOCK stg.load_lock',
      ...SWAPPED_TABLES.flatMap((table) => [
        `ALTER TABLE ${table} RENAME TO ${bareName(table)}_old`,
        `ALTER TABLE ${table}_next RENAME TO ${bareName(table)}`,
      ]),
      expect.stringMatching(
        /^INSERT INTO stg\.load \(.*\) SELECT .* FROM stg\.load_next WHERE run_id = \$1 ORDER BY loaded_at DESC, resume_after_id DESC LIMIT 1$/,
      ),
      'DELETE FROM stg.load WHERE run_id > $1',
    ]);
    expect(inside.filter((s) => SELF_COMMITTING.test(code(s.text)))).toEqual([]);
    expect(inside.at(-2)?.values).toEqual([42, 'rebuild', 1234]);
    expect(after.map((s) => code(s.text))).toEqual([
      ...SWAPPED_TABLES.map((table) => `DROP TABLE IF EXISTS ${table}_old`),
      ...SHADOWED_TABLES.map((table) => `DROP TABLE IF EXISTS ${table}_next`),
    ]);
  });

  it('rolls the swap back when its load record beside the live tables is missing', async () => {
    const { client, sent } = recordingClient((text) =>
      /^INSERT INTO stg\.load \(/.test(code(text)) ? { rows: [], rowCount: 0 } : undefined,
    );
    await expect(session(client).swapShadow(42, 'window', 10)).rejects.toThrow(
      "the repair's load record is missing beside the live tables (stg.load_next, run 42)",
    );
    expect(sent.at(-1)?.text).toBe('ROLLBACK');
  });

  it('rolls the swap back, and drops nothing, when a statement in it fails', async () => {
    const failure = new Error('serializable isolation violation');
    const { client, sent } = recordingClient((text) => {
      if (/RENAME TO adjust\b/.test(code(text))) throw failure;
    });
    await expect(session(client).swapShadow(42, 'window', 10)).rejects.toBe(failure);
    expect(sent.at(-1)?.text).toBe('ROLLBACK');
    expect(sent.filter((s) => /^DROP\b/.test(code(s.text)))).toEqual([]);
  });
});

describe(`${RedshiftWarehouseSession.name} maintainIfDue`, () => {
  const HOUR = 3_600_000;
  const NOW = new Date('2026-11-20T12:00:00Z');

  function maintainedAt(at: Date | null) {
    return recordingClient((text) => {
      if (nameOf(text) === 'etl/warehouse/last-maintained') return { rows: [{ maintained_at: at }] };
    });
  }

  // every statement sent while a transaction was open
  function inTransaction(names: string[]): string[] {
    let open = false;
    return names.filter((name) => {
      if (name === 'BEGIN') open = true;
      if (name === 'COMMIT' || name === 'ROLLBACK') open = false;
      return open && name !== 'BEGIN';
    });
  }

  it('runs VACUUM of stg.adjust and the tables loads delete from, and ANALYZE, outside any transaction, then notes it', async () => {
    const { client, sent } = maintainedAt(null);
    await expect(session(client).maintainIfDue(42, NOW, 6 * HOUR)).resolves.toBe(true);
    const names = sent.map((s) => nameOf(s.text));
    expect(names).toEqual([
      'etl/warehouse/last-maintained',
      'etl/warehouse/redshift/tables-not-owned',
      'etl/warehouse/redshift/vacuum',
      'VACUUM stg.daily_installs',
      'VACUUM stg.daily_counts',
      'VACUUM stg.active_device',
      'VACUUM stg.active_change',
      'VACUUM stg.cohort_device',
      'VACUUM stg.daily_retention',
      'VACUUM stg.load',
      'etl/warehouse/redshift/analyze',
      'etl/warehouse/mark-maintained',
    ]);
    expect(code(sent[2].text)).toBe('VACUUM stg.adjust');
    expect(code(sent[10].text)).toBe('ANALYZE stg.adjust');
    expect(sent[11].values).toEqual([42]);
  });

  // Redshift keeps deleted rows until a VACUUM (redshift.md §7, finding 8): every table the loads' SQL
  // deletes from is vacuumed, but for the settings a refresh rewrites only when they change (a row or few).
  it('vacuums every table whose rows loads delete', async () => {
    const files = [...listSqlFiles(path.join(SQL_ROOT, 'etl/warehouse')), ...listSqlFiles(path.join(SQL_ROOT, 'metrics/refresh'))];
    const deleted = new Set(
      files.flatMap((file) =>
        [...stripSqlComments(readFileSync(file, 'utf8')).matchAll(/\bDELETE\s+FROM\s+(stg\.\w+)/gi)].map((m) => m[1]),
      ),
    );
    // refresh/merge/delete.sql deletes from {table}: each rollup a refresh merges changes into; and
    // refresh/full-build/clear.sql from each of ROLLUP_TABLES
    for (const rollup of [DAILY_INSTALLS, DAILY_COUNTS, ACTIVE_CHANGE, DAILY_RETENTION]) deleted.add(rollup.table);
    for (const table of ROLLUP_TABLES) deleted.add(table);
    for (const settings of ['stg.rollup_build', 'stg.registration_event']) expect(deleted.delete(settings)).toBe(true);

    const { client, sent } = maintainedAt(null);
    await session(client).maintainIfDue(42, NOW, 6 * HOUR);
    const vacuumed = sent.map((s) => code(s.text)).flatMap((text) => /^VACUUM (\S+)$/.exec(text)?.[1] ?? []);
    expect(vacuumed.sort()).toEqual([...deleted].sort());
  });

  // Without ownership Redshift's VACUUM and ANALYZE succeed doing nothing (redshift.md §7, finding 9):
  // the maintenance fails, naming the tables, and is not noted as done, so the next run tries again.
  it('runs no VACUUM and notes nothing when this user does not own every stg table', async () => {
    const { client, sent } = recordingClient((text) => {
      if (nameOf(text) === 'etl/warehouse/last-maintained') return { rows: [{ maintained_at: null }] };
      if (nameOf(text) === 'etl/warehouse/redshift/tables-not-owned')
        return { rows: [{ table_name: 'stg.adjust' }, { table_name: 'stg.load' }] };
    });
    await expect(session(client).maintainIfDue(42, NOW, 6 * HOUR)).rejects.toThrow(
      'VACUUM and ANALYZE need the owner of stg.adjust, stg.load, which this user is not',
    );
    expect(sent.map((s) => nameOf(s.text))).toEqual(['etl/warehouse/last-maintained', 'etl/warehouse/redshift/tables-not-owned']);
  });

  it('does nothing while the last maintenance is recent', async () => {
    const { client, sent } = maintainedAt(new Date(NOW.getTime() - HOUR));
    await expect(session(client).maintainIfDue(42, NOW, 6 * HOUR)).resolves.toBe(false);
    expect(sent.map((s) => nameOf(s.text))).toEqual(['etl/warehouse/last-maintained']);
  });

  it('runs again once the interval has passed', async () => {
    const { client, sent } = maintainedAt(new Date(NOW.getTime() - 7 * HOUR));
    await expect(session(client).maintainIfDue(42, NOW, 6 * HOUR)).resolves.toBe(true);
    expect(sent.map((s) => nameOf(s.text))).toContain('etl/warehouse/redshift/vacuum');
  });

  it('runs after the merge has committed, not inside it', async () => {
    const { client, sent } = maintainedAt(null);
    const warehouse = session(client);
    await merge(warehouse, sent, mergePlan('window', 3), async () => undefined);
    await warehouse.maintainIfDue(42, NOW, 6 * HOUR);
    const names = sent.map((s) => nameOf(s.text));
    expect(names).toContain('etl/warehouse/redshift/vacuum');
    expect(inTransaction(names).filter((name) => /vacuum|analyze|maintained/i.test(name))).toEqual([]);
  });
});
