import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  Validate,
  type ValidatorConstraintInterface,
  ValidatorConstraint,
} from 'class-validator';
import {
  FIRST_DATE,
  GRANULARITIES,
  type Granularity,
  inDateWindow,
  LAST_DATE,
  MAX_RANGE_DAYS,
  PERIODS,
  type Period,
} from '../date-range.js';

export const FORMATS = ['json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

// A real calendar date written YYYY-MM-DD (2026-02-30 is refused) inside the dates the API takes.
@ValidatorConstraint({ name: 'calendarDate' })
class CalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !inDateWindow(value)) return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }
}

// No stored value holds a control character (the ETL removes CR, LF and NUL; PostgreSQL refuses NUL).
@ValidatorConstraint({ name: 'printable' })
class Printable implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && [...value].every((character) => character >= ' ' && character !== '\u007f');
  }
}
// An empty filter value (`&app=`) is no filter (metrics.md, Filters): Klipfolio fills an unset dashboard
// variable that way, and a klip must not break when a user picks "all". Trailing blanks go: Redshift
// compares 'x ' equal to 'x' and PostgreSQL does not (stored values have none, see extract/activities.sql),
// so both engines select the same rows.
const filterValue = ({ value }: { value: unknown }) => {
  const text = typeof value === 'string' ? value.replace(/ +$/, '') : value;
  return text === '' ? undefined : text;
};
const lowerCaseFilterValue = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (filterValue({ value }) as string | undefined)?.toLowerCase() : filterValue({ value });
const dateMessage = (name: string) =>
  `${name} accepts a date written YYYY-MM-DD from ${FIRST_DATE} to ${LAST_DATE} (inclusive, in the report time zone), e.g. 2026-11-01`;

// Swagger UI's "Try it out" fills in a parameter's first example: for the filters and period, that is
// "none" (an empty value, which it does not send), so a first try answers the default view.
function filterExamples(value: string) {
  return { none: { summary: 'no filter (empty)', value: '' }, one: { summary: `only ${value}`, value } };
}
const NO_FILTER = 'Empty or left out: no filter.';

// Query parameters of every klip (api.md). Filters combine with AND; a value that matches nothing gives zeros.
export class MetricQuery {
  @ApiPropertyOptional({ description: 'first day, inclusive, report time zone (default: 29 days before `to`)', example: '2026-11-01' })
  @IsOptional()
  @Validate(CalendarDate, { message: dateMessage('from') })
  from?: string;

  @ApiPropertyOptional({ description: 'last day, inclusive, report time zone (default: today)', example: '2026-11-07' })
  @IsOptional()
  @Validate(CalendarDate, { message: dateMessage('to') })
  to?: string;

  @ApiPropertyOptional({
    enum: PERIODS,
    description: `a range resolved on the server in the report time zone; not together with from/to (at most ${MAX_RANGE_DAYS} days either way)`,
    examples: { none: { summary: 'no period (from/to instead)', value: '' }, last7: { summary: 'the last 7 days', value: 'last_7_days' } },
  })
  @IsOptional()
  @IsIn(PERIODS, { message: `period accepts ${PERIODS.join(', ')}` })
  period?: Period;

  @ApiPropertyOptional({ enum: GRANULARITIES, description: 'bucket size: ISO weeks start on Monday, months on the 1st', example: 'day' })
  @IsOptional()
  @IsIn(GRANULARITIES, { message: `granularity accepts ${GRANULARITIES.join(', ')}` })
  granularity?: Granularity;

  @ApiPropertyOptional({
    description: `app: the app_name callback value (else app_id, else app_token). ${NO_FILTER}`,
    examples: filterExamples('com.example.fitapp'),
  })
  @Transform(filterValue)
  @IsOptional()
  @IsString({ message: 'app accepts one app name, e.g. com.example.fitapp' })
  @Validate(Printable, { message: 'app accepts one app name of 1 to 256 characters without control characters, e.g. com.example.fitapp' })
  @Length(1, 256, { message: 'app accepts one app name of 1 to 256 characters without control characters, e.g. com.example.fitapp' })
  app?: string;

  @ApiPropertyOptional({ description: `os_name, lower case (android, ios, …). ${NO_FILTER}`, examples: filterExamples('android') })
  @IsOptional()
  @IsString({ message: 'os accepts one os_name, e.g. android or ios' })
  @Transform(lowerCaseFilterValue)
  @Validate(Printable, { message: 'os accepts one os_name of 1 to 32 characters without control characters, e.g. android or ios' })
  @Length(1, 32, { message: 'os accepts one os_name of 1 to 32 characters without control characters, e.g. android or ios' })
  os?: string;

  @ApiPropertyOptional({ description: `two-letter country code, lower case. ${NO_FILTER}`, examples: filterExamples('de') })
  @IsOptional()
  @IsString({ message: 'country accepts a two-letter country code, e.g. de' })
  @Transform(lowerCaseFilterValue)
  @Matches(/^[a-z]{2}$/, { message: 'country accepts a two-letter country code, e.g. de' })
  country?: string;

  @ApiPropertyOptional({
    description: `channel: network_name, else the first :: segment of tracker_name, else Organic or Unknown (installs: dynamic channel). ${NO_FILTER}`,
    examples: filterExamples('Organic'),
  })
  @Transform(filterValue)
  @IsOptional()
  @IsString({ message: 'channel accepts one channel name, e.g. Organic or Facebook Installs' })
  @Validate(Printable, { message: 'channel accepts one channel name of 1 to 256 characters without control characters, e.g. Organic' })
  @Length(1, 256, { message: 'channel accepts one channel name of 1 to 256 characters without control characters, e.g. Organic' })
  channel?: string;

  @ApiPropertyOptional({ enum: FORMATS, description: 'answer format; Accept: text/csv also selects CSV', example: 'json' })
  @IsOptional()
  @IsIn(FORMATS, { message: `format accepts ${FORMATS.join(', ')}` })
  format?: Format;
}
