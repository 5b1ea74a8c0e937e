import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { fingerprint } from '../../src/auth/api-keys.js';
import { RateLimitGuard } from '../../src/metrics/rate-limit.guard.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const INSTALLS = '/api/v1/metrics/installs?from=2026-11-01&to=2026-11-07';

describe(RateLimitGuard.name, () => {
  describe('with RATE_LIMIT=3', () => {
    let t: TestApp;
    const get = (key: string) =>
      request(t.app.getHttpServer() as Server)
        .get(INSTALLS)
        .set('X-API-Key', key);

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT: '3' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers 429 with Retry-After past the limit of a key, and counts each key on its own', async () => {
      for (let i = 0; i < 3; i++) await get(API_KEY).expect(200);
      const refused = await get(API_KEY).expect(429);
      expect(refused.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/^Rate limit: at most 3 metric requests per minute and API key \(RATE_LIMIT\); retry after \d+ s$/),
      });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // another key has its own minute
      await get(ADMIN_KEY).expect(200);
    });

    it('logs a key that passes the limit once a minute, by fingerprint, not once per refused request', async () => {
      const warnings: string[] = [];
      const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
      try {
        // the admin key's minute began in the test before, with one request
        for (let i = 0; i < 2; i++) await get(ADMIN_KEY).expect(200);
        for (let i = 0; i < 4; i++) await get(ADMIN_KEY).expect(429);
      } finally {
        spy.mockRestore();
      }
      expect(warnings.filter((line) => line.includes('RATE_LIMIT'))).toEqual([
        expect.stringMatching(new RegExp(`^Key ${fingerprint(ADMIN_KEY)} passed RATE_LIMIT \\(3 a minute\\): 429 for \\d+ s$`)),
      ]);
      expect(warnings.join('\n')).not.toContain(ADMIN_KEY);
    });
  });

  describe('with RATE_LIMIT=off', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT: 'off' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('never refuses', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++)
        statuses.push(
          (
            await request(t.app.getHttpServer() as Server)
              .get(INSTALLS)
              .set('X-API-Key', API_KEY)
          ).status,
        );
      expect(new Set(statuses)).toEqual(new Set([200]));
    });
  });
});
