import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiKeySecurity } from '../auth/api-key-security.js';
import { KLIP_DEFINITIONS, type Klip } from './klips.js';

type SchemaObject = Record<string, unknown>;

const errorExample = (statusCode: number, error: string, message: string) => ({ schema: { example: { statusCode, error, message } } });

const FRESHNESS_SCHEMA = {
  type: 'object',
  properties: {
    dataThrough: { type: 'string', format: 'date-time', nullable: true, description: 'the newest callback arrival the warehouse holds' },
    lastLoadAt: { type: 'string', format: 'date-time', nullable: true, description: 'the end of the last successful load' },
    stale: {
      type: 'boolean',
      description: 'the last successful load is older than two load intervals (ETL_SCHEDULE; at least a minute when continuous)',
    },
  },
};

function summarySchema(klip: Klip): SchemaObject {
  const kind = KLIP_DEFINITIONS[klip].kind;
  if (kind === 'mean') return { type: 'object', properties: { average: { type: 'number', nullable: true } } };
  if (kind === 'active') return { type: 'object', properties: { average: { type: 'number' }, distinct: { type: 'integer' } } };
  return { type: 'object', properties: { total: { type: 'integer' } } };
}

function rowSchema(klip: Klip): SchemaObject {
  const value = KLIP_DEFINITIONS[klip].kind === 'mean' ? { type: 'number', nullable: true } : { type: 'number' };
  const date = { type: 'string', format: 'date', description: 'the bucket: the day, the ISO week’s Monday or the month’s 1st' };
  if (klip === 'installs-by-channel') {
    return { type: 'object', properties: { date: { ...date, description: 'only with granularity' }, channel: { type: 'string' }, value } };
  }
  return { type: 'object', properties: { date, value } };
}

function example(klip: Klip) {
  const { unit, kind } = KLIP_DEFINITIONS[klip];
  const base = { metric: klip, unit, from: '2026-11-01', to: '2026-11-03', timezone: 'UTC', filters: { app: 'com.example.fitapp' } };
  const freshness = { dataThrough: '2026-11-03T09:50:00.000Z', lastLoadAt: '2026-11-03T09:51:12.000Z', stale: false };
  const days = ['2026-11-01', '2026-11-02', '2026-11-03'];
  switch (kind) {
    case 'total':
      return {
        ...base,
        granularity: 'day',
        summary: { total: 521 },
        data: days.map((date, i) => ({ date, value: [170, 181, 170][i] })),
        freshness,
      };
    case 'mean':
      return {
        ...base,
        granularity: 'day',
        summary: { average: 402.17 },
        data: days.map((date, i) => ({ date, value: [398.5, 410.12, null][i] })),
        freshness,
      };
    case 'active':
      return {
        ...base,
        granularity: 'day',
        summary: { average: 1204.33, distinct: 2950 },
        data: days.map((date, i) => ({ date, value: [1180, 1251, 1182][i] })),
        freshness,
      };
    case 'channels':
      return {
        ...base,
        granularity: null,
        summary: { total: 521 },
        data: [
          { channel: 'Organic', value: 301 },
          { channel: 'Facebook Installs', value: 160 },
          { channel: 'Unknown', value: 60 },
        ],
        freshness,
      };
  }
}

function csvExample(klip: Klip): string {
  const { data } = example(klip);
  const columns = Object.keys(data[0]);
  return [columns.join(','), ...data.map((row) => columns.map((column) => (row as Record<string, unknown>)[column] ?? '').join(','))].join(
    '\r\n',
  );
}

export const ApiMetric = (klip: Klip) => {
  const { title, definition } = KLIP_DEFINITIONS[klip];
  return applyDecorators(
    ApiKeySecurity(),
    ApiOperation({
      summary: title,
      description:
        `${definition}\n\nDays are calendar days in REPORT_TIMEZONE. Every bucket of the range is present (0 where nothing happened). ` +
        'Without from/to or period: the last 30 days ending today. Answers come from rollups the ETL keeps current and are cached until ' +
        'the next load brings data: send If-None-Match with the ETag to get 304. CSV with format=csv or Accept: text/csv.',
    }),
    ApiOkResponse({
      description: 'The numbers, a flat table under data (CSV: a header line and the data rows)',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              metric: { type: 'string', example: klip },
              unit: { type: 'string' },
              from: { type: 'string', format: 'date' },
              to: { type: 'string', format: 'date' },
              granularity: { type: 'string', nullable: true, enum: ['day', 'week', 'month'] },
              timezone: { type: 'string' },
              filters: { type: 'object', additionalProperties: { type: 'string' } },
              summary: summarySchema(klip),
              data: { type: 'array', items: rowSchema(klip) },
              freshness: FRESHNESS_SCHEMA,
            },
            example: example(klip),
          },
        },
        'text/csv': { schema: { type: 'string', example: csvExample(klip) } },
      },
    }),
    ApiResponse({ status: 304, description: 'Not modified: the If-None-Match ETag is still current' }),
    ApiBadRequestResponse({
      description: 'A parameter is wrong; the message names it and says what it accepts',
      ...errorExample(400, 'Bad Request', 'from (2026-11-08) is after to (2026-11-01): from must be on or before to'),
    }),
    ApiUnauthorizedResponse({
      description: 'No API key, or one not recognised',
      ...errorExample(401, 'Unauthorized', 'API key not recognised'),
    }),
    ApiResponse({
      status: 429,
      description: 'Too many requests for this key; Retry-After says when to try again',
      ...errorExample(429, 'Too Many Requests', 'Rate limit exceeded: retry after 12 s'),
    }),
    ApiServiceUnavailableResponse({
      description: 'The warehouse is unreachable and this answer is not cached',
      ...errorExample(503, 'Service Unavailable', 'The warehouse did not answer; try again shortly'),
    }),
  );
};

export const ApiClearCache = () =>
  applyDecorators(
    ApiKeySecurity(),
    ApiOperation({
      summary: 'Empty the answer cache (admin key)',
      description: 'The next requests recompute their answers from the warehouse.',
    }),
    ApiNoContentResponse({ description: 'Emptied' }),
    ApiUnauthorizedResponse({
      description: 'No API key, or one not recognised',
      ...errorExample(401, 'Unauthorized', 'API key not recognised'),
    }),
    ApiForbiddenResponse({
      description: 'A key that may read metrics but is not an admin key',
      ...errorExample(403, 'Forbidden', 'This route needs a key from ADMIN_API_KEYS'),
    }),
  );
