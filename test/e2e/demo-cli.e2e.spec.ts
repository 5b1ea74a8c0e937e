import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../src/database/embedded-postgres.js';
import { query } from '../support/etl.js';
import { baseUrlOf } from '../support/raw-http.js';
import { DEMO_ENTRY_POINT, ServiceProcess } from '../support/service-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const USAGE = /^Usage: npm run demo -- \[--days N\] \[--dau N\] \[--url URL\] \[--seed N\] \[--token TOKEN\]\n/;
const TOKEN = 'demo-cli-token-1';
const SENT = /^Sent (\d+) callbacks in [\d.]+ s: (\d+) stored, (\d+) duplicates, 0 refused$/m;

// Black-box: `npm run demo` as a person runs it against a running service (here one on its own pair of
// test databases, with a callback token), in a folder without a .env file.
describe('npm run demo', () => {
  const started: ServiceProcess[] = [];
  let t: TestApp;
  let url: string;
  let workDir: string;

  async function demo(...args: string[]): Promise<ServiceProcess> {
    const command = new ServiceProcess({ PATH: process.env.PATH ?? '', HOME: os.homedir() }, workDir, DEMO_ENTRY_POINT, args);
    started.push(command);
    await command.exit(60_000);
    return command;
  }

  beforeAll(async () => {
    t = await startTestApp({ CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'fatal' });
    await t.app.listen(0, '127.0.0.1');
    url = baseUrlOf(t.app.getHttpServer());
    workDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-demo-cli-'));
  });
  afterAll(async () => {
    await Promise.all(started.map((command) => command.kill()));
    await t?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it.each([
    ['an unknown option', ['--dayz', '3']],
    ['no days', ['--days', '0']],
    ['more than 731 days', ['--days', '732']],
    ['a fraction of users', ['--dau', '2.5']],
    ['a word for a number', ['--dau', 'many']],
    ['a negative seed', ['--seed', '-1']],
    ['a URL that is not http(s)', ['--url', 'ftp://example.com']],
    ['an option without its value', ['--days']],
    ['a stray argument', ['now']],
    ['--help', ['--help']],
  ])('prints the usage and exits with status 2 on %s', async (_case, args) => {
    const command = await demo(...args);
    expect(await command.exited).toEqual({ code: 2, signal: null });
    expect(command.stderr).toMatch(USAGE);
    expect(command.stdout).toBe('');
  });

  // --days 2: yesterday's whole day and today so far (--days 1, today alone, holds no callback just
  // after midnight UTC, and then there is nothing to send and nothing refused)
  it('says that nothing answers and exits with status 1 when no service listens there', async () => {
    const port = await freePort();
    const command = await demo('--days', '2', '--dau', '5', '--url', `http://127.0.0.1:${port}`, '--token', TOKEN);
    expect(await command.exited).toEqual({ code: 1, signal: null });
    expect(command.stderr).toBe(`Cannot reach http://127.0.0.1:${port}: connection refused. Is the service running there (npm start)?\n`);
  });

  it('says that the token was refused and exits with status 1', async () => {
    const command = await demo('--days', '2', '--dau', '5', '--url', url, '--token', 'not-the-token');
    expect(await command.exited).toEqual({ code: 1, signal: null });
    expect(command.stderr).toContain(`${url} refused the callback token (401)`);
  });

  it('sends the history through the collector and reports what it stored', async () => {
    const command = await demo('--days', '3', '--dau', '20', '--seed', '5', '--url', url, '--token', TOKEN);
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(command.stdout).toContain(`Demo traffic for ${url}, 3 days, about 20 daily active users, seed 5\n`);
    const [, sent, stored, duplicates] = SENT.exec(command.stdout)!.map(Number);
    expect(sent).toBe(stored + duplicates);
    const [{ rows }] = await query<{ rows: number }>(t.databases.sourceUrl, 'SELECT count(*)::int AS rows FROM mob.adjust');
    expect(rows).toBe(stored);
    expect(rows).toBeGreaterThan(100);
  });
});
