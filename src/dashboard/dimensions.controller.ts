import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { ApiKeySecurity } from '../auth/api-key-security.js';
import { DIMENSION_DAYS, DimensionsService } from './dimensions.service.js';

export const DIMENSIONS_ROUTE = 'dimensions';

const VALUES = { type: 'array', items: { type: 'string' } };

@ApiTags('dashboard')
@ApiKeySecurity()
@Controller(DIMENSIONS_ROUTE)
export class DimensionsController {
  constructor(@Inject(DimensionsService) private readonly dimensions: DimensionsService) {}

  @Get()
  @Access('metrics')
  @ApiOperation({
    summary: 'The values the metric filters can take',
    description:
      `Every app, os, country and channel of the devices active and of the installs (under their dynamic channel) in the last ` +
      `${DIMENSION_DAYS} days (report time zone), sorted: the choices the dashboard page offers for app=, os=, country= and channel=. ` +
      'Values the callbacks did not carry are left out (no filter selects them). Read again only after a load (here or on another replica) and when the day changes.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        app: VALUES,
        os: VALUES,
        country: VALUES,
        channel: VALUES,
      },
      example: {
        from: '2026-08-31',
        to: '2026-11-28',
        app: ['com.example.fitapp'],
        os: ['android', 'ios'],
        country: ['de', 'us'],
        channel: ['AppLovin', 'Organic'],
      },
    },
  })
  @ApiUnauthorizedResponse({ description: 'No API key, or an unknown one' })
  @ApiServiceUnavailableResponse({ description: 'The warehouse did not answer' })
  getDimensions() {
    return this.dimensions.values();
  }
}
