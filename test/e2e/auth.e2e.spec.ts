import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, Post } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Access } from '../../src/auth/access.decorator.js';
import { ApiKeyGuard } from '../../src/auth/api-key.guard.js';
import { fingerprint, KeyRing } from '../../src/auth/api-keys.js';
import { FailedAuthLimiter } from '../../src/auth/failed-auth-limiter.js';
import { AllExceptionsFilter } from '../../src/common/all-exceptions.filter.js';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { redactUrl } from '../../src/logging/logging.module.js';

const READER_KEY = 'reader-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const CALLBACK_TOKEN = 'adjust-callback-token';

// One route per access level, answering which one it is.
@Controller('probe')
class ProbeController {
  @Get('public')
  @Access('public')
  getPublic() {
    return { route: 'public' };
  }

  @Get('metrics')
  @Access('metrics')
  getMetrics() {
    return { route: 'metrics' };
  }

  @Get('admin')
  @Access('admin')
  getAdmin() {
    return { route: 'admin' };
  }

  // no @Access: must need an admin key
  @Get('undeclared')
  getUndeclared() {
    return { route: 'undeclared' };
  }

  @Get('callback')
  @Access('callback')
  getCallback() {
    return { route: 'callback' };
  }

  @Post('callback')
  @Access('callback')
  postCallback(@Body() _body: unknown) {
    return { route: 'callback' };
  }
}

// status and body of an answer, to compare in one assertion
async function answer(test: request.Test): Promise<{ status: number; body: unknown }> {
  const res = await test;
  return { status: res.status, body: res.body };
}

async function startProbeApp(env: Record<string, string>): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(loadConfig({ API_KEYS: READER_KEY, ADMIN_API_KEYS: ADMIN_KEY, ...env }))],
    controllers: [ProbeController],
    providers: [FailedAuthLimiter, { provide: APP_GUARD, useClass: ApiKeyGuard }, { provide: APP_FILTER, useClass: AllExceptionsFilter }],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe(ApiKeyGuard.name, () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await startProbeApp({});
  });
  afterAll(async () => {
    await app.close();
  });

  describe('metrics routes', () => {
    it('answers 401 with the standard JSON error when no key is sent', async () => {
      const res = await http()
        .get('/probe/metrics')
        .expect(401)
        .expect('content-type', /application\/json/);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'API key missing: send it in the X-API-Key header, as Authorization: Bearer <key>, or as the api_key query parameter',
      });
    });

    it('accepts a reader key in the X-API-Key header', async () => {
      expect(await answer(http().get('/probe/metrics').set('X-API-Key', READER_KEY))).toEqual({ status: 200, body: { route: 'metrics' } });
    });

    it('accepts a reader key as Authorization: Bearer, in any case of the scheme', async () => {
      expect(await answer(http().get('/probe/metrics').set('Authorization', `Bearer ${READER_KEY}`))).toEqual({
        status: 200,
        body: { route: 'metrics' },
      });
      expect(await answer(http().get('/probe/metrics').set('Authorization', `bearer ${READER_KEY}`))).toEqual({
        status: 200,
        body: { route: 'metrics' },
      });
    });

    it('accepts a reader key in the api_key query parameter, as Klipfolio sends it', async () => {
      expect(await answer(http().get('/probe/metrics').query({ api_key: READER_KEY }))).toEqual({
        status: 200,
        body: { route: 'metrics' },
      });
    });

    it('answers 401 for a key it does not know, without echoing it', async () => {
      for (const wrong of ['reader-key-0123456789abcdeX', 'x', `${READER_KEY}${READER_KEY}`]) {
        const res = await http().get('/probe/metrics').set('X-API-Key', wrong).expect(401);
        expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'API key not recognised' });
      }
    });

    it('does not take other authorization schemes for a key', async () => {
      const basic = Buffer.from(`user:${READER_KEY}`).toString('base64');
      const res = await http().get('/probe/metrics').set('Authorization', `Basic ${basic}`).expect(401);
      expect(res.body.message).toMatch(/^API key missing/);
    });

    it('lets an admin key read metrics', async () => {
      expect(await answer(http().get('/probe/metrics').set('X-API-Key', ADMIN_KEY))).toEqual({ status: 200, body: { route: 'metrics' } });
    });

    it('does not take the callback token for an API key', async () => {
      const withToken = await startProbeApp({ CALLBACK_TOKEN });
      try {
        expect((await request(withToken.getHttpServer()).get('/probe/metrics').query({ api_key: CALLBACK_TOKEN })).status).toBe(401);
      } finally {
        await withToken.close();
      }
    });
  });

  describe('admin routes', () => {
    it('answers 403 to a reader key', async () => {
      const res = await http().get('/probe/admin').set('X-API-Key', READER_KEY).expect(403);
      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'This route needs a key from ADMIN_API_KEYS' });
    });

    it('accepts an admin key', async () => {
      expect(await answer(http().get('/probe/admin').set('Authorization', `Bearer ${ADMIN_KEY}`))).toEqual({
        status: 200,
        body: { route: 'admin' },
      });
    });

    it('answers 401 without a key', async () => {
      expect((await http().get('/probe/admin')).status).toBe(401);
    });

    it('treats a route without @Access as an admin route', async () => {
      expect((await http().get('/probe/undeclared')).status).toBe(401);
      expect((await http().get('/probe/undeclared').set('X-API-Key', READER_KEY)).status).toBe(403);
      expect(await answer(http().get('/probe/undeclared').set('X-API-Key', ADMIN_KEY))).toEqual({
        status: 200,
        body: { route: 'undeclared' },
      });
    });
  });

  describe('public routes', () => {
    it('need no key', async () => {
      expect(await answer(http().get('/probe/public'))).toEqual({ status: 200, body: { route: 'public' } });
    });
  });

  describe('the callback route', () => {
    it('needs nothing when CALLBACK_TOKEN is not set', async () => {
      expect(await answer(http().get('/probe/callback').query({ activity_kind: 'install' }))).toEqual({
        status: 200,
        body: { route: 'callback' },
      });
    });

    describe('with CALLBACK_TOKEN set', () => {
      let guarded: NestFastifyApplication;
      const call = () => request(guarded.getHttpServer());
      beforeAll(async () => {
        guarded = await startProbeApp({ CALLBACK_TOKEN });
      });
      afterAll(async () => {
        await guarded.close();
      });

      it('answers 401 without the token or with a wrong one', async () => {
        const missing = await call().get('/probe/callback').query({ activity_kind: 'install' }).expect(401);
        expect(missing.body).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'Callback token missing or wrong: the callback URL must carry token=<CALLBACK_TOKEN>',
        });
        expect(
          (
            await call()
              .get('/probe/callback')
              .query({ token: `${CALLBACK_TOKEN}x` })
          ).status,
        ).toBe(401);
      });

      it('does not take an API key instead of the token', async () => {
        expect((await call().get('/probe/callback').set('X-API-Key', ADMIN_KEY)).status).toBe(401);
      });

      it('accepts the token in the callback URL', async () => {
        expect(await answer(call().get('/probe/callback').query({ activity_kind: 'install', token: CALLBACK_TOKEN }))).toEqual({
          status: 200,
          body: { route: 'callback' },
        });
      });

      it('accepts the token in a POST body', async () => {
        expect(await answer(call().post('/probe/callback').send({ activity_kind: 'install', token: CALLBACK_TOKEN }))).toEqual({
          status: 201,
          body: { route: 'callback' },
        });
      });
    });
  });
});

describe(KeyRing.name, () => {
  it('recognises exactly the configured keys, whatever the length of the candidate', () => {
    const ring = new KeyRing([READER_KEY, ADMIN_KEY]);
    expect(ring.has(READER_KEY)).toBe(true);
    expect(ring.has(ADMIN_KEY)).toBe(true);
    expect(ring.has('')).toBe(false);
    expect(ring.has(READER_KEY.slice(0, -1))).toBe(false);
    expect(ring.has(`${READER_KEY} `)).toBe(false);
  });

  it('recognises nothing when no key is configured', () => {
    expect(new KeyRing([]).has('')).toBe(false);
  });
});

describe('fingerprint', () => {
  it('tells keys apart in logs without revealing them', () => {
    const print = fingerprint(READER_KEY);
    expect(print).toMatch(/^[0-9a-f]{8}$/);
    expect(fingerprint(READER_KEY)).toBe(print);
    expect(fingerprint(ADMIN_KEY)).not.toBe(print);
    expect(READER_KEY).not.toContain(print);
  });
});

describe('redactUrl', () => {
  it('hides the values of api_key and token in a logged URL, keeping the rest', () => {
    expect(redactUrl(`/api/v1/metrics/installs?from=2026-01-01&api_key=${READER_KEY}&app=x`)).toBe(
      '/api/v1/metrics/installs?from=2026-01-01&api_key=[redacted]&app=x',
    );
    expect(redactUrl(`/api/v1/adjust/callback?token=${CALLBACK_TOKEN}&adid=abc`)).toBe('/api/v1/adjust/callback?token=[redacted]&adid=abc');
  });

  it('hides every occurrence, in any letter case', () => {
    expect(redactUrl('/x?API_KEY=one&Token=two&api_key=three')).toBe('/x?API_KEY=[redacted]&Token=[redacted]&api_key=[redacted]');
  });

  it('leaves parameters that only end in the same letters alone', () => {
    expect(redactUrl('/x?push_token=abc&my_api_key=def')).toBe('/x?push_token=abc&my_api_key=def');
  });

  it('hides a secret whose parameter name is percent-encoded, as the server decodes it', () => {
    expect(redactUrl('/x?api%5Fkey=one&%74oken=two')).toBe('/x?api%5Fkey=[redacted]&%74oken=[redacted]');
  });

  it('hides a secret sent as an array, encoded twice, with + for a space, or as api-key/apikey', () => {
    expect(redactUrl('/x?token[]=one&token%5B0%5D=two&TOKEN[a][b]=three&%2574oken=four&token+=five&api-key=six&APIKEY=seven')).toBe(
      '/x?token[]=[redacted]&token%5B0%5D=[redacted]&TOKEN[a][b]=[redacted]&%2574oken=[redacted]&token+=[redacted]&api-key=[redacted]&APIKEY=[redacted]',
    );
    expect(redactUrl('/x?tokens[]=a&token_id=b&[token]=c')).toBe('/x?tokens[]=a&token_id=b&[token]=c');
  });

  it('keeps only the start of a very long URL, saying how long it was', () => {
    const logged = redactUrl(`/api/v1/adjust/callback?token=${CALLBACK_TOKEN}&padding=${'p'.repeat(100_000)}`)!;
    expect(logged.length).toBeLessThan(2100);
    expect(logged).toContain('token=[redacted]');
    expect(logged).toMatch(/… \(\d+ characters\)$/);
  });

  it('passes URLs without secrets and a missing URL through', () => {
    expect(redactUrl('/api/v1/health')).toBe('/api/v1/health');
    expect(redactUrl(undefined)).toBeUndefined();
  });
});
