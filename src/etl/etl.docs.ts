import { applyDecorators } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { EtlRunDto } from './dto/etl-run.dto.js';

const errorExample = (statusCode: number, error: string, message: string, extra: Record<string, unknown> = {}) => ({
  schema: { example: { statusCode, error, message, ...extra } },
});

export const ApiStartRun = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Start a load now',
      description:
        'Takes the ETL lease (one run at a time across every replica and the CLI) and runs in the background: extract what arrived ' +
        'since the last load, stage gzip parts and a manifest, load them (Redshift: into a staging table) and merge in one transaction. ' +
        'A window run or a rebuild holds the repair lock instead and builds beside the live warehouse, in a process of its own ' +
        '(its 202 comes once that process has recorded the run), while arrival loads go on. ' +
        'Poll GET /api/v1/etl/runs/{id} for the outcome. The body is optional.',
    }),
    ApiAcceptedResponse({ description: 'The run started', schema: { example: { id: 43, status: 'running' } } }),
    ApiConflictResponse({
      description: 'A run is in progress somewhere; this request is recorded as a skipped run',
      ...errorExample(409, 'Conflict', 'A load is already running (run 42); this request was recorded as skipped run 43', { id: 42 }),
    }),
  );

export const ApiListRuns = () =>
  applyDecorators(ApiOperation({ summary: 'The latest ETL runs, newest first' }), ApiOkResponse({ type: EtlRunDto, isArray: true }));

export const ApiGetRun = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'One ETL run: status, times, counts, days refreshed, step and rollup statement timings, progress, and the error when it failed',
    }),
    ApiOkResponse({ type: EtlRunDto }),
    ApiNotFoundResponse({ ...errorExample(404, 'Not Found', 'There is no ETL run 999') }),
  );
