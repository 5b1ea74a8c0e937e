import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '../auth/access.decorator.js';
import { CALLBACK_ROUTE } from '../common/api-routes.js';
import { DomainError } from '../common/domain-error.js';
import { MAX_CALLBACK_BYTES } from './callback-limits.js';
import { type CallbackParams, CollectorService } from './collector.service.js';

const DESCRIPTION =
  "The URL pasted into Adjust's callback settings. Every Adjust placeholder is read from its own query parameter; " +
  'other parameters are kept as raw data. 200 {"status":"stored"} once committed, {"status":"duplicate"} for a repeat; ' +
  '400 with the reason for a callback the klips cannot use (kept for replay); 401 when CALLBACK_TOKEN is set and token= is wrong; ' +
  '413 over 1 MB; 503 when overloaded (Adjust retries).';

@ApiTags('adjust')
@Controller(CALLBACK_ROUTE)
@Access('callback')
export class CallbackController {
  constructor(@Inject(CollectorService) private readonly collector: CollectorService) {}

  @Get()
  @ApiOperation({ summary: 'Receive one Adjust callback (GET, as Adjust sends it)', description: DESCRIPTION })
  @ApiQuery({ name: 'activity_kind', example: 'install', required: true })
  @ApiQuery({ name: 'created_at', example: 1795824000, required: true, description: 'Unix seconds' })
  @ApiQuery({ name: 'adid', example: '18546f6171f67e29d1cb983322ad1329', required: false })
  @ApiQuery({ name: 'app_token', example: 'abc123def456', required: false })
  @ApiQuery({ name: 'token', required: false, description: 'CALLBACK_TOKEN, when the service is configured with one' })
  @ApiOkResponse({ schema: { example: { status: 'stored' } } })
  @ApiBadRequestResponse({
    schema: { example: { statusCode: 400, error: 'Bad Request', message: 'adid is missing for activity_kind "session"' } },
  })
  receiveCallback(@Query() query: CallbackParams, @Req() request: FastifyRequest) {
    assertUrlSize(request);
    return this.collector.receive('GET', query);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive one Adjust callback sent as a form or JSON body', description: DESCRIPTION })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      example: {
        activity_kind: 'event',
        created_at: 1795824000,
        adid: '18546f6171f67e29d1cb983322ad1329',
        app_token: 'abc123def456',
        event: 'f0ob4r',
        user_id: '42',
      },
    },
  })
  @ApiOkResponse({ schema: { example: { status: 'duplicate' } } })
  receiveCallbackBody(@Query() query: CallbackParams, @Body() body: unknown, @Req() request: FastifyRequest) {
    assertUrlSize(request);
    const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as CallbackParams) : {};
    return this.collector.receive('POST', { ...query, ...fields });
  }
}

function assertUrlSize(request: FastifyRequest): void {
  if (request.url.length > MAX_CALLBACK_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', 'The callback URL is over 1 MB');
}
