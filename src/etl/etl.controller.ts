import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ETL_RUNS_ROUTE } from '../common/api-routes.js';
import { ListRunsQuery, RunIdParams, StartRunBody } from './dto/etl-run.dto.js';
import { ApiKeySecurity } from '../auth/api-key-security.js';
import { ApiGetRun, ApiListRuns, ApiStartRun } from './etl.docs.js';
import { EtlRunsService } from './etl-runs.service.js';

@ApiTags('etl')
@ApiKeySecurity()
@Controller(ETL_RUNS_ROUTE)
export class EtlController {
  constructor(@Inject(EtlRunsService) private readonly runs: EtlRunsService) {}

  @Post()
  @HttpCode(202)
  @ApiStartRun()
  startRun(@Body() body: StartRunBody = {}) {
    return this.runs.start(body);
  }

  @Get()
  @ApiListRuns()
  listRuns(@Query() query: ListRunsQuery) {
    return this.runs.list(query.limit ?? 20);
  }

  @Get(':id')
  @ApiGetRun()
  getRun(@Param() params: RunIdParams) {
    return this.runs.get(params.id);
  }
}
