import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

const DESCRIPTION =
  "The URL pasted into Adjust's callback settings (the README shows it whole). Every Adjust placeholder is read from its own " +
  'parameter; every other parameter is kept as raw data on the row. The answer comes only once the row is committed.';

const errorExample = (statusCode: number, error: string, message: string) => ({ schema: { example: { statusCode, error, message } } });

// The Swagger description shared by the GET and POST forms of the callback.
export function ApiCallback(summary: string) {
  return applyDecorators(
    ApiOperation({ summary, description: DESCRIPTION }),
    ApiOkResponse({
      description: '`stored` once committed; `duplicate` for an activity already stored',
      schema: { type: 'object', properties: { status: { type: 'string', enum: ['stored', 'duplicate'] } }, example: { status: 'stored' } },
    }),
    ApiBadRequestResponse({
      description:
        'A callback the klips cannot use; kept in mob.rejected_callback for replay (Adjust does not retry a 4xx). A body that is not JSON, or nests deeper than 32 levels, is refused too and kept nowhere',
      ...errorExample(400, 'Bad Request', 'adid is missing for activity_kind "session"'),
    }),
    ApiUnauthorizedResponse({
      description: 'token= is missing or wrong (unless CALLBACK_TOKEN=none); nothing is stored',
      ...errorExample(401, 'Unauthorized', 'Callback token missing or wrong: the callback URL must carry token=<CALLBACK_TOKEN>'),
    }),
    ApiPayloadTooLargeResponse({
      description: 'URL or body over 1 MiB, or more than 1,000 parameters in the URL or the body; nothing is stored',
      ...errorExample(413, 'Payload Too Large', 'The callback URL is over 1 MB'),
    }),
    ApiResponse({
      status: 503,
      description: 'Overloaded or the database is unavailable; Adjust retries',
      ...errorExample(503, 'Service Unavailable', 'The collector is overloaded; retry later'),
    }),
  );
}
