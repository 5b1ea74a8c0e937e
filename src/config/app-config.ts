import path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { OperatorError } from '../common/operator-error.js';
import type { EtlSchedule } from '../etl/load-schedule.js';
import { Environment, LOG_LEVELS, SESSION_LENGTH_FIELDS, splitList } from './environment.js';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type SessionLengthField = (typeof SESSION_LENGTH_FIELDS)[number];
export type WarehouseEngine = 'postgres' | 'redshift';

// The one typed configuration object; nothing else in the service reads process.env.
export class AppConfig {
  port!: number;
  dataDir!: string;
  // true when DATABASE_URL is unset: the service runs its own PostgreSQL under DATA_DIR
  embedded!: boolean;
  sourceUrl?: string;
  // statementTimeoutMs: what every Redshift session sets as its statement_timeout
  warehouse!: { engine: WarehouseEngine; url?: string; statementTimeoutMs: number };
  stageUrl!: string;
  s3!: { endpoint?: string; region?: string };
  redshiftIamRole?: string;
  // repairNice: the niceness (0-19) of the process a window run or a rebuild of the service runs in
  etl!: { schedule: EtlSchedule; reconcileCron: string | null; windowDays: number; repairNice: number };
  stage!: { partSizeBytes: number; retentionDays: number };
  report!: { timezone: string; registrationEvents: string[]; sessionLengthField: SessionLengthField };
  // callbackToken: the token callbacks must carry; callbackTokenOff: CALLBACK_TOKEN=none, no check on purpose
  auth!: { apiKeys: string[]; adminApiKeys: string[]; callbackToken?: string; callbackTokenOff: boolean };
  // metric requests per minute and API key; null: no limit
  rateLimitPerMinute!: number | null;
  // the optional push of a refresh to Klipfolio after each load that changed the data; null: off
  klipfolio!: KlipfolioPushConfig | null;
  collector!: { rejectedRetentionDays: number };
  demo!: boolean;
  logLevel!: LogLevel;
}

export type KlipfolioPushConfig = { apiKey: string; datasources: string[]; apiUrl: string; minIntervalSeconds: number };

export class ConfigError extends OperatorError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export function loadConfig(raw: Record<string, string | undefined>, cwd = process.cwd()): AppConfig {
  const env = plainToInstance(Environment, pickKnown(raw));
  const embedded = env.DATABASE_URL === undefined;
  const problems = validateSync(env).flatMap((error) => Object.values(error.constraints ?? {}));
  // part of the same list, so one start tells the operator everything that is wrong
  if (env.WAREHOUSE_URL?.startsWith('redshift://') && !env.STAGE_URL?.startsWith('s3://')) {
    problems.push('STAGE_URL must be an s3://bucket/prefix with a redshift:// WAREHOUSE_URL (Redshift loads staged files from S3 only)');
  }
  if (env.ETL_SCHEDULE !== undefined && env.ETL_CRON !== undefined && env.ETL_SCHEDULE !== env.ETL_CRON) {
    problems.push('ETL_SCHEDULE and ETL_CRON are both set: ETL_CRON is the older name of a cron ETL_SCHEDULE; keep one');
  }
  if (!embedded && env.API_KEYS === undefined && env.ADMIN_API_KEYS === undefined) {
    problems.push('API_KEYS or ADMIN_API_KEYS is required when DATABASE_URL is set (only the embedded default generates a key)');
  }
  // an open collector is a choice to make on purpose, never a default of production
  if (!embedded && env.CALLBACK_TOKEN === undefined) {
    problems.push(
      'CALLBACK_TOKEN is required when DATABASE_URL is set (only the embedded default generates one): the secret the Adjust callback URL carries as token=…, or "none" to accept callbacks without a token on purpose',
    );
  }
  const unique = [...new Set(problems)];
  if (unique.length > 0) throw new ConfigError(unique);

  const dataDir = path.resolve(cwd, env.DATA_DIR ?? '.data');
  const engine = env.WAREHOUSE_URL?.startsWith('redshift://') ? 'redshift' : 'postgres';
  const config: AppConfig = {
    port: env.PORT ?? 3000,
    dataDir,
    embedded,
    sourceUrl: env.DATABASE_URL,
    warehouse: { engine, url: env.WAREHOUSE_URL, statementTimeoutMs: (env.WAREHOUSE_STATEMENT_TIMEOUT ?? 3600) * 1000 },
    stageUrl: env.STAGE_URL ?? `file://${path.join(dataDir, 'stage')}`,
    s3: { endpoint: env.S3_ENDPOINT, region: env.AWS_REGION },
    redshiftIamRole: env.REDSHIFT_IAM_ROLE,
    etl: {
      schedule: etlSchedule(env.ETL_SCHEDULE ?? env.ETL_CRON, engine, env.ETL_MIN_INTERVAL ?? 10),
      reconcileCron: cronOrOff(env.ETL_RECONCILE_CRON, '35 3 * * *'),
      windowDays: env.ETL_WINDOW_DAYS ?? 7,
      repairNice: env.ETL_REPAIR_NICE ?? 10,
    },
    stage: { partSizeBytes: (env.STAGE_PART_SIZE_MB ?? 16) * 1024 * 1024, retentionDays: env.STAGE_RETENTION_DAYS ?? 7 },
    report: {
      timezone: env.REPORT_TIMEZONE ?? 'UTC',
      registrationEvents: splitList(env.REGISTRATION_EVENTS ?? 'registration'),
      sessionLengthField: env.SESSION_LENGTH_FIELD ?? 'last_time_spent',
    },
    auth: {
      apiKeys: splitList(env.API_KEYS),
      adminApiKeys: splitList(env.ADMIN_API_KEYS),
      callbackToken: env.CALLBACK_TOKEN === CALLBACK_TOKEN_OFF ? undefined : env.CALLBACK_TOKEN,
      callbackTokenOff: env.CALLBACK_TOKEN === CALLBACK_TOKEN_OFF,
    },
    rateLimitPerMinute: env.RATE_LIMIT === 'off' ? null : Number(env.RATE_LIMIT ?? 600),
    klipfolio: klipfolioPush(env),
    collector: { rejectedRetentionDays: env.REJECTED_RETENTION_DAYS ?? 30 },
    demo: env.DEMO === undefined ? embedded : env.DEMO === 'true',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
  return config;
}

function klipfolioPush(env: Environment): KlipfolioPushConfig | null {
  if (env.KLIPFOLIO_API_KEY === undefined) return null;
  return {
    apiKey: env.KLIPFOLIO_API_KEY,
    datasources: splitList(env.KLIPFOLIO_DATASOURCES),
    apiUrl: (env.KLIPFOLIO_API_URL ?? 'https://app.klipfolio.com/api/1.0').replace(/\/+$/, ''),
    minIntervalSeconds: env.KLIPFOLIO_MIN_INTERVAL ?? 60,
  };
}

export const CALLBACK_TOKEN_OFF = 'none';

const cronOrOff = (value: string | undefined, fallback: string) => (value === 'off' ? null : (value ?? fallback));

// By default loads follow each other on PostgreSQL; on Redshift, where every commit costs cluster time,
// they run every minute.
function etlSchedule(value: string | undefined, engine: WarehouseEngine, minIntervalSeconds: number): EtlSchedule {
  const chosen = value ?? (engine === 'redshift' ? '* * * * *' : 'continuous');
  if (chosen === 'off') return { kind: 'off' };
  if (chosen === 'continuous') return { kind: 'continuous', minIntervalSeconds };
  return { kind: 'cron', expression: chosen };
}

function pickKnown(raw: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(ENVIRONMENT_KEYS.map((key) => [key, raw[key]]));
}

// every variable the service reads (the benchmarks pass exactly these to the processes they start)
export const ENVIRONMENT_KEYS = [
  'PORT',
  'DATA_DIR',
  'DATABASE_URL',
  'WAREHOUSE_URL',
  'STAGE_URL',
  'S3_ENDPOINT',
  'AWS_REGION',
  'REDSHIFT_IAM_ROLE',
  'WAREHOUSE_STATEMENT_TIMEOUT',
  'ETL_SCHEDULE',
  'ETL_CRON',
  'ETL_MIN_INTERVAL',
  'ETL_WINDOW_DAYS',
  'ETL_REPAIR_NICE',
  'ETL_RECONCILE_CRON',
  'STAGE_PART_SIZE_MB',
  'STAGE_RETENTION_DAYS',
  'REPORT_TIMEZONE',
  'REGISTRATION_EVENTS',
  'SESSION_LENGTH_FIELD',
  'API_KEYS',
  'ADMIN_API_KEYS',
  'RATE_LIMIT',
  'KLIPFOLIO_API_KEY',
  'KLIPFOLIO_DATASOURCES',
  'KLIPFOLIO_API_URL',
  'KLIPFOLIO_MIN_INTERVAL',
  'CALLBACK_TOKEN',
  'REJECTED_RETENTION_DAYS',
  'DEMO',
  'LOG_LEVEL',
];
