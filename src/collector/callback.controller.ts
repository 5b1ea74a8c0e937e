import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '../auth/access.decorator.js';
import { CALLBACK_ROUTE } from '../common/api-routes.js';
import { ApiCallback } from './callback.docs.js';
import { type CallbackParams, CollectorService } from './collector.service.js';

@ApiTags('adjust')
@Controller(CALLBACK_ROUTE)
@Access('callback')
export class CallbackController {
  constructor(@Inject(CollectorService) private readonly collector: CollectorService) {}

  @Get()
  @ApiCallback('Receive one Adjust callback (GET, as Adjust sends it)')
  @ApiQuery({ name: 'activity_kind', example: 'install', required: true })
  @ApiQuery({ name: 'created_at', example: 1795824000, required: true, description: 'Unix seconds' })
  @ApiQuery({ name: 'adid', example: '18546f6171f67e29d1cb983322ad1329', required: false })
  @ApiQuery({ name: 'app_token', example: 'abc123def456', required: false })
  @ApiQuery({ name: 'token', required: false, description: 'CALLBACK_TOKEN (required unless the service runs with CALLBACK_TOKEN=none)' })
  receiveCallback(@Query() query: CallbackParams, @Req() request: FastifyRequest) {
    return this.collector.receive('GET', request.url, query);
  }

  @Post()
  @HttpCode(200)
  @ApiCallback('Receive one Adjust callback sent as a form or JSON body')
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
  receiveCallbackBody(@Query() query: CallbackParams, @Body() body: unknown, @Req() request: FastifyRequest) {
    return this.collector.receive('POST', request.url, query, body);
  }
}
