import { Controller, Inject, type MessageEvent, Req, Sse } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { Access } from '../auth/access.decorator.js';
import { callerOf } from '../auth/api-key.guard.js';
import { EVENTS_ROUTE } from '../common/api-routes.js';
import { ApiLiveEvents } from './live-events.docs.js';
import { LiveEventsService } from './live-events.service.js';

// A client that reads no events is dropped past this much queued data (they are ~150 characters each).
const MAX_PENDING_CHARACTERS = 64 * 1024;

@ApiTags('live')
@Controller(EVENTS_ROUTE)
export class LiveEventsController {
  constructor(@Inject(LiveEventsService) private readonly live: LiveEventsService) {}

  @Sse('', { maxPendingDataLength: MAX_PENDING_CHARACTERS })
  @Access('metrics')
  @ApiLiveEvents()
  getEvents(@Req() request: FastifyRequest): Observable<MessageEvent> {
    return this.live.stream(callerOf(request));
  }
}
