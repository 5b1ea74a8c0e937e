import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { SqlCatalog } from '../../src/database/sql-catalog.js';
import type { EtlRunView } from '../../src/etl/etl-run.js';
import { EtlService } from '../../src/etl/etl.service.js';
import { Stager } from '../../src/etl/stage/stager.js';
import { eventCallback, installCallback, NOW_EPOCH, sessionCallback } from '../support/adjust-callbacks.js';
import { expectConverged, query, runEtl, storeCallbacks } from '../support/etl.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe(EtlService.name, () => {
  let app: TestApp;
  // what happens once a repair has made its tables beside the live ones
  let afterPrepare: (() => Promise<unknown>) | null = null;

  beforeAll(async () => {
    app = await startTestApp(
      { STAGE_PART_SIZE_MB: '1', STAGE_RETENTION_DAYS: '2' },
      { etlStepHook: async (step) => void (step === 'prepare' && (await afterPrepare?.())) },
    );
  });

  afterAll(async () => {
    await app.close();
  });

  it('loads every stored activity into the warehouse and records the run', async () => {
    await storeCallbacks(app, [installCallback(), sessionCallback(), eventCallback()]);
    const run = await runEtl(app);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'arrival', rowsExtracted: 3, rowsLoaded: 3, stagedFiles: 1, error: null });
    expect(run.daysRefreshed).toEqual(['2026-11-20']);
    await expectConverged(app);
  });

  it('loads only what arrived since, and a second run with nothing new changes nothing', async () => {
    await storeCallbacks(app, [installCallback({ created_at: String(NOW_EPOCH - 40 * 86_400) })]);
    const late = await runEtl(app);
    expect(late.status).toBe('succeeded');
    expect(late.daysRefreshed).toContain('2026-10-11');
    await expectConverged(app);
    const again = await runEtl(app);
    expect(again.status).toBe('succeeded');
    await expectConverged(app);
    const [{ count }] = await query(app.databases.warehouseUrl, 'SELECT count(*)::int AS count FROM stg.adjust');
    expect(count).toBe(4);
  });

  it('cuts the staged text into parts of STAGE_PART_SIZE_MB, which hold exactly the rows the warehouse loaded', async () => {
    // 3,000 callbacks with a 1 kB app parameter: several MB of text, so several 1 MB parts
    const padding = 'p'.repeat(1000);
    await storeCallbacks(
      app,
      Array.from({ length: 3000 }, (_, i) => sessionCallback({ created_at: String(NOW_EPOCH - i), user_note: padding })),
    );
    const run = await runEtl(app);
    expect(run.status).toBe('succeeded');
    const manifest = JSON.parse(await readFile(path.join(await runFolder(run), 'manifest.json'), 'utf8'));
    const parts: Buffer[] = await Promise.all(
      manifest.entries.map(async (entry: { url: string }) => gunzipSync(await readFile(fileURLToPath(entry.url)))),
    );
    expect(parts.length).toBe(run.stagedFiles);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    // every part but the last is cut at the first line end after 1 MiB of text
    for (const part of parts.slice(0, -1)) {
      expect(part.length).toBeGreaterThanOrEqual(MIB);
      expect(part.length).toBeLessThan(MIB + 256 * 1024);
    }
    expect(parts.every((part) => part.at(-1) === 0x0a)).toBe(true);
    expect(parts.reduce((lines, part) => lines + part.toString().split('\n').length - 1, 0)).toBe(run.rowsExtracted);
    // the warehouse's COPY read the text as it was staged, not the parts: the parts must hold the same rows
    const stagedIds = new Set(
      parts.flatMap((part) =>
        part
          .toString()
          .split('\n')
          .slice(0, -1)
          .map((line) => line.split('|')[0]),
      ),
    );
    expect(stagedIds.size).toBe(run.rowsExtracted);
    const [{ loaded }] = await query(
      app.databases.warehouseUrl,
      'SELECT count(*)::int AS loaded FROM stg.adjust WHERE id = ANY($1::bigint[])',
      [[...stagedIds]],
    );
    expect(loaded).toBe(stagedIds.size);
    expect(manifest.entries.every((entry: { mandatory: boolean }) => entry.mandatory)).toBe(true);
    await expectConverged(app);
  });

  it('deletes staged runs older than STAGE_RETENTION_DAYS and keeps newer ones, looking at most once an hour', async () => {
    const runFolders = () => readdir(path.join(stageDir(), 'runs'));
    const stage = async (name: string) => {
      await mkdir(path.join(stageDir(), 'runs', name), { recursive: true });
      await writeFile(path.join(stageDir(), 'runs', name, 'part-00000.gz'), 'x');
    };
    const recent = `${compactNow(-86_400_000)}-run-2`;
    await stage('20200101T000000Z-run-1');
    await stage(recent);
    const stager = app.app.get(Stager);
    // later than any sweep the runs before did
    const sweep = new Date(Date.now() + 2 * 3_600_000);
    await stager.deleteExpiredIfDue(sweep);
    expect(await runFolders()).not.toContain('20200101T000000Z-run-1');
    expect(await runFolders()).toContain(recent);

    await stage('20200102T000000Z-run-3');
    await stager.deleteExpiredIfDue(new Date(sweep.getTime() + 59 * 60_000));
    expect(await runFolders()).toContain('20200102T000000Z-run-3');
    await stager.deleteExpiredIfDue(new Date(sweep.getTime() + 61 * 60_000));
    expect(await runFolders()).not.toContain('20200102T000000Z-run-3');
    expect(await runFolders()).toContain(recent);
  });

  it('stops the extract soon after the warehouse refuses the COPY, and changes nothing', async () => {
    const padding = 'q'.repeat(1000);
    await storeCallbacks(
      app,
      Array.from({ length: 5000 }, (_, i) => sessionCallback({ created_at: String(NOW_EPOCH - 7 * 86_400 - i), user_note: padding })),
    );
    const before = await query(app.databases.warehouseUrl, 'SELECT count(*)::int AS count FROM stg.adjust');
    await query(
      app.databases.warehouseUrl,
      `CREATE FUNCTION public.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$`,
    );
    // a rebuild copies straight into the stg.adjust it builds beside the live one (an arrival load copies
    // into its staging table first)
    afterPrepare = () =>
      query(
        app.databases.warehouseUrl,
        'CREATE TRIGGER refuse BEFORE INSERT ON stg.adjust_next FOR EACH ROW EXECUTE FUNCTION public.refuse()',
      );
    try {
      const run = await runEtl(app, { mode: 'rebuild' });
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/^extract failed: .*refused by a test trigger/);
      // about 6 MB of text: without the early stop the extract would write 6 parts of 1 MB
      const written = (await readdir(await runFolder(run))).filter((name) => name.endsWith('.gz'));
      expect(written.length).toBeLessThan(4);
    } finally {
      afterPrepare = null;
      await query(app.databases.warehouseUrl, 'DROP FUNCTION public.refuse() CASCADE');
    }
    expect(await query(app.databases.warehouseUrl, 'SELECT count(*)::int AS count FROM stg.adjust')).toEqual(before);
    expect((await runEtl(app)).status).toBe('succeeded');
    await expectConverged(app);
  });

  it("lifts the source's 30 s statement timeout for the extract's transaction only (a full load streams for minutes)", async () => {
    const client = new pg.Client({ connectionString: app.databases.sourceUrl, options: '-c statement_timeout=30000' });
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(app.app.get(SqlCatalog).get('etl/extract/set-bounds'), ['0', null]);
      expect((await client.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('0');
      await client.query('COMMIT');
      expect((await client.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('30s');
    } finally {
      await client.end();
    }
  });

  function stageDir(): string {
    return fileURLToPath(app.config.stageUrl);
  }

  async function runFolder(run: EtlRunView): Promise<string> {
    const folders = await readdir(path.join(stageDir(), 'runs'));
    const folder = folders.find((name) => name.endsWith(`-run-${run.id}`));
    if (!folder) throw new Error(`no staged folder for run ${run.id} among ${folders.join(', ')}`);
    return path.join(stageDir(), 'runs', folder);
  }
});

const MIB = 1024 * 1024;

function compactNow(offsetMs: number): string {
  return new Date(Date.now() + offsetMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
