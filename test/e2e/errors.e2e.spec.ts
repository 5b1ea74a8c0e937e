import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Body, Controller, Get, Logger, Post, Query } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import request from 'supertest';
import { AllExceptionsFilter } from '../../src/common/all-exceptions.filter.js';
import { DomainError, type ErrorCode, STATUS_OF } from '../../src/common/domain-error.js';
import { validationPipe } from '../../src/common/validation-pipe.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// createApp's body limit: Adjust forwards callbacks of up to 1 MiB
const BODY_LIMIT = 1024 * 1024;
const SECRET_IN_ERROR = 'password=hunter2 at db.internal:5432';

class RunsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit accepts a whole number from 1 to 100' })
  @Min(1, { message: 'limit accepts a whole number from 1 to 100' })
  @Max(100, { message: 'limit accepts a whole number from 1 to 100' })
  limit?: number;
}

@Controller('probe')
class ProbeController {
  @Get('domain-error')
  getDomainError(@Query('code') code: ErrorCode) {
    throw new DomainError(code, `failed with ${code}`, { id: 42, hint: 'see the run' });
  }

  @Get('crash')
  getCrash() {
    throw new Error(`connection refused (${SECRET_IN_ERROR})`);
  }

  @Get('rejected-promise')
  async getRejectedPromise() {
    await Promise.resolve();
    throw new TypeError(`Cannot read properties of undefined (${SECRET_IN_ERROR})`);
  }

  @Get('runs')
  getRuns(@Query() query: RunsQuery) {
    return { limit: query.limit ?? 20 };
  }

  @Post('echo')
  postEcho(@Body() body: unknown) {
    return { received: body };
  }
}

describe(AllExceptionsFilter.name, () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: BODY_LIMIT }), { logger: false });
    app.useGlobalPipes(validationPipe());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('answers an unknown route with a 404 JSON error', async () => {
    const res = await http()
      .get('/no/such/route')
      .expect(404)
      .expect('content-type', /application\/json/);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No route GET /no/such/route: /docs lists the routes' });
  });

  it.each(Object.entries(STATUS_OF))('maps the domain error %s to %i with its details in the body', async (code, status) => {
    const res = await http().get('/probe/domain-error').query({ code }).expect(status);
    expect(res.body).toEqual({
      statusCode: status,
      error: expect.any(String),
      message: `failed with ${code}`,
      id: 42,
      hint: 'see the run',
    });
  });

  it('answers an unexpected error with a generic 500 and logs it instead of showing it', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    const res = await http().get('/probe/crash').expect(500);

    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(res.text).not.toContain('hunter2');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining(SECRET_IN_ERROR));
  });

  it('treats an error from an async handler the same way', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const res = await http().get('/probe/rejected-promise').expect(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
  });

  it('names the parameter in a validation error, once even when several of its rules fail', async () => {
    const res = await http().get('/probe/runs').query({ limit: 'many' }).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'limit accepts a whole number from 1 to 100' });
    await http().get('/probe/runs').query({ limit: '5' }).expect(200, { limit: 5 });
  });

  it('names an unknown parameter', async () => {
    const res = await http().get('/probe/runs').query({ limt: '5' }).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'unknown parameter "limt"; this route accepts limit' });
  });

  it('answers a malformed JSON body with a 400 JSON error', async () => {
    const res = await http().post('/probe/echo').set('content-type', 'application/json').send('{"activity_kind": "install",').expect(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  });

  it('answers a body over 1 MiB with a 413 JSON error', async () => {
    await http()
      .post('/probe/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT - 20) }))
      .expect(201);
    const res = await http()
      .post('/probe/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) }))
      .expect(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
  });

  it('answers an unsupported content type with a 415 JSON error', async () => {
    const res = await http().post('/probe/echo').set('content-type', 'application/xml').send('<a/>').expect(415);
    expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
  });
});

describe('the service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers an unknown route with the same JSON error format, without asking for a key', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/v1/no-such-klip').expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No route GET /api/v1/no-such-klip: /docs lists the routes' });
  });
});
