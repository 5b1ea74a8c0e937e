import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';

const CWD = '/srv/kpi';
const SOURCE_URL = 'postgres://kpi:source-secret@db.internal:5432/adjust';
const READER_KEY = 'reader-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const CALLBACK_TOKEN = 'adjust-callback-token-1';
// the production shape: an external source database, keys and the callback token
const PRODUCTION = { DATABASE_URL: SOURCE_URL, API_KEYS: READER_KEY, CALLBACK_TOKEN };
const KLIPFOLIO_KEY = 'kf-api-key-0123456789abcdef';
const DATASOURCE_A = '1a12bc34de56abc12de3ab4c45de12a3';
const DATASOURCE_B = '2a12bc34de12abc12de3ab3c45de32a1';

// The error a configuration is refused with (fails the test when it is accepted).
function refusal(env: Record<string, string | undefined>): ConfigError {
  let refused: unknown;
  try {
    loadConfig(env, CWD);
  } catch (error) {
    refused = error;
  }
  expect(refused).toBeInstanceOf(ConfigError);
  return refused as ConfigError;
}

const problemsOf = (env: Record<string, string | undefined>): string[] => refusal(env).problems;

describe('loadConfig', () => {
  describe('defaults', () => {
    it('runs the embedded default with an empty environment', () => {
      const config = loadConfig({}, CWD);
      expect(config).toMatchObject({
        port: 3000,
        dataDir: path.join(CWD, '.data'),
        embedded: true,
        sourceUrl: undefined,
        warehouse: { engine: 'postgres', url: undefined, statementTimeoutMs: 3_600_000 },
        stageUrl: `file://${path.join(CWD, '.data', 'stage')}`,
        etl: { schedule: { kind: 'continuous', minIntervalSeconds: 10 }, windowDays: 7, repairNice: 10 },
        report: { timezone: 'UTC', registrationEvents: ['registration'], sessionLengthField: 'last_time_spent' },
        auth: { apiKeys: [], adminApiKeys: [], callbackToken: undefined, callbackTokenOff: false },
        rateLimitPerMinute: 600,
        collector: { rejectedRetentionDays: 30 },
        demo: true,
        logLevel: 'info',
      });
    });

    it('reads RATE_LIMIT as requests per minute, or off for none', () => {
      expect(loadConfig({ RATE_LIMIT: '90' }, CWD).rateLimitPerMinute).toBe(90);
      expect(loadConfig({ RATE_LIMIT: 'off' }, CWD).rateLimitPerMinute).toBeNull();
    });

    it('treats empty strings as unset, as a blank line in an .env file means', () => {
      const config = loadConfig({ PORT: '', DATABASE_URL: '', ETL_SCHEDULE: '', ETL_CRON: '', DEMO: '', LOG_LEVEL: '' }, CWD);
      expect(config).toMatchObject({
        port: 3000,
        embedded: true,
        etl: { schedule: { kind: 'continuous', minIntervalSeconds: 10 } },
        demo: true,
        logLevel: 'info',
      });
    });

    it('resolves a relative DATA_DIR against the working folder and puts the staging folder in it', () => {
      const config = loadConfig({ DATA_DIR: 'var/kpi' }, CWD);
      expect(config.dataDir).toBe(path.join(CWD, 'var/kpi'));
      expect(config.stageUrl).toBe(`file://${path.join(CWD, 'var/kpi', 'stage')}`);
    });

    it('ignores variables the service does not know', () => {
      expect(loadConfig({ NODE_ENV: 'production', SHELL: '/bin/bash' }, CWD).embedded).toBe(true);
    });
  });

  describe('accepted values', () => {
    it('reads the production configuration into the typed object', () => {
      const config = loadConfig(
        {
          PORT: '8080',
          DATABASE_URL: SOURCE_URL,
          WAREHOUSE_URL: 'redshift://kpi:wh-secret@cluster.abc.eu-west-1.redshift.amazonaws.com/analytics',
          STAGE_URL: 's3://kpi-stage/adjust',
          S3_ENDPOINT: 'http://localhost:9000',
          AWS_REGION: 'eu-west-1',
          REDSHIFT_IAM_ROLE: 'arn:aws:iam::123456789012:role/kpi-copy',
          WAREHOUSE_STATEMENT_TIMEOUT: '900',
          ETL_CRON: '*/5 * * * *',
          ETL_WINDOW_DAYS: '3',
          REPORT_TIMEZONE: 'Europe/Berlin',
          REGISTRATION_EVENTS: 'abc123, sign_up ,',
          SESSION_LENGTH_FIELD: 'time_spent',
          API_KEYS: `${READER_KEY}, ${READER_KEY}-2`,
          ADMIN_API_KEYS: ADMIN_KEY,
          CALLBACK_TOKEN: 'adjust-token-1',
          REJECTED_RETENTION_DAYS: '90',
          DEMO: 'false',
          LOG_LEVEL: 'debug',
        },
        CWD,
      );
      expect(config).toMatchObject({
        port: 8080,
        embedded: false,
        sourceUrl: SOURCE_URL,
        warehouse: { engine: 'redshift', statementTimeoutMs: 900_000 },
        stageUrl: 's3://kpi-stage/adjust',
        s3: { endpoint: 'http://localhost:9000', region: 'eu-west-1' },
        redshiftIamRole: 'arn:aws:iam::123456789012:role/kpi-copy',
        etl: { schedule: { kind: 'cron', expression: '*/5 * * * *' }, windowDays: 3 },
        report: { timezone: 'Europe/Berlin', registrationEvents: ['abc123', 'sign_up'], sessionLengthField: 'time_spent' },
        auth: { apiKeys: [READER_KEY, `${READER_KEY}-2`], adminApiKeys: [ADMIN_KEY], callbackToken: 'adjust-token-1' },
        collector: { rejectedRetentionDays: 90 },
        demo: false,
        logLevel: 'debug',
      });
    });

    it('turns the schedule off with ETL_SCHEDULE=off, or its older name ETL_CRON=off', () => {
      expect(loadConfig({ ETL_SCHEDULE: 'off' }, CWD).etl.schedule).toEqual({ kind: 'off' });
      expect(loadConfig({ ETL_CRON: 'off' }, CWD).etl.schedule).toEqual({ kind: 'off' });
    });

    it('loads continuously on PostgreSQL, at most every ETL_MIN_INTERVAL seconds', () => {
      expect(loadConfig({ ETL_SCHEDULE: 'continuous', ETL_MIN_INTERVAL: '3' }, CWD).etl.schedule).toEqual({
        kind: 'continuous',
        minIntervalSeconds: 3,
      });
      expect(loadConfig({ ...PRODUCTION, WAREHOUSE_URL: 'postgres://u:p@wh:5432/db' }, CWD).etl.schedule).toEqual({
        kind: 'continuous',
        minIntervalSeconds: 10,
      });
    });

    it('loads every minute by default on Redshift, where every commit costs cluster time', () => {
      const redshift = {
        ...PRODUCTION,
        WAREHOUSE_URL: 'redshift://u:p@host:5439/db',
        REDSHIFT_IAM_ROLE: 'default',
        STAGE_URL: 's3://b-1/p',
      };
      expect(loadConfig(redshift, CWD).etl.schedule).toEqual({ kind: 'cron', expression: '* * * * *' });
      expect(loadConfig({ ...redshift, ETL_SCHEDULE: 'continuous' }, CWD).etl.schedule).toEqual({
        kind: 'continuous',
        minIntervalSeconds: 10,
      });
    });

    it('takes a cron schedule by either name, and refuses two different ones', () => {
      expect(loadConfig({ ETL_SCHEDULE: '*/30 * * * * *' }, CWD).etl.schedule).toEqual({ kind: 'cron', expression: '*/30 * * * * *' });
      expect(loadConfig({ ETL_CRON: '*/10 * * * *' }, CWD).etl.schedule).toEqual({ kind: 'cron', expression: '*/10 * * * *' });
      expect(loadConfig({ ETL_SCHEDULE: '*/10 * * * *', ETL_CRON: '*/10 * * * *' }, CWD).etl.schedule.kind).toBe('cron');
      expect(problemsOf({ ETL_SCHEDULE: 'continuous', ETL_CRON: '*/10 * * * *' })).toEqual([
        'ETL_SCHEDULE and ETL_CRON are both set: ETL_CRON is the older name of a cron ETL_SCHEDULE; keep one',
      ]);
    });

    it('accepts "default" as the Redshift IAM role', () => {
      const config = loadConfig(
        { ...PRODUCTION, WAREHOUSE_URL: 'redshift://u:p@host:5439/db', REDSHIFT_IAM_ROLE: 'default', STAGE_URL: 's3://kpi-stage/etl' },
        CWD,
      );
      expect(config.redshiftIamRole).toBe('default');
    });

    it('turns the Klipfolio push on with a key and data sources, with the documented URL and interval by default', () => {
      expect(loadConfig({}, CWD).klipfolio).toBeNull();
      expect(
        loadConfig({ KLIPFOLIO_API_KEY: KLIPFOLIO_KEY, KLIPFOLIO_DATASOURCES: `${DATASOURCE_A}, ${DATASOURCE_B}` }, CWD).klipfolio,
      ).toEqual({
        apiKey: KLIPFOLIO_KEY,
        datasources: [DATASOURCE_A, DATASOURCE_B],
        apiUrl: 'https://app.klipfolio.com/api/1.0',
        minIntervalSeconds: 60,
      });
      const local = { KLIPFOLIO_API_URL: 'http://127.0.0.1:9000/api/1.0/', KLIPFOLIO_MIN_INTERVAL: '5' };
      expect(loadConfig({ KLIPFOLIO_API_KEY: KLIPFOLIO_KEY, KLIPFOLIO_DATASOURCES: DATASOURCE_A, ...local }, CWD).klipfolio).toMatchObject({
        apiUrl: 'http://127.0.0.1:9000/api/1.0',
        minIntervalSeconds: 5,
      });
    });

    it('takes PORT=0 for any free port', () => {
      expect(loadConfig({ PORT: '0' }, CWD).port).toBe(0);
    });

    it('runs the demo traffic only on the embedded default unless DEMO says otherwise', () => {
      expect(loadConfig({}, CWD).demo).toBe(true);
      expect(loadConfig(PRODUCTION, CWD).demo).toBe(false);
      expect(loadConfig({ DEMO: 'false' }, CWD).demo).toBe(false);
      expect(loadConfig({ ...PRODUCTION, DEMO: 'true' }, CWD).demo).toBe(true);
    });
  });

  describe('rejected values', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '-1'],
      ['PORT', '65536'],
      ['PORT', '80.5'],
      ['DATABASE_URL', 'mysql://kpi:pw@db/adjust'],
      ['WAREHOUSE_URL', 'snowflake://acct/db'],
      ['STAGE_URL', 'ftp://stage/prefix'],
      ['STAGE_URL', 'file://relative/path'],
      ['S3_ENDPOINT', 'minio:9000'],
      ['AWS_REGION', 'Europe'],
      ['ETL_CRON', 'every ten minutes'],
      ['ETL_CRON', 'continuous'],
      ['ETL_SCHEDULE', 'every ten minutes'],
      ['ETL_MIN_INTERVAL', '0'],
      ['ETL_MIN_INTERVAL', '3601'],
      ['ETL_MIN_INTERVAL', '2.5'],
      ['ETL_CRON', '*/10 * * *'],
      ['ETL_WINDOW_DAYS', '0'],
      ['ETL_WINDOW_DAYS', '732'],
      ['ETL_WINDOW_DAYS', 'seven'],
      ['ETL_REPAIR_NICE', '-1'],
      ['ETL_REPAIR_NICE', '20'],
      ['ETL_REPAIR_NICE', 'low'],
      ['ETL_RECONCILE_CRON', 'nightly'],
      ['STAGE_PART_SIZE_MB', '0'],
      ['STAGE_PART_SIZE_MB', '4097'],
      ['STAGE_RETENTION_DAYS', '0'],
      ['STAGE_RETENTION_DAYS', 'week'],
      ['REPORT_TIMEZONE', 'Mars/Olympus_Mons'],
      ['WAREHOUSE_STATEMENT_TIMEOUT', '5'],
      ['WAREHOUSE_STATEMENT_TIMEOUT', '86401'],
      ['WAREHOUSE_STATEMENT_TIMEOUT', 'hour'],
      ['SESSION_LENGTH_FIELD', 'session_length'],
      // Redshift's VARCHAR(256) counts bytes: 129 × 'é' is 258
      ['REGISTRATION_EVENTS', `registration,${'é'.repeat(129)}`],
      // the list is kept in a VARCHAR(4096)
      ['REGISTRATION_EVENTS', Array.from({ length: 20 }, (_unused, i) => `${i}`.padEnd(256, 'x')).join(',')],
      ['API_KEYS', 'short-key'],
      ['API_KEYS', `${READER_KEY},short`],
      ['ADMIN_API_KEYS', 'has a space in the key'],
      ['CALLBACK_TOKEN', 'tiny'],
      ['CALLBACK_TOKEN', 'NONE'],
      ['REJECTED_RETENTION_DAYS', '0'],
      ['REJECTED_RETENTION_DAYS', '3651'],
      ['REJECTED_RETENTION_DAYS', 'month'],
      ['LOG_LEVEL', 'verbose'],
      ['RATE_LIMIT', '0'],
      ['RATE_LIMIT', 'unlimited'],
      ['DEMO', 'yes'],
      ['KLIPFOLIO_API_URL', 'app.klipfolio.com/api/1.0'],
      ['KLIPFOLIO_MIN_INTERVAL', '0'],
      ['KLIPFOLIO_MIN_INTERVAL', '86401'],
      ['KLIPFOLIO_MIN_INTERVAL', 'minute'],
    ])('rejects %s=%j naming the variable and what it accepts', (name, value) => {
      // keys and a token are set so that a bad DATABASE_URL is the only problem
      const problems = problemsOf({ ADMIN_API_KEYS: ADMIN_KEY, CALLBACK_TOKEN, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name} accepts `));
    });

    it('refuses a connection URL whose password has an unencoded special character, saying how to fix it', () => {
      const problems = problemsOf({
        ...PRODUCTION,
        DATABASE_URL: 'postgres://kpi:p#ss@db.internal/adjust',
        WAREHOUSE_URL: 'redshift://u:a#b@c/dev',
      });
      expect(problems.filter((problem) => problem.includes('percent-encode')).map((problem) => problem.split(' ')[0])).toEqual([
        'DATABASE_URL',
        'WAREHOUSE_URL',
      ]);
      expect(loadConfig({ ...PRODUCTION, DATABASE_URL: 'postgres://kpi:p%23ss@db.internal/adjust' }, CWD).sourceUrl).toBe(
        'postgres://kpi:p%23ss@db.internal/adjust',
      );
    });

    it('requires REDSHIFT_IAM_ROLE with a redshift:// warehouse', () => {
      const problems = problemsOf({
        ...PRODUCTION,
        WAREHOUSE_URL: 'redshift://kpi:pw@cluster:5439/analytics',
        STAGE_URL: 's3://kpi-stage',
      });
      expect(problems).toEqual([expect.stringMatching(/^REDSHIFT_IAM_ROLE is required with a redshift:\/\/ WAREHOUSE_URL/)]);
    });

    it('requires an s3:// STAGE_URL with a redshift:// warehouse, which loads only from S3', () => {
      const redshift = { ...PRODUCTION, WAREHOUSE_URL: 'redshift://kpi:pw@cluster:5439/analytics', REDSHIFT_IAM_ROLE: 'default' };
      expect(problemsOf(redshift)).toEqual([expect.stringMatching(/^STAGE_URL must be an s3:\/\/bucket\/prefix with a redshift:\/\//)]);
      expect(problemsOf({ ...redshift, STAGE_URL: 'file:///var/stage' })).toHaveLength(1);
      expect(loadConfig({ ...redshift, STAGE_URL: 's3://kpi-stage/etl' }, CWD).stageUrl).toBe('s3://kpi-stage/etl');
    });

    it('reads the ETL schedules and the staging part size and retention', () => {
      const config = loadConfig({ ETL_RECONCILE_CRON: 'off', STAGE_PART_SIZE_MB: '8', STAGE_RETENTION_DAYS: '3' }, CWD);
      expect(config.etl.reconcileCron).toBeNull();
      expect(config.stage).toEqual({ partSizeBytes: 8 * 1024 * 1024, retentionDays: 3 });
      expect(loadConfig({}, CWD).etl).toEqual({
        schedule: { kind: 'continuous', minIntervalSeconds: 10 },
        reconcileCron: '35 3 * * *',
        windowDays: 7,
        repairNice: 10,
      });
      expect(loadConfig({ ETL_REPAIR_NICE: '0' }, CWD).etl.repairNice).toBe(0);
      expect(loadConfig({ ETL_REPAIR_NICE: '19' }, CWD).etl.repairNice).toBe(19);
      expect(loadConfig({}, CWD).stage).toEqual({ partSizeBytes: 16 * 1024 * 1024, retentionDays: 7 });
    });

    it('rejects a malformed REDSHIFT_IAM_ROLE even without Redshift', () => {
      expect(problemsOf({ REDSHIFT_IAM_ROLE: 'kpi-copy' })).toEqual([expect.stringMatching(/^REDSHIFT_IAM_ROLE /)]);
    });

    it('requires the Klipfolio key and data sources together, and data source ids rather than URLs', () => {
      expect(problemsOf({ KLIPFOLIO_API_KEY: KLIPFOLIO_KEY })).toEqual([
        expect.stringMatching(/^KLIPFOLIO_DATASOURCES is required with KLIPFOLIO_API_KEY and accepts a comma list/),
      ]);
      expect(problemsOf({ KLIPFOLIO_DATASOURCES: DATASOURCE_A })).toEqual([
        expect.stringMatching(/^KLIPFOLIO_API_KEY is required with KLIPFOLIO_DATASOURCES/),
      ]);
      const pasted = `https://app.klipfolio.com/datasources/${DATASOURCE_A}`;
      expect(problemsOf({ KLIPFOLIO_API_KEY: KLIPFOLIO_KEY, KLIPFOLIO_DATASOURCES: pasted })).toEqual([
        expect.stringMatching(/^KLIPFOLIO_DATASOURCES /),
      ]);
      expect(problemsOf({ KLIPFOLIO_API_KEY: 'short', KLIPFOLIO_DATASOURCES: ' , ' }).map((problem) => problem.split(' ')[0])).toEqual([
        'KLIPFOLIO_API_KEY',
        'KLIPFOLIO_DATASOURCES',
      ]);
    });

    it('requires keys when DATABASE_URL is set, since only the embedded default generates one', () => {
      expect(problemsOf({ DATABASE_URL: SOURCE_URL, CALLBACK_TOKEN })).toEqual([
        expect.stringMatching(/API_KEYS or ADMIN_API_KEYS is required when DATABASE_URL is set/),
      ]);
      expect(loadConfig({ DATABASE_URL: SOURCE_URL, ADMIN_API_KEYS: ADMIN_KEY, CALLBACK_TOKEN }, CWD).auth.adminApiKeys).toEqual([
        ADMIN_KEY,
      ]);
    });

    it('requires CALLBACK_TOKEN when DATABASE_URL is set, naming it and how to turn the check off on purpose', () => {
      const [problem, ...others] = problemsOf({ DATABASE_URL: SOURCE_URL, API_KEYS: READER_KEY });
      expect(others).toEqual([]);
      expect(problem).toMatch(/^CALLBACK_TOKEN is required when DATABASE_URL is set/);
      expect(problem).toContain('"none"');
      expect(problemsOf({ DATABASE_URL: SOURCE_URL, API_KEYS: READER_KEY, CALLBACK_TOKEN: '' })).toEqual([problem]);
    });

    it('takes CALLBACK_TOKEN=none as no token on purpose, in production and on the embedded default', () => {
      expect(loadConfig({ ...PRODUCTION, CALLBACK_TOKEN: 'none' }, CWD).auth).toMatchObject({
        callbackToken: undefined,
        callbackTokenOff: true,
      });
      expect(loadConfig({ CALLBACK_TOKEN: 'none' }, CWD).auth).toMatchObject({ callbackToken: undefined, callbackTokenOff: true });
      expect(loadConfig(PRODUCTION, CWD).auth).toMatchObject({ callbackToken: CALLBACK_TOKEN, callbackTokenOff: false });
    });

    it('lists every bad variable in one error instead of stopping at the first', () => {
      const problems = problemsOf({ PORT: 'abc', ETL_CRON: 'hourly', LOG_LEVEL: 'loud', DEMO: 'maybe' });
      expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['DEMO', 'ETL_CRON', 'LOG_LEVEL', 'PORT']);
    });

    it('lists missing keys together with the other bad variables', () => {
      const problems = problemsOf({ DATABASE_URL: SOURCE_URL, PORT: 'abc' });
      expect(problems).toEqual([
        expect.stringMatching(/^PORT /),
        expect.stringMatching(/^API_KEYS or ADMIN_API_KEYS is required/),
        expect.stringMatching(/^CALLBACK_TOKEN is required/),
      ]);
    });

    it('says each problem once even when several rules of one variable fail', () => {
      expect(problemsOf({ PORT: '-1.5' })).toEqual(['PORT accepts a whole number from 0 (any free port) to 65535']);
    });

    it('never repeats a value in the message, since values may be secrets', () => {
      const secrets = {
        DATABASE_URL: 'mysql://kpi:db-password-9f8e7d@db/adjust',
        WAREHOUSE_URL: 'redshift:/kpi:wh-password-6c5b4a@cluster:5439/analytics',
        API_KEYS: 'api-secret-1a2b',
        ADMIN_API_KEYS: 'adm-secret-3c4d',
        CALLBACK_TOKEN: 'cb secret 5e6f',
        REDSHIFT_IAM_ROLE: 'role-secret-7a8b',
        KLIPFOLIO_API_KEY: 'kf secret 9c0d',
        KLIPFOLIO_DATASOURCES: 'kf-ids-secret-1e2f',
        KLIPFOLIO_API_URL: 'kf-url-secret-3a4b',
      };
      const { message } = refusal(secrets);
      for (const name of Object.keys(secrets)) expect(message).toContain(name);
      for (const fragment of [
        'db-password-9f8e7d',
        'wh-password-6c5b4a',
        'api-secret-1a2b',
        'adm-secret-3c4d',
        'cb secret 5e6f',
        'role-secret-7a8b',
        'kf secret 9c0d',
        'kf-ids-secret-1e2f',
        'kf-url-secret-3a4b',
      ]) {
        expect(message).not.toContain(fragment);
      }
    });
  });
});
