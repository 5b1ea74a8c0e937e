import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/app-config.js';
import { CHECK_STEPS } from '../../src/warehouse-check/check-steps.js';
import { runWarehouseCheck } from '../../src/warehouse-check/warehouse-check.js';
import { adminQuery, createTestDatabases, type TestDatabases } from '../support/databases.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';
import { ServiceProcess, WAREHOUSE_CHECK_ENTRY_POINT } from '../support/service-process.js';

// npm run warehouse:check on a real PostgreSQL warehouse: the same steps as on Redshift, with the
// stand-in's load path for the COPY; the stage a local folder or the S3-protocol test server.

const BUCKET = 'kpi-check';
let databases: TestDatabases;
let s3rver: S3Server;
const temps: string[] = [];

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `kpi-${name}-`));
  temps.push(dir);
  return dir;
}

beforeAll(async () => {
  databases = await createTestDatabases();
  // the SDK's default chain reads these, as it would read a task role in production
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION = 'us-east-1';
  s3rver = await startS3Server({ bucket: BUCKET, directory: await tempDir('check-s3rver') });
});
afterAll(async () => {
  await s3rver?.stop();
  await databases?.drop();
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

const settings = (extra: Record<string, string>) => ({
  DATABASE_URL: databases.sourceUrl,
  WAREHOUSE_URL: databases.warehouseUrl,
  ADMIN_API_KEYS: 'admin-key-0123456789abcdef',
  CALLBACK_TOKEN: 'none',
  ...extra,
});

async function check(extra: Record<string, string>): Promise<{ passed: boolean; output: string; lines: string[] }> {
  const lines: string[] = [];
  const passed = await runWarehouseCheck(loadConfig(settings(extra)), (line) => lines.push(line));
  return { passed, output: lines.join('\n'), lines };
}

const warehouseDb = () => new URL(databases.warehouseUrl).pathname.slice(1);
const schemas = async () =>
  (
    await adminQuery<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'kpi_check_%' OR nspname = 'stg'",
      [],
      warehouseDb(),
    )
  ).map((row) => row.nspname);
const statusOf = (lines: string[], step: string) =>
  lines.find((line) => line.startsWith(`  `) && line.slice(8).startsWith(`${step} `))?.slice(2, 6);

describe('runWarehouseCheck on PostgreSQL', () => {
  it('passes every step with a local stage, and leaves no schema and no staged file behind', async () => {
    const stageDir = path.join(await tempDir('check-stage'), 'stage');
    const { passed, output, lines } = await check({ STAGE_URL: pathToFileURL(stageDir).href });

    expect(output).toContain(`${CHECK_STEPS.length} of ${CHECK_STEPS.length} steps passed`);
    expect(passed).toBe(true);
    for (const step of CHECK_STEPS) expect(statusOf(lines, step)).toBe('PASS');
    expect(output).toMatch(/PASS {2}copy +13 rows staged by COPY … FROM STDIN/);
    expect(output).toMatch(/PASS {2}klips +every klip's SQL answers the known file's numbers/);
    // neither the scratch schema nor the service's own schema is left (the check never touches stg)
    await expect(schemas()).resolves.toEqual([]);
    await expect(readdir(path.join(stageDir, 'runs'))).resolves.toEqual([]);
  });

  it('passes with an S3 stage, which the stand-in reads back, and deletes what it staged', async () => {
    const { passed, output } = await check({ STAGE_URL: `s3://${BUCKET}/kpi/stage`, S3_ENDPOINT: s3rver.endpoint });
    expect(output).toMatch(new RegExp(`PASS {2}stage +1 gzip part \\(\\d+ bytes\\) and its manifest at s3://${BUCKET}/kpi/stage/runs/`));
    expect(passed).toBe(true);
    expect(s3rver.events.some((event) => event.includes('/part-00000.gz'))).toBe(true);
    const s3 = new S3Client({ endpoint: s3rver.endpoint, forcePathStyle: true, region: 'us-east-1' });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kpi/stage/' }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  it('fails at the stage with a bucket that does not exist, names the step, its causes and the page, and still cleans up', async () => {
    const { passed, output, lines } = await check({ STAGE_URL: 's3://no-such-bucket/kpi', S3_ENDPOINT: s3rver.endpoint });
    expect(passed).toBe(false);
    expect(statusOf(lines, 'stage')).toBe('FAIL');
    expect(output).toMatch(/FAIL {2}stage +.*NoSuchBucket/);
    expect(output).toContain('usual causes: STAGE_URL names a bucket that does not exist');
    expect(output).toContain('read: https://docs.aws.amazon.com/redshift/latest/dg/t_uploading-data-to-S3.html');
    for (const step of ['copy', 'merge and rollups', 'klips']) expect(statusOf(lines, step)).toBe('SKIP');
    expect(statusOf(lines, 'clean-up')).toBe('PASS');
    expect(output).toContain('6 of 10 steps passed: fix "stage" first');
    await expect(schemas()).resolves.toEqual([]);
  });

  it('fails at the privileges and the scratch schema for a user without CREATE on the database', async () => {
    const role = `kpi_check_user_${randomBytes(3).toString('hex')}`;
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD 'check-password'`);
    try {
      const url = new URL(databases.warehouseUrl);
      url.username = role;
      url.password = 'check-password';
      const stageDir = path.join(await tempDir('check-stage'), 'stage');
      const { passed, output, lines } = await check({ WAREHOUSE_URL: url.toString(), STAGE_URL: pathToFileURL(stageDir).href });
      expect(passed).toBe(false);
      expect(output).toMatch(new RegExp(`FAIL {2}privileges +${role} lacks CREATE on the database`));
      expect(output).toContain('read: https://docs.aws.amazon.com/redshift/latest/dg/r_GRANT.html');
      expect(statusOf(lines, 'scratch schema')).toBe('FAIL');
      expect(output).toMatch(/permission denied for database/);
      expect(statusOf(lines, 'stage')).toBe('SKIP');
      expect(statusOf(lines, 'clean-up')).toBe('PASS');
      await expect(schemas()).resolves.toEqual([]);
    } finally {
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('fails at the time zone when the warehouse does not know REPORT_TIMEZONE', async () => {
    const stageDir = path.join(await tempDir('check-stage'), 'stage');
    const config = loadConfig(settings({ STAGE_URL: pathToFileURL(stageDir).href }));
    config.report.timezone = 'Atlantis/Poseidonia';
    const lines: string[] = [];
    await expect(runWarehouseCheck(config, (line) => lines.push(line))).resolves.toBe(false);
    expect(lines.join('\n')).toMatch(/FAIL {2}time zone +REPORT_TIMEZONE Atlantis\/Poseidonia is not a time zone the warehouse knows/);
  });
});

describe('npm run warehouse:check', () => {
  async function run(env: Record<string, string>) {
    const cwd = await tempDir('check-cwd');
    const command = new ServiceProcess({ PATH: process.env.PATH ?? '', HOME: os.homedir(), ...env }, cwd, WAREHOUSE_CHECK_ENTRY_POINT);
    return { exit: await command.exit(120_000), command };
  }

  it('exits 0 when every step passed', async () => {
    const stageDir = path.join(await tempDir('check-stage'), 'stage');
    const { exit, command } = await run(settings({ STAGE_URL: pathToFileURL(stageDir).href }));
    expect(command.stdout).toContain('10 of 10 steps passed: the warehouse is ready for the service');
    expect(exit.code).toBe(0);
  });

  it('passes on the embedded default, with no configuration at all', async () => {
    const dataDir = await tempDir('check-data');
    const { exit, command } = await run({ DATA_DIR: dataDir });
    expect(command.stdout).toMatch(/PASS {2}stage +1 gzip part .* at file:\/\/.*\/stage\/runs\//);
    expect(command.stdout).toContain('10 of 10 steps passed: the warehouse is ready for the service');
    expect(exit.code).toBe(0);
  });

  it('exits 1 naming the failed step when one failed', async () => {
    const { exit, command } = await run({
      ...settings({ STAGE_URL: 's3://no-such-bucket/kpi', S3_ENDPOINT: s3rver.endpoint }),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    });
    expect(command.stdout).toMatch(/FAIL {2}stage/);
    expect(exit.code).toBe(1);
  });

  it('prints the usage and exits 2 on an argument', async () => {
    const cwd = await tempDir('check-cwd');
    const command = new ServiceProcess({ PATH: process.env.PATH ?? '' }, cwd, WAREHOUSE_CHECK_ENTRY_POINT, ['--now']);
    await expect(command.exit(30_000)).resolves.toMatchObject({ code: 2 });
    expect(command.stderr).toContain('Usage: npm run warehouse:check');
  });
});
