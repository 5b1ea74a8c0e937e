import { applyDecorators } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiKeySecurity } from '../auth/api-key-security.js';
import { KEEP_ALIVE_MS, MAX_STREAMS_PER_KEY } from './live-events.service.js';

const EXAMPLE =
  'event: data\nid: 42\ndata: {"version":42,"dataThrough":"2026-11-07T09:50:00.000Z","lastLoadAt":"2026-11-07T09:51:12.000Z"}\n\n' +
  ': keep-alive\n\n';

export const ApiLiveEvents = () =>
  applyDecorators(
    ApiKeySecurity(),
    ApiOperation({
      summary: 'Server-Sent Events: a data event after every load that changed the data',
      description:
        'A text/event-stream that stays open. It starts with the current data version, then sends `event: data` with ' +
        '`{ "version", "dataThrough", "lastLoadAt" }` once the answers of each new version are in the cache (ask the klips again ' +
        `then). The SSE id is the version. A comment line every ${KEEP_ALIVE_MS / 1000} s keeps proxies from closing it. ` +
        "Browsers' EventSource cannot send headers: pass the key as the api_key query parameter. " +
        `At most ${MAX_STREAMS_PER_KEY} streams per key at once. Swagger UI's "Try it out" waits for the stream to end: use curl -N.`,
    }),
    ApiProduces('text/event-stream'),
    ApiOkResponse({ description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string', example: EXAMPLE } } } }),
    ApiUnauthorizedResponse({ description: 'No API key, or an unknown one' }),
    ApiTooManyRequestsResponse({ description: `${MAX_STREAMS_PER_KEY} streams of this key are open already` }),
    ApiServiceUnavailableResponse({ description: 'The service is shutting down' }),
  );
