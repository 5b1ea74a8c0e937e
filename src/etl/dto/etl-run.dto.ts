import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ETL_MODES, ETL_STEPS, ETL_TRIGGERS, type EtlMode } from '../etl-run.js';

export class StartRunBody {
  @ApiPropertyOptional({
    enum: ETL_MODES,
    default: 'arrival',
    description:
      'arrival: what arrived since the last load; window: also re-read the last windowDays days by event time; rebuild: reload everything',
  })
  @IsOptional()
  @IsIn(ETL_MODES, { message: 'mode accepts arrival, window or rebuild' })
  mode?: EtlMode;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 731,
    description: 'window mode: how many days to re-read (default ETL_WINDOW_DAYS)',
    example: 7,
  })
  @IsOptional()
  @IsInt({ message: 'windowDays accepts a whole number of days from 1 to 731' })
  @Min(1, { message: 'windowDays accepts a whole number of days from 1 to 731' })
  @Max(731, { message: 'windowDays accepts a whole number of days from 1 to 731' })
  windowDays?: number;
}

export class ListRunsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit accepts a whole number from 1 to 100' })
  @Min(1, { message: 'limit accepts a whole number from 1 to 100' })
  @Max(100, { message: 'limit accepts a whole number from 1 to 100' })
  limit?: number;
}

// Run ids are BIGINT in the database and numbers here: digits only (no 1e3, 0x10 or spaces), up to the
// largest whole number a number holds exactly; anything else is the caller's mistake, never a 503 from
// a database that refuses the value.
const RUN_ID_MESSAGE = `id accepts a run id: a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`;
const toRunId = ({ value }: { value: unknown }) => (typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : NaN);

export class RunIdParams {
  @ApiProperty({ example: 42, minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
  @Transform(toRunId)
  @IsInt({ message: RUN_ID_MESSAGE })
  @Min(1, { message: RUN_ID_MESSAGE })
  @Max(Number.MAX_SAFE_INTEGER, { message: RUN_ID_MESSAGE })
  id!: number;
}

export class EtlRunProgressDto {
  @ApiProperty({ enum: ETL_STEPS, example: 'rollups', description: 'the step the run is in' }) phase!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'recount/insert-counts',
    description: 'what it does in that step: the rows extracted so far, or the rollup statement running',
  })
  detail!: string | null;
  @ApiProperty({ example: 62.5, description: "the share of the run done, an estimate by the steps' usual shares (100 when it succeeded)" })
  percent!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 95,
    description: 'an estimate of the seconds left, at the pace so far (null until there is enough to go on)',
  })
  secondsLeft!: number | null;
}

export class EtlRunDto {
  @ApiProperty({ example: 42 }) id!: number;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed', 'skipped'] }) status!: string;
  @ApiProperty({ enum: ETL_TRIGGERS }) trigger!: string;
  @ApiProperty({ enum: ETL_MODES }) mode!: string;
  @ApiProperty({ example: '2026-11-28T03:10:00.012Z' }) startedAt!: string;
  @ApiProperty({ example: '2026-11-28T03:10:02.345Z', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ example: 1234 }) rowsExtracted!: number;
  @ApiProperty({ example: 1234 }) rowsLoaded!: number;
  @ApiProperty({ example: 1 }) stagedFiles!: number;
  @ApiProperty({ example: 98304 }) stagedBytes!: number;
  @ApiProperty({ example: ['2026-11-27', '2026-11-28'], description: 'report-time-zone days whose rows the run touched' })
  daysRefreshed!: string[];
  @ApiProperty({
    example: { lease: 3, extract: 120, stage: 8, load: 40, merge: 25, rollups: 18, maintain: 2 },
    description: `milliseconds per step (${ETL_STEPS.join(', ')}); extract includes writing the parts (and, on PostgreSQL, copying them into the warehouse as they are written); load is then what is left of the COPY; merge includes rollups, the recount of the metric rollups inside the merge transaction; prepare and swap are a window run's or a rebuild's beside the live warehouse: its tables made (and for a window run the live ones copied), then the catch-up with the loads that landed meanwhile and the swap`,
  })
  stepMs!: Record<string, number>;
  @ApiProperty({
    example: {
      'settings/registration-events': 1,
      'work/create-refresh-device': 2,
      'recount/insert-counts': 3077,
      'merge into stg.daily_counts': 410,
    },
    description:
      "milliseconds per statement of the rollups step, in the order they first ran (repeated ones summed): where a full build's or a recount's time goes",
  })
  rollupMs!: Record<string, number>;
  @ApiProperty({
    nullable: true,
    type: EtlRunProgressDto,
    description: 'how far the run has come, updated every second while it runs; where it stopped when it failed; null for a skipped run',
  })
  progress!: EtlRunProgressDto | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'why the run failed or was skipped' }) error!: string | null;
}
