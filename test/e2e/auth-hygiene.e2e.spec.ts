import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { FAILED_AUTH_LIMITS, FailedAuthLimiter } from '../../src/auth/failed-auth-limiter.js';
import { callbackUrl, newAdid, sessionCallback } from '../support/adjust-callbacks.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'auth-hygiene-callback-token';

// Failed authentication is limited per client address and logged once per window (issue 12). The
// addresses come from X-Forwarded-For, which the service believes from loopback and private networks.
describe(FailedAuthLimiter.name, () => {
  let t: TestApp;
  let warnings: string[];
  const from = (address: string) => ({
    get: (path: string, key?: string) => {
      const test = request(t.app.getHttpServer()).get(path).set('X-Forwarded-For', address);
      return key === undefined ? test : test.set('X-API-Key', key);
    },
  });

  beforeAll(async () => {
    t = await startTestApp({ CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'fatal' });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeAll(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => {
    warnings.length = 0;
  });

  it(`answers 429 with Retry-After to every key from an address after ${FAILED_AUTH_LIMITS.maxFailures} failures in a minute, logging twice, not per request`, async () => {
    const attacker = from('203.0.113.7');
    for (let attempt = 1; attempt <= FAILED_AUTH_LIMITS.maxFailures; attempt++) {
      await attacker.get('/api/v1/metrics/installs', `guess-${attempt}-0123456789`).expect(401);
    }
    const blocked = await attacker.get('/api/v1/metrics/installs', 'guess-21-0123456789').expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(blocked.body).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/^Too many failed authentications from this address; retry after \d+ s$/),
    });
    // the right key does not get through either: a 200 would tell it from the wrong ones
    await attacker.get('/api/v1/metrics/installs', API_KEY).expect(429);
    await attacker.get('/api/v1/etl/runs', ADMIN_KEY).expect(429);
    await attacker.get('/api/v1/metrics/installs').expect(429);

    const logged = warnings.filter((line) => line.includes('203.0.113.7'));
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(
      /^Failed authentication from 203\.0\.113\.7 \(unknown API key [0-9a-f]{8}\); further failures from it are counted, not logged, until /,
    );
    expect(logged[1]).toMatch(
      /^20 failed authentications from 203\.0\.113\.7 within a minute: its requests with an API key get 429 until /,
    );
    expect(warnings.join('\n')).not.toMatch(/guess-/);
  });

  it('leaves other addresses, public routes and the callback route alone', async () => {
    expect((await from('203.0.113.8').get('/api/v1/metrics/installs', API_KEY)).status).toBe(200);
    expect((await from('203.0.113.7').get('/api/v1/health')).status).toBe(200);
    const params = sessionCallback({ adid: newAdid(), token: TOKEN });
    expect((await from('203.0.113.7').get(callbackUrl(params))).body).toEqual({ status: 'stored' });
  });

  it('never refuses a right callback token for wrong ones from the same address (Adjust sends from a few), and logs them once', async () => {
    const adjust = from('198.51.100.20');
    for (let attempt = 0; attempt < FAILED_AUTH_LIMITS.maxFailures + 5; attempt++) {
      await adjust.get(callbackUrl(sessionCallback({ adid: newAdid(), token: 'outdated-token' }))).expect(401);
    }
    await adjust.get(callbackUrl(sessionCallback({ adid: newAdid(), token: TOKEN }))).expect(200, { status: 'stored' });
    const logged = warnings.filter((line) => line.includes('198.51.100.20'));
    expect(logged).toEqual([
      expect.stringMatching(/^Failed authentication from 198\.51\.100\.20 \(callback token missing or wrong\)/),
      expect.any(String),
    ]);
    expect(warnings.join('\n')).not.toContain('outdated-token');
  });

  it('takes X-Forwarded-For only from a proxy on a private network', async () => {
    // supertest connects from 127.0.0.1, a loopback proxy: its X-Forwarded-For names the client
    const res = await from('192.0.2.1').get('/api/v1/metrics/installs', 'wrong-key-0123456789').expect(401);
    expect(res.status).toBe(401);
    expect(warnings.some((line) => line.startsWith('Failed authentication from 192.0.2.1 '))).toBe(true);
  });
});
