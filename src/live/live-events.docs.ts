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
import { KEEP_ALIVE_MS, MAX_STREAMS_PER_KEY, PROGRESS_POLL_MS, SHOW_ARRIVAL_AFTER_MS } from './live-events.service.js';

const EXAMPLE =
  'event: data\nid: 42\ndata: {"version":42,"dataThrough":"2026-11-07T09:50:00.000Z","lastLoadAt":"2026-11-07T09:51:12.000Z"}\n\n' +
  'event: progress\ndata: {"runId":43,"mode":"rebuild","phase":"rollups","detail":"recount/insert-counts","percent":61.2,"secondsLeft":95}\n\n' +
  ': keep-alive\n\n';

export const ApiLiveEvents = () =>
  applyDecorators(
    ApiKeySecurity(),
    ApiOperation({
      summary: 'Server-Sent Events: a data event after every load that changed the data, progress events while a long run works',
      description:
        'A text/event-stream that stays open. It starts with the current data version, then sends `event: data` with ' +
        '`{ "version", "dataThrough", "lastLoadAt" }` once the answers of each new version are in the cache (ask the klips again ' +
        'then). The SSE id is the version. While a long run works (a window run or a rebuild, or a load after ' +
        `${SHOW_ARRIVAL_AFTER_MS / 1000} s), on any replica or the command line, \`event: progress\` carries its ` +
        '`{ "runId", "mode", "phase", "detail", "percent", "secondsLeft" }` as its record shows it (GET /api/v1/etl/runs/{id}), ' +
        `looked up every ${PROGRESS_POLL_MS / 1000} s, and \`data: null\` once it has ended. A comment line every ${KEEP_ALIVE_MS / 1000} s keeps proxies from closing it. ` +
        "Browsers' EventSource cannot send headers: pass the key as the api_key query parameter. " +
        `At most ${MAX_STREAMS_PER_KEY} streams per key at once. Swagger UI's "Try it out" waits for the stream to end: use curl -N.`,
    }),
    ApiProduces('text/event-stream'),
    ApiOkResponse({ description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string', example: EXAMPLE } } } }),
    ApiUnauthorizedResponse({ description: 'No API key, or an unknown one' }),
    ApiTooManyRequestsResponse({ description: `${MAX_STREAMS_PER_KEY} streams of this key are open already` }),
    ApiServiceUnavailableResponse({ description: 'The service is shutting down' }),
  );
