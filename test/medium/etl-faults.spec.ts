import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { EtlStep } from '../../src/etl/etl-run.js';
import { EtlService } from '../../src/etl/etl.service.js';
import type { Manifest } from '../../src/etl/stage/manifest.js';
import { eventCallback, installCallback, NOW_EPOCH, sessionCallback } from '../support/adjust-callbacks.js';
import { adminQuery } from '../support/databases.js';
import { expectConverged, insertUncommitted, query, runEtl, storeCallbacks, tableDigest } from '../support/etl.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const DAY_SECONDS = 86_400;

// What a failed run must leave untouched: the rows and the load records (with the resume point).
async function warehouseState(app: TestApp) {
  return {
    adjust: await tableDigest(app.databases.warehouseUrl, 'stg.adjust'),
    loads: await query(app.databases.warehouseUrl, 'SELECT * FROM stg.load ORDER BY run_id'),
  };
}

async function sourceId(app: TestApp, adid: string): Promise<string> {
  const [row] = await query<{ id: string }>(app.databases.sourceUrl, 'SELECT id FROM mob.adjust WHERE adid = $1', [adid]);
  return row.id;
}

async function lastResumePoint(app: TestApp): Promise<string> {
  const [row] = await query<{ resume_after_id: string }>(
    app.databases.warehouseUrl,
    'SELECT resume_after_id FROM stg.load ORDER BY loaded_at DESC, run_id DESC LIMIT 1',
  );
  return row.resume_after_id;
}

async function lastResumeSnapshot(app: TestApp): Promise<string> {
  const [row] = await query<{ resume_snapshot: string }>(
    app.databases.warehouseUrl,
    'SELECT resume_snapshot FROM stg.load ORDER BY run_id DESC LIMIT 1',
  );
  return row.resume_snapshot;
}

// The longest run of whole characters from the start of `text` that fits in `bytes` bytes of UTF-8.
function fitBytes(text: string, bytes: number): string {
  let used = 0;
  let fitted = '';
  for (const char of text) {
    used += Buffer.byteLength(char);
    if (used > bytes) break;
    fitted += char;
  }
  return fitted;
}

describe(`${EtlService.name} under faults and awkward data`, () => {
  let app: TestApp;
  // the step after which the next run fails (read by the step hook), or null
  let failAfter: EtlStep | null = null;
  // something that happens after a step (the merge's: inside its transaction) while the run goes on
  let meanwhile: { step: EtlStep; action: () => Promise<unknown> } | null = null;

  beforeAll(async () => {
    app = await startTestApp(
      {},
      {
        etlStepHook: async (step) => {
          if (step === failAfter) throw new Error(`injected fault after ${step}`);
          if (step === meanwhile?.step) await meanwhile.action();
        },
      },
    );
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(['extract', 'stage', 'load', 'merge'] as const)(
    'a failure after %s fails the run naming the step, leaves the warehouse exactly as it was, and the next run catches up',
    async (step) => {
      await storeCallbacks(app, [installCallback(), sessionCallback()]);
      const before = await warehouseState(app);
      failAfter = step;
      try {
        const failed = await runEtl(app);
        expect(failed).toMatchObject({ status: 'failed', error: `${step} failed: injected fault after ${step}` });
      } finally {
        failAfter = null;
      }
      expect(await warehouseState(app)).toEqual(before);
      expect(await runEtl(app)).toMatchObject({ status: 'succeeded', error: null });
      await expectConverged(app);
    },
  );

  it('fails a run naming the warehouse while the warehouse refuses connections, and catches up once it is back', async () => {
    await storeCallbacks(app, [eventCallback()]);
    const database = new URL(app.databases.warehouseUrl).pathname.slice(1);
    const before = await warehouseState(app);
    await adminQuery(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    try {
      await adminQuery('SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
        database,
      ]);
      const failed = await runEtl(app);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/warehouse/i);
      expect(failed.error).toContain(database);
    } finally {
      await adminQuery(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    }
    expect(await warehouseState(app)).toEqual(before);
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', error: null });
    await expectConverged(app);
  });

  it('fails a run naming the warehouse when the warehouse drops its connection mid-run, and the service lives on', async () => {
    await storeCallbacks(app, [installCallback()]);
    const database = new URL(app.databases.warehouseUrl).pathname.slice(1);
    const before = await warehouseState(app);
    // the run's warehouse session sits idle while it extracts and stages
    const terminate = 'SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()';
    meanwhile = { step: 'extract', action: () => adminQuery(terminate, [database]) };
    try {
      const failed = await runEtl(app);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^load failed: .*warehouse connection lost/);
      expect(failed.error).toContain(database);
    } finally {
      meanwhile = null;
    }
    expect(await warehouseState(app)).toEqual(before);
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', error: null });
    await expectConverged(app);
  });

  it('fails a run before its merge commits when the lease’s source connection is lost mid-run', async () => {
    await storeCallbacks(app, [installCallback()]);
    const database = new URL(app.databases.sourceUrl).pathname.slice(1);
    const before = await warehouseState(app);
    const terminateLease = `SELECT pg_terminate_backend(pid, 5000) FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`;
    meanwhile = { step: 'load', action: () => adminQuery(terminateLease, [database]) };
    try {
      const failed = await runEtl(app);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^merge failed: the ETL lease was lost with its source connection/);
    } finally {
      meanwhile = null;
    }
    expect(await warehouseState(app)).toEqual(before);
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', error: null });
    await expectConverged(app);
  });

  it('loads a row whose transaction commits after rows with higher ids were loaded (commits out of id order)', async () => {
    expect((await runEtl(app)).status).toBe('succeeded');
    const held = await insertUncommitted(app, installCallback());
    try {
      const later = [installCallback(), eventCallback()];
      await storeCallbacks(app, later);
      const laterIds = await Promise.all(later.map((callback) => sourceId(app, callback.get('adid')!)));
      expect(laterIds.every((id) => BigInt(id) > BigInt(held.id))).toBe(true);

      const first = await runEtl(app);
      expect(first.status).toBe('succeeded');
      const loaded = await query<{ id: string }>(app.databases.warehouseUrl, 'SELECT id FROM stg.adjust WHERE id >= $1 ORDER BY id', [
        held.id,
      ]);
      expect(loaded.map((row) => row.id)).toEqual(laterIds);
      // the resume point moves past the row still in flight, and its snapshot names that row's transaction
      expect(BigInt(await lastResumePoint(app))).toBeGreaterThan(BigInt(held.id));
      const [{ xid }] = (await held.client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows;
      expect(await lastResumeSnapshot(app)).toMatch(new RegExp(`^\\d+:\\d+:(.*,)?${xid}(,.*)?$`));

      await held.client.query('COMMIT');
    } finally {
      await held.client.end();
    }
    expect((await runEtl(app)).status).toBe('succeeded');
    const [row] = await query(app.databases.warehouseUrl, 'SELECT id FROM stg.adjust WHERE id = $1', [held.id]);
    expect(row).toBeDefined();
    await expectConverged(app);
  });

  it('files a late activity (created 200 days before it arrives) under its own day', async () => {
    expect((await runEtl(app)).status).toBe('succeeded');
    const createdAt = NOW_EPOCH - 200 * DAY_SECONDS;
    const day = new Date(createdAt * 1000).toISOString().slice(0, 10);
    const late = installCallback({ created_at: String(createdAt) });
    await storeCallbacks(app, [late]);

    const run = await runEtl(app);
    expect(run).toMatchObject({ status: 'succeeded', rowsExtracted: 1, rowsLoaded: 1, daysRefreshed: [day] });
    const [row] = await query<{ day: string }>(
      app.databases.warehouseUrl,
      `SELECT to_char(created_at, 'YYYY-MM-DD') AS day FROM stg.adjust WHERE id = $1`,
      [await sourceId(app, late.get('adid')!)],
    );
    expect(row.day).toBe(day);
    await expectConverged(app);
  });

  it('carries awkward text from the source through the staged file into the warehouse exactly', async () => {
    // what the collector stores for invalid UTF-8 in a percent-escape: U+FFFD per bad byte
    const replacement = new URLSearchParams('v=%FF%FE').get('v')!;
    expect(replacement).toBe('\uFFFD\uFFFD');
    // 1 byte, then 7-byte '€😀' pairs: 1 + 146 × 7 = 1023 bytes, and the next '€' would end past byte 1024
    const campaign = `a${'€😀'.repeat(1500)}`;
    const payload = `|\\\\N\\N\t\r\n${replacement}😀€ "quoted" {json}`.repeat(400);
    const values = {
      adgroup_name: 'pipe|and back\\slash, ending in a backslash\\',
      creative_name: '\\N',
      network_name: '\\\\N',
      tracker_name: 'tab\there, CR\rLF\nCRLF\r\nend',
      device_name: `Pixel ${replacement} 📱😀`,
      event_name: 'backspace\b form feed\f vertical tab\v',
      campaign_name: campaign,
    };
    const callback = eventCallback({ ...values, idfa: '', payload });
    await storeCallbacks(app, [callback]);
    const id = await sourceId(app, callback.get('adid')!);
    try {
      const columns = [...Object.keys(values), 'idfa'].join(', ');
      const [source] = await query(
        app.databases.sourceUrl,
        `SELECT ${columns}, extra, extra::text AS extra_text FROM mob.adjust WHERE id = $1`,
        [id],
      );
      // the source keeps what arrived, unchanged
      expect(source).toMatchObject({ ...values, idfa: null, extra: { user_id: '42', payload } });
      expect(Buffer.byteLength(payload)).toBeGreaterThan(10_000);
      expect(Buffer.byteLength(source.extra_text)).toBeLessThan(65_535);

      expect((await runEtl(app)).status).toBe('succeeded');
      const [warehouse] = await query(app.databases.warehouseUrl, `SELECT ${columns}, extra FROM stg.adjust WHERE id = $1`, [id]);
      const fittedCampaign = fitBytes(campaign, 1024);
      expect(Buffer.byteLength(fittedCampaign)).toBe(1023);
      expect(warehouse).toEqual({
        ...values,
        // line breaks inside a value are dropped on the way; tabs and other control characters stay
        tracker_name: 'tab\there, CRLFCRLFend',
        // VARCHAR(1024) counts bytes: cut on a character boundary
        campaign_name: fittedCampaign,
        idfa: null,
        // extra is the source's JSON text, within VARCHAR(65535): every character survives
        extra: source.extra_text,
      });
      expect(JSON.parse(warehouse.extra)).toEqual(source.extra);
    } finally {
      // this row differs from its source on purpose (line breaks dropped, campaign cut), which
      // expectConverged's exact comparison would report: take it out on both sides
      await query(app.databases.sourceUrl, 'DELETE FROM mob.adjust WHERE id = $1', [id]);
      await query(app.databases.warehouseUrl, 'DELETE FROM stg.adjust WHERE id = $1', [id]);
    }
    await expectConverged(app);
  });

  it('repairs differences inside the window with a window-mode run, and everywhere with a rebuild', async () => {
    const now = Math.floor(Date.now() / 1000);
    const inside = installCallback({ created_at: String(now - 3600) });
    const outside = installCallback({ created_at: String(now - 10 * DAY_SECONDS) });
    await storeCallbacks(app, [inside, outside]);
    expect((await runEtl(app)).status).toBe('succeeded');
    // the resume point lies past both rows: an arrival-mode run reads neither again
    expect((await runEtl(app)).status).toBe('succeeded');
    const insideId = await sourceId(app, inside.get('adid')!);
    const outsideId = await sourceId(app, outside.get('adid')!);
    expect(BigInt(await lastResumePoint(app))).toBeGreaterThanOrEqual(BigInt(insideId));
    expect(BigInt(await lastResumePoint(app))).toBeGreaterThanOrEqual(BigInt(outsideId));

    // differences on both sides of the window's start: a row missing, a row altered, a row the source
    // does not have (a copy of the row under an id no source row takes, below the resume point, where
    // an arrival-mode run does not look)
    const stray = (id: string) => String(-BigInt(id));
    const COPY_ROW = `INSERT INTO stg.adjust SELECT (jsonb_populate_record(s, jsonb_build_object('id', $1::bigint))).* FROM stg.adjust s WHERE id = $2`;
    await query(app.databases.warehouseUrl, COPY_ROW, [stray(insideId), insideId]);
    await query(app.databases.warehouseUrl, 'DELETE FROM stg.adjust WHERE id = $1', [insideId]);
    await query(app.databases.warehouseUrl, `UPDATE stg.adjust SET campaign_name = 'tampered' WHERE id = $1`, [outsideId]);
    await query(app.databases.warehouseUrl, COPY_ROW, [stray(outsideId), outsideId]);
    const present = async (id: string) =>
      (await query(app.databases.warehouseUrl, 'SELECT 1 FROM stg.adjust WHERE id = $1', [id])).length === 1;
    // an arrival-mode run repairs none of it
    expect((await runEtl(app)).status).toBe('succeeded');
    expect(await present(insideId)).toBe(false);
    expect(await present(stray(insideId))).toBe(true);

    const window = await runEtl(app, { mode: 'window', windowDays: 3 });
    expect(window).toMatchObject({ status: 'succeeded', mode: 'window' });
    const today = window.startedAt.slice(0, 10);
    const windowDays = [-2, -1, 0].map((offset) => new Date(Date.parse(today) + offset * DAY_SECONDS * 1000).toISOString().slice(0, 10));
    expect(window.daysRefreshed).toEqual(expect.arrayContaining(windowDays));
    const campaignOf = async (id: string) =>
      (await query(app.databases.warehouseUrl, 'SELECT campaign_name FROM stg.adjust WHERE id = $1', [id]))[0]?.campaign_name;
    expect(await campaignOf(insideId)).toBe('Christmas');
    expect(await present(stray(insideId))).toBe(false);
    expect(await campaignOf(outsideId)).toBe('tampered');
    expect(await present(stray(outsideId))).toBe(true);
    await expect(expectConverged(app)).rejects.toThrow(/warehouse differs/);

    expect(await runEtl(app, { mode: 'rebuild' })).toMatchObject({ status: 'succeeded', mode: 'rebuild' });
    expect(await campaignOf(outsideId)).toBe('Christmas');
    expect(await present(stray(outsideId))).toBe(false);
    await expectConverged(app);
  });
});

describe(`${EtlService.name} staging on S3`, () => {
  const BUCKET = 'kpi-etl-stage';
  let directory: string;
  let s3: S3Server;
  let app: TestApp;
  let client: S3Client;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'kpi-etl-s3rver-'));
    s3 = await startS3Server({ bucket: BUCKET, directory });
    // the SDK's default chain reads these, as it would read a task role in production
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    process.env.AWS_REGION = 'us-east-1';
    app = await startTestApp({ STAGE_URL: `s3://${BUCKET}/stage`, S3_ENDPOINT: s3.endpoint, STAGE_PART_SIZE_MB: '1' });
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true });
  });

  afterAll(async () => {
    client?.destroy();
    await app?.close();
    await s3?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  async function objectsOfRun(runId: number): Promise<{ key: string; size: number }[]> {
    const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'stage/runs/' }));
    return Contents.filter((object) => object.Key!.split('/')[2].endsWith(`-run-${runId}`))
      .map((object) => ({ key: object.Key!, size: object.Size! }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  it('stages the parts and their manifest on S3, and the manifest lists exactly the run’s parts', async () => {
    // ~1.3 MB of text with 1 MB parts: more than one part
    const bulky = Array.from({ length: 130 }, () => eventCallback({ payload: 'x'.repeat(10_000) }));
    await storeCallbacks(app, bulky);
    const run = await runEtl(app);
    expect(run).toMatchObject({ status: 'succeeded', rowsLoaded: 130, error: null });
    expect(run.stagedFiles).toBeGreaterThan(1);
    await expectConverged(app);

    const objects = await objectsOfRun(run.id);
    const partNames = Array.from({ length: run.stagedFiles }, (_, index) => `part-${String(index).padStart(5, '0')}.gz`);
    expect(objects.map((object) => object.key.split('/').pop())).toEqual(['manifest.json', ...partNames]);
    const [manifestObject, ...parts] = objects;
    const { Body } = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: manifestObject.key }));
    const manifest = JSON.parse(await Body!.transformToString()) as Manifest;
    expect(manifest.entries).toEqual(
      parts.map((part) => ({ url: `s3://${BUCKET}/${part.key}`, mandatory: true, meta: { content_length: part.size } })),
    );
  });

  it('fails a run naming the S3 stage while S3 is down, keeps serving, and catches up once S3 is back', async () => {
    await storeCallbacks(app, [installCallback()]);
    await s3.stop();
    try {
      const failed = await runEtl(app);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^extract failed: /);
      expect(failed.error).toContain(`S3 stage s3://${BUCKET}/stage unreachable`);
      const runs = await request(app.app.getHttpServer()).get('/api/v1/etl/runs').set('X-API-Key', ADMIN_KEY);
      expect(runs.status).toBe(200);
      expect(runs.body[0]).toMatchObject({ id: failed.id, status: 'failed' });
    } finally {
      await s3.restart();
    }
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', error: null });
    await expectConverged(app);
  });
});
