import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { HealthController } from '../../src/health/health.controller.js';
import { adminQuery } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const databaseName = (url: string) => new URL(url).pathname.slice(1);

describe(HealthController.name, () => {
  describe('with both databases up', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('reports both databases up and no load yet, without a key', async () => {
      const res = await request(t.app.getHttpServer()).get('/api/v1/health').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.info.source.status).toBe('up');
      expect(res.body.info.warehouse.status).toBe('up');
      expect(res.body.info.lastLoad).toMatchObject({ at: null, ageSeconds: null });
      expect(res.body.info.lastRun).toMatchObject({ status: 'up', run: null });
    });

    it('names every answer with a request id, keeping a sane one sent by a proxy', async () => {
      const fresh = await request(t.app.getHttpServer()).get('/api/v1/health').expect(200);
      expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await request(t.app.getHttpServer()).get('/api/v1/health').set('X-Request-Id', 'lb-1234.abc').expect(200);
      expect(kept.headers['x-request-id']).toBe('lb-1234.abc');
      const replaced = await request(t.app.getHttpServer()).get('/api/v1/health').set('X-Request-Id', 'bad id\twith spaces').expect(200);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('reports the end and age of the last successful load, ignoring later failed runs', async () => {
      const source = databaseName(t.databases.sourceUrl);
      const [loaded] = await adminQuery<{ finished_at: Date }>(
        `INSERT INTO mob.etl_run (status, trigger, started_at, finished_at)
         VALUES ('succeeded', 'schedule', now() - interval '100 seconds', now() - interval '90 seconds')
         RETURNING finished_at`,
        [],
        source,
      );
      await adminQuery(
        `INSERT INTO mob.etl_run (status, trigger, started_at, finished_at, error)
         VALUES ('failed', 'schedule', now() - interval '20 seconds', now() - interval '10 seconds', 'warehouse unreachable')`,
        [],
        source,
      );

      const res = await request(t.app.getHttpServer()).get('/api/v1/health').expect(200);

      expect(res.body.info.lastLoad.at).toBe(loaded.finished_at.toISOString());
      expect(res.body.info.lastLoad.ageSeconds).toBeGreaterThanOrEqual(90);
      expect(res.body.info.lastLoad.ageSeconds).toBeLessThan(120);
      // the latest run failed: health says so (still 200, the last good data is served), without its error
      expect(res.body.info.lastRun.run).toEqual({
        id: expect.any(Number),
        status: 'failed',
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
      });
    });
  });

  describe('with the warehouse down', () => {
    let t: TestApp;
    let dir: string;
    let warehouse: EmbeddedPostgres;
    beforeAll(async () => {
      // a warehouse server of its own, so stopping it leaves the shared test server alone
      dir = await mkdtemp(path.join(os.tmpdir(), 'kpi-warehouse-'));
      warehouse = new EmbeddedPostgres(path.join(dir, 'postgres'), 'warehouse-password', ['-c', 'fsync=off']);
      await warehouse.start();
      t = await startTestApp({ WAREHOUSE_URL: warehouse.url });
    });
    afterAll(async () => {
      await t?.close();
      await warehouse?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('answers 503 naming the warehouse while the source stays up', async () => {
      await request(t.app.getHttpServer()).get('/api/v1/health').expect(200);
      await warehouse.stop();

      const res = await request(t.app.getHttpServer()).get('/api/v1/health').expect(503);

      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', status: 'error' });
      expect(res.body.message).toMatch(/^warehouse is down/);
      expect(res.body.message).not.toMatch(/source/);
      expect(res.body.details.warehouse.status).toBe('down');
      expect(res.body.details.source.status).toBe('up');
      expect(res.body.info.source.status).toBe('up');
    });
  });

  describe('with the source database down', () => {
    let t: TestApp;
    let dir: string;
    let source: EmbeddedPostgres;
    beforeAll(async () => {
      // a source server of its own, so stopping it leaves the shared test server (and the warehouse) alone
      dir = await mkdtemp(path.join(os.tmpdir(), 'kpi-source-'));
      source = new EmbeddedPostgres(path.join(dir, 'postgres'), 'source-password', ['-c', 'fsync=off']);
      await source.start();
      t = await startTestApp({ DATABASE_URL: source.url });
    });
    afterAll(async () => {
      await t?.close();
      await source?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('answers 503 naming the source while the warehouse stays up, without the driver error or where the server listens', async () => {
      await request(t.app.getHttpServer()).get('/api/v1/health').expect(200);
      await source.stop();

      const res = await request(t.app.getHttpServer()).get('/api/v1/health').expect(503);

      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', status: 'error' });
      expect(res.body.message).toMatch(/^source is down/);
      expect(res.body.message).not.toMatch(/warehouse/);
      expect(res.body.details.source.status).toBe('down');
      expect(res.body.details.warehouse.status).toBe('up');
      expect(res.body.info.warehouse.status).toBe('up');
      // the answer is public: it says what is down, never how the driver failed or where the database is
      expect(res.text).not.toContain('ECONNREFUSED');
      expect(res.text).not.toMatch(/password/i);
      expect(res.text).not.toMatch(new RegExp(`\\b${source.port}\\b`));
    });
  });
});
