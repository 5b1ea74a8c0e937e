import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  type ValidatorConstraintInterface,
  ValidatorConstraint,
} from 'class-validator';
import { validateCronExpression } from 'cron';

// Every environment variable the service reads, with the rule that `message` explains to the operator.
// Messages name what a variable accepts and never echo its value (it may be a secret).

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const SESSION_LENGTH_FIELDS = ['last_time_spent', 'time_spent'] as const;
const MIN_KEY_LENGTH = 16;

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

@ValidatorConstraint({ name: 'cron' })
class CronOrOff implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return value === 'off' || validateCronExpression(String(value)).valid;
  }
}

@ValidatorConstraint({ name: 'schedule' })
class Schedule implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return value === 'continuous' || new CronOrOff().validate(value);
  }
}

// A password with an unencoded `#` passes a pattern but not the URL parser the drivers use.
@ValidatorConstraint({ name: 'url' })
class ParsableUrl implements ValidatorConstraintInterface {
  validate(value: unknown) {
    try {
      return new URL(String(value)).hostname !== '';
    } catch {
      return false;
    }
  }
}

@ValidatorConstraint({ name: 'timezone' })
class IanaTimezone implements ValidatorConstraintInterface {
  validate(value: unknown) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: String(value) }).resolvedOptions().timeZone !== '';
    } catch {
      return false;
    }
  }
}

@ValidatorConstraint({ name: 'keyList' })
class KeyList implements ValidatorConstraintInterface {
  validate(value: unknown) {
    const keys = splitList(String(value));
    return keys.length > 0 && keys.every((key) => key.length >= MIN_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key));
  }
}

// Klipfolio's data source ids are 32 hexadecimal characters; letters and digits of any case are let
// through, but a pasted URL or name is not.
@ValidatorConstraint({ name: 'datasourceList' })
class DatasourceList implements ValidatorConstraintInterface {
  validate(value: unknown) {
    const ids = splitList(typeof value === 'string' ? value : '');
    return ids.length > 0 && ids.every((id) => /^[0-9A-Za-z]{8,64}$/.test(id));
  }
}

// The names are kept in the warehouse (stg.registration_event VARCHAR(256), the build record's
// VARCHAR(4096) list), whose limits Redshift counts in bytes: a longer value would fail every refresh.
@ValidatorConstraint({ name: 'registrationEventBytes' })
class RegistrationEventBytes implements ValidatorConstraintInterface {
  validate(value: unknown) {
    const names = splitList(typeof value === 'string' ? value : '');
    return names.every((name) => Buffer.byteLength(name) <= 256) && Buffer.byteLength(names.join(',')) <= 4096;
  }
}

const klipfolioPush = (env: Environment) => env.KLIPFOLIO_API_KEY !== undefined || env.KLIPFOLIO_DATASOURCES !== undefined;

export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

// 0: any free port, which the banner then names
const PORT_RANGE = 'PORT accepts a whole number from 0 (any free port) to 65535';

export class Environment {
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: PORT_RANGE })
  @Min(0, { message: PORT_RANGE })
  @Max(65535, { message: PORT_RANGE })
  PORT?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString({ message: 'DATA_DIR accepts a folder path' })
  DATA_DIR?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL accepts a postgres://user:password@host:port/database URL' })
  @Validate(ParsableUrl, {
    message: 'DATABASE_URL is not a valid URL: percent-encode special characters (# @ / ? %) in the user or password',
  })
  DATABASE_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(postgres(ql)?|redshift):\/\/\S+$/, {
    message: 'WAREHOUSE_URL accepts a postgres://… or redshift://user:password@host:5439/database URL',
  })
  @Validate(ParsableUrl, {
    message: 'WAREHOUSE_URL is not a valid URL: percent-encode special characters (# @ / ? %) in the user or password',
  })
  WAREHOUSE_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?|file:\/\/\/\S*)$/, {
    message: 'STAGE_URL accepts s3://bucket/prefix or file:///absolute/path',
  })
  STAGE_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'S3_ENDPOINT accepts an http(s):// URL of an S3-compatible store' })
  S3_ENDPOINT?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'AWS_REGION accepts an AWS region name such as eu-west-1' })
  AWS_REGION?: string;

  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.WAREHOUSE_URL?.startsWith('redshift://') === true || env.REDSHIFT_IAM_ROLE !== undefined)
  @Matches(/^(default|arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+)$/, {
    message:
      'REDSHIFT_IAM_ROLE is required with a redshift:// WAREHOUSE_URL and accepts a role ARN (arn:aws:iam::123456789012:role/name) or "default"',
  })
  REDSHIFT_IAM_ROLE?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Validate(Schedule, {
    message: 'ETL_SCHEDULE accepts continuous, a cron expression such as */10 * * * * (UTC, seconds field allowed) or "off"',
  })
  ETL_SCHEDULE?: string;

  // the older name of a cron ETL_SCHEDULE
  @Transform(emptyToUndefined)
  @IsOptional()
  @Validate(CronOrOff, { message: 'ETL_CRON accepts a cron expression such as */10 * * * * or "off"' })
  ETL_CRON?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'ETL_MIN_INTERVAL accepts a whole number of seconds from 1 to 3600' })
  @Min(1, { message: 'ETL_MIN_INTERVAL accepts a whole number of seconds from 1 to 3600' })
  @Max(3600, { message: 'ETL_MIN_INTERVAL accepts a whole number of seconds from 1 to 3600' })
  ETL_MIN_INTERVAL?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'ETL_WINDOW_DAYS accepts a whole number of days from 1 to 731' })
  @Min(1, { message: 'ETL_WINDOW_DAYS accepts a whole number of days from 1 to 731' })
  @Max(731, { message: 'ETL_WINDOW_DAYS accepts a whole number of days from 1 to 731' })
  ETL_WINDOW_DAYS?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'ETL_REPAIR_NICE accepts a whole number from 0 to 19' })
  @Min(0, { message: 'ETL_REPAIR_NICE accepts a whole number from 0 to 19' })
  @Max(19, { message: 'ETL_REPAIR_NICE accepts a whole number from 0 to 19' })
  ETL_REPAIR_NICE?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Validate(CronOrOff, { message: 'ETL_RECONCILE_CRON accepts a cron expression such as 30 3 * * * or "off"' })
  ETL_RECONCILE_CRON?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'STAGE_PART_SIZE_MB accepts a whole number of megabytes from 1 to 4096' })
  @Min(1, { message: 'STAGE_PART_SIZE_MB accepts a whole number of megabytes from 1 to 4096' })
  @Max(4096, { message: 'STAGE_PART_SIZE_MB accepts a whole number of megabytes from 1 to 4096' })
  STAGE_PART_SIZE_MB?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'STAGE_RETENTION_DAYS accepts a whole number of days from 1 to 365' })
  @Min(1, { message: 'STAGE_RETENTION_DAYS accepts a whole number of days from 1 to 365' })
  @Max(365, { message: 'STAGE_RETENTION_DAYS accepts a whole number of days from 1 to 365' })
  STAGE_RETENTION_DAYS?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'WAREHOUSE_STATEMENT_TIMEOUT accepts a whole number of seconds from 10 to 86400' })
  @Min(10, { message: 'WAREHOUSE_STATEMENT_TIMEOUT accepts a whole number of seconds from 10 to 86400' })
  @Max(86400, { message: 'WAREHOUSE_STATEMENT_TIMEOUT accepts a whole number of seconds from 10 to 86400' })
  WAREHOUSE_STATEMENT_TIMEOUT?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Validate(IanaTimezone, { message: 'REPORT_TIMEZONE accepts an IANA time zone name such as UTC or Europe/Berlin' })
  REPORT_TIMEZONE?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/[^,\s]/, { message: 'REGISTRATION_EVENTS accepts a comma list of event tokens or names' })
  @Validate(RegistrationEventBytes, {
    message: 'REGISTRATION_EVENTS accepts event tokens or names of at most 256 bytes each (UTF-8), 4096 bytes in all',
  })
  REGISTRATION_EVENTS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(SESSION_LENGTH_FIELDS, { message: 'SESSION_LENGTH_FIELD accepts last_time_spent or time_spent' })
  SESSION_LENGTH_FIELD?: (typeof SESSION_LENGTH_FIELDS)[number];

  @Transform(emptyToUndefined)
  @IsOptional()
  @Validate(KeyList, { message: `API_KEYS accepts a comma list of keys of at least ${MIN_KEY_LENGTH} printable characters` })
  API_KEYS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Validate(KeyList, { message: `ADMIN_API_KEYS accepts a comma list of keys of at least ${MIN_KEY_LENGTH} printable characters` })
  ADMIN_API_KEYS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(none|[\x21-\x7e]{8,})$/, {
    message: 'CALLBACK_TOKEN accepts at least 8 printable characters without spaces, or "none" to accept callbacks without a token',
  })
  CALLBACK_TOKEN?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'REJECTED_RETENTION_DAYS accepts a whole number of days from 1 to 3650' })
  @Min(1, { message: 'REJECTED_RETENTION_DAYS accepts a whole number of days from 1 to 3650' })
  @Max(3650, { message: 'REJECTED_RETENTION_DAYS accepts a whole number of days from 1 to 3650' })
  REJECTED_RETENTION_DAYS?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'DEMO accepts true or false' })
  DEMO?: 'true' | 'false';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(off|[1-9]\d{0,5})$/, {
    message: 'RATE_LIMIT accepts a number of metric requests per minute and API key (1 to 999999) or "off"',
  })
  RATE_LIMIT?: string;

  @Transform(emptyToUndefined)
  @ValidateIf(klipfolioPush)
  @Matches(/^[\x21-\x7e]{8,}$/, {
    message: 'KLIPFOLIO_API_KEY is required with KLIPFOLIO_DATASOURCES and accepts a Klipfolio API key (8+ printable characters)',
  })
  KLIPFOLIO_API_KEY?: string;

  @Transform(emptyToUndefined)
  @ValidateIf(klipfolioPush)
  @Validate(DatasourceList, {
    message: 'KLIPFOLIO_DATASOURCES is required with KLIPFOLIO_API_KEY and accepts a comma list of Klipfolio data source ids',
  })
  KLIPFOLIO_DATASOURCES?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'KLIPFOLIO_API_URL accepts an http(s):// URL such as https://app.klipfolio.com/api/1.0' })
  @Validate(ParsableUrl, { message: 'KLIPFOLIO_API_URL accepts an http(s):// URL such as https://app.klipfolio.com/api/1.0' })
  KLIPFOLIO_API_URL?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'KLIPFOLIO_MIN_INTERVAL accepts a whole number of seconds from 1 to 86400' })
  @Min(1, { message: 'KLIPFOLIO_MIN_INTERVAL accepts a whole number of seconds from 1 to 86400' })
  @Max(86400, { message: 'KLIPFOLIO_MIN_INTERVAL accepts a whole number of seconds from 1 to 86400' })
  KLIPFOLIO_MIN_INTERVAL?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL accepts one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: (typeof LOG_LEVELS)[number];
}
