import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiKeySecurity } from '../auth/api-key-security.js';
import { GRANULARITIES } from './date-range.js';
import { KEY_PLACEHOLDER, klipIndex } from './klip-index.js';
import { KLIP_KINDS } from './klips.js';
import { NotModified, TooManyRequests, Unauthorized } from './metrics.docs.js';

// The Swagger entry of GET /api/v1/metrics: its example is the index itself, on an example host.

const INDEX_ENTRY_SCHEMA = {
  type: 'object',
  properties: {
    route: { type: 'string', description: 'GET /api/v1/metrics/{route} answers the klip' },
    title: { type: 'string' },
    label: { type: 'string', description: 'a short name for legends' },
    unit: { type: 'string', description: 'the answer’s unit' },
    kind: { type: 'string', enum: [...KLIP_KINDS], description: 'how daily values become buckets and a summary' },
    columns: { type: 'array', items: { type: 'string' }, description: 'the keys of each row of data (the CSV header) by default' },
    summary: { type: 'array', items: { type: 'string' }, description: 'the fields of summary' },
    defaultGranularity: { type: 'string', nullable: true, enum: [...GRANULARITIES] },
    klipfolioUrl: { type: 'string', description: `the data-source URL for Klipfolio: replace ${KEY_PLACEHOLDER} by a key` },
  },
};

export const ApiKlipIndex = () =>
  applyDecorators(
    ApiKeySecurity(),
    ApiOperation({
      summary: 'The klips',
      description:
        'Every klip this service answers: its route, title, unit, the columns of data and the summary fields of its answer, its ' +
        `default granularity, and a Klipfolio data-source URL on the host this request came to (replace ${KEY_PLACEHOLDER} by a key ` +
        'from API_KEYS, or drop api_key and send the key in X-API-Key). Any metrics key.',
    }),
    ApiOkResponse({
      description: 'The klips, in the order of the registry',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { klips: { type: 'array', items: INDEX_ENTRY_SCHEMA } },
            example: klipIndex('https://kpi.example.com'),
          },
        },
      },
    }),
    NotModified(),
    Unauthorized(),
    TooManyRequests(),
  );
