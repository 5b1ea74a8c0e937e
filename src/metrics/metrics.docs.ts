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
import { type DataColumn, dataColumns, KLIP_ENTRIES, type Klip, type KlipKind, summaryFields, type SummaryField } from './klips.js';
import type { MetricAnswer } from './metric-answers.js';
import { toCsv } from './metric-reply.js';

type SchemaObject = Record<string, unknown>;

const errorExample = (statusCode: number, error: string, message: string) => ({ schema: { example: { statusCode, error, message } } });

export const Unauthorized = () =>
  ApiUnauthorizedResponse({
    description: 'No API key, or one not recognised',
    ...errorExample(401, 'Unauthorized', 'API key not recognised'),
  });
export const TooManyRequests = () =>
  ApiResponse({
    status: 429,
    description: 'Too many requests for this key; Retry-After says when to try again',
    ...errorExample(429, 'Too Many Requests', 'Rate limit exceeded: retry after 12 s'),
  });
export const NotModified = () => ApiResponse({ status: 304, description: 'Not modified: the If-None-Match ETag is still current' });

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

const FIELD_SCHEMAS: Record<SummaryField | DataColumn, SchemaObject> = {
  total: { type: 'integer' },
  average: { type: 'number' },
  distinct: { type: 'integer' },
  date: { type: 'string', format: 'date', description: 'the bucket: the day, the ISO week’s Monday or the month’s 1st' },
  channel: { type: 'string' },
  value: { type: 'number' },
  arpdau: { type: 'number', nullable: true, description: 'revenue / the sum of the daily DAU; null when that sum is 0' },
  installs: { type: 'integer', description: 'the cohort: devices whose first install in the app was on the day' },
  d1: { type: 'number', nullable: true, description: 'share of the cohort active 1 day later; null until that day has ended' },
  d7: { type: 'number', nullable: true, description: 'share of the cohort active 7 days later; null until that day has ended' },
  d30: { type: 'number', nullable: true, description: 'share of the cohort active 30 days later; null until that day has ended' },
};

// An average of nothing is null: the average kind's values and summary may be.
function fieldSchema(kind: KlipKind, field: SummaryField | DataColumn): SchemaObject {
  return kind === 'average' && (field === 'average' || field === 'value')
    ? { ...FIELD_SCHEMAS[field], nullable: true }
    : FIELD_SCHEMAS[field];
}

function summarySchema(kind: KlipKind): SchemaObject {
  return { type: 'object', properties: Object.fromEntries(summaryFields(kind).map((field) => [field, fieldSchema(kind, field)])) };
}

// Every column a row may have; a column missing without a granularity says so.
function rowSchema(kind: KlipKind): SchemaObject {
  const always = dataColumns(kind, null);
  const properties = dataColumns(kind, 'day').map((column) => {
    const schema = fieldSchema(kind, column);
    return [column, always.includes(column) ? schema : { ...schema, description: 'only with granularity' }];
  });
  return { type: 'object', properties: Object.fromEntries(properties) };
}

const EXAMPLE_DAYS = ['2026-11-01', '2026-11-02', '2026-11-03'];
const EXAMPLE_BODIES: Record<KlipKind, Pick<MetricAnswer, 'granularity' | 'summary' | 'data'>> = {
  count: { granularity: 'day', summary: { total: 521 }, data: EXAMPLE_DAYS.map((date, i) => ({ date, value: [170, 181, 170][i] })) },
  average: {
    granularity: 'day',
    summary: { average: 402.17 },
    data: EXAMPLE_DAYS.map((date, i) => ({ date, value: [398.5, 410.12, null][i] })),
  },
  'active-users': {
    granularity: 'day',
    summary: { average: 1204.33, distinct: 2950 },
    data: EXAMPLE_DAYS.map((date, i) => ({ date, value: [1180, 1251, 1182][i] })),
  },
  'by-channel': {
    granularity: null,
    summary: { total: 521 },
    data: [
      { channel: 'Organic', value: 301 },
      { channel: 'Facebook Installs', value: 160 },
      { channel: 'Unknown', value: 60 },
    ],
  },
  revenue: {
    granularity: 'day',
    summary: { total: 1530.4, arpdau: 0.4236 },
    data: EXAMPLE_DAYS.map((date, i) => ({ date, value: [498.12, 541.9, 490.38][i] })),
  },
  retention: {
    granularity: 'day',
    summary: { installs: 521, d1: 0.4012, d7: 0.1852, d30: null },
    data: EXAMPLE_DAYS.map((date, i) => ({
      date,
      installs: [170, 181, 170][i],
      d1: [0.4118, 0.3978, 0.3941][i],
      d7: [0.1882, 0.1816, null][i],
      d30: null,
    })),
  },
};

function example(klip: Klip): MetricAnswer {
  const { unit, kind } = KLIP_ENTRIES[klip];
  const base = { metric: klip, unit, from: '2026-11-01', to: '2026-11-03', timezone: 'UTC', filters: { app: 'com.example.fitapp' } };
  return { ...base, ...EXAMPLE_BODIES[kind] };
}

const EXAMPLE_FRESHNESS = { dataThrough: '2026-11-03T09:50:00.000Z', lastLoadAt: '2026-11-03T09:51:12.000Z', stale: false };

export const ApiMetric = (klip: Klip) => {
  const { title, definition, kind } = KLIP_ENTRIES[klip];
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
              summary: summarySchema(kind),
              data: { type: 'array', items: rowSchema(kind) },
              freshness: FRESHNESS_SCHEMA,
            },
            example: { ...example(klip), freshness: EXAMPLE_FRESHNESS },
          },
        },
        'text/csv': { schema: { type: 'string', example: toCsv(example(klip)) } },
      },
    }),
    NotModified(),
    ApiBadRequestResponse({
      description: 'A parameter is wrong; the message names it and says what it accepts',
      ...errorExample(400, 'Bad Request', 'from (2026-11-08) is after to (2026-11-01): from must be on or before to'),
    }),
    Unauthorized(),
    TooManyRequests(),
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
    Unauthorized(),
    ApiForbiddenResponse({
      description: 'A key that may read metrics but is not an admin key',
      ...errorExample(403, 'Forbidden', 'This route needs a key from ADMIN_API_KEYS'),
    }),
  );
