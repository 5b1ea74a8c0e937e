import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { HealthController } from '../../src/health/health.controller.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe(HealthController.name, () => {
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
  });
});
