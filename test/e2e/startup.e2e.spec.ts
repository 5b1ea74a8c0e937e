import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { fingerprint } from '../../src/auth/api-keys.js';
import { freePort } from '../../src/database/embedded-postgres.js';
import { DEMO_ENTRY_POINT, isAlive, postmaster, ServiceProcess, waitUntil } from '../support/service-process.js';

type LogLine = { req: { url: string }; res?: { statusCode: number }; key?: string };

// The request log lines of a service (JSON, one a line) for URLs starting with `prefix`.
function requestLines(service: ServiceProcess, prefix: string): LogLine[] {
  return service.stdout
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(`"url":"${prefix}`))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.req?.url.startsWith(prefix));
}

// Black-box: the real entry point on an empty data folder, with nothing configured but where to keep
// the data and which port to use. The steps build on each other, in order.
describe('the service started with npm start', () => {
  const started: ServiceProcess[] = [];
  const folders: string[] = [];
  let dataDir: string;
  let workDir: string;
  let port: number;
  let key: string;
  let callbackToken: string;
  let first: ServiceProcess;

  const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`;

  function start(env: Record<string, string> = {}): ServiceProcess {
    const service = new ServiceProcess(
      { PATH: process.env.PATH ?? '', HOME: os.homedir(), DATA_DIR: dataDir, PORT: String(port), ...env },
      workDir,
    );
    started.push(service);
    return service;
  }

  async function stopPostgresLeftBehind(): Promise<void> {
    const server = await postmaster(dataDir);
    if (server && isAlive(server.pid)) process.kill(server.pid, 'SIGINT');
    await waitUntil(async () => !server || !isAlive(server.pid), 15_000, 'PostgreSQL has stopped').catch(() => undefined);
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-data-'));
    // the working folder of the children: one without a .env file
    workDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-cwd-'));
    folders.push(dataDir, workDir);
    port = await freePort();
  });

  afterAll(async () => {
    await Promise.all(started.map((service) => service.kill()));
    await stopPostgresLeftBehind();
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it('starts on an empty data folder and prints a banner with a generated key', async () => {
    first = start();
    const [, generated] = await first.waitForOutput(/API key\s+(\S+)\s+\(generated now/, 60_000);
    key = generated;

    expect(first.stdout).toContain(`listening on http://localhost:${port}`);
    expect(first.stdout).toContain(`Dashboard        http://localhost:${port}/\n`);
    expect(first.stdout).toContain(`Data folder      ${dataDir}`);
    expect(first.stdout).toMatch(/Source database\s+postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/adjust\s+\(embedded\)/);
    expect(first.stdout).toMatch(/Warehouse\s+postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/warehouse\s+\(postgres\)/);
    expect(first.stdout).toContain(`Staging store    file://${path.join(dataDir, 'stage')}`);
  }, 60_000);

  it('keeps the generated key in the data folder, readable by its owner only', async () => {
    const file = path.join(dataDir, 'api-key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(key);
  });

  it('generates a callback token, keeps it owner-only, shows the callback URL with it and wants it on every callback', async () => {
    const [, token] = first.stdout.match(
      /Adjust callback  http:\/\/localhost:\d+\/api\/v1\/adjust\/callback\?token=(\S+)   \(generated now, kept in (.+)\/callback-token\)/,
    )!;
    callbackToken = token;
    const file = path.join(dataDir, 'callback-token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(token);
    expect(token).not.toBe(key);

    const install = `activity_kind=install&created_at=${Math.floor(Date.now() / 1000)}&adid=startup-device&app_name=startup.app`;
    expect((await fetch(url(`/api/v1/adjust/callback?${install}`))).status).toBe(401);
    expect((await fetch(url(`/api/v1/adjust/callback?${install}&token=${token}x`))).status).toBe(401);
    const stored = await fetch(url(`/api/v1/adjust/callback?${install}&token=${token}`));
    expect(await stored.json()).toEqual({ status: 'stored' });
  });

  it('keeps what it writes in the data folder to its owner (files 0600, folders 0700), PostgreSQL’s cluster as PostgreSQL needs', async () => {
    // the continuous schedule loads the callback the test before stored, staging it
    const staged = async () =>
      (await readdir(path.join(dataDir, 'stage'), { recursive: true }).catch(() => [])).some((name) => String(name).endsWith('.gz'));
    await waitUntil(staged, 30_000, 'a load has staged the stored callback');

    const written = (await readdir(dataDir, { recursive: true })).filter((name) => name !== 'postgres' && !name.startsWith('postgres/'));
    // the secrets, the lock, PostgreSQL's log, and the staged parts and manifest of the load
    expect(written).toEqual(
      expect.arrayContaining(['api-key', 'callback-token', 'postgres-password', 'postgres.log', 'service.pid', 'stage']),
    );
    expect(written.filter((name) => name.startsWith('stage/') && name.endsWith('.gz')).length).toBeGreaterThan(0);
    // a load may be writing meanwhile: a file renamed since the listing (manifest.json.partial) has gone
    const modes = await Promise.all(
      written.map(async (name) => {
        const info = await lstat(path.join(dataDir, name)).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return null;
          throw error;
        });
        return info && `${name} ${(info.mode & 0o777).toString(8)}`;
      }),
    );
    expect(modes.filter((entry) => entry !== null && !/ (600|700)$/.test(entry))).toEqual([]);
    // running as root, PostgreSQL runs as its own user, which passes through the folder (--x) to its cluster
    const traversable = os.userInfo().uid === 0;
    expect(((await stat(dataDir)).mode & 0o777).toString(8)).toBe(traversable ? '711' : '700');
    expect((await stat(path.join(dataDir, 'postgres'))).mode & 0o077).toBe(0);
  }, 60_000);

  it('lets the demo command send with the token it finds in the data folder', async () => {
    const demo = new ServiceProcess(
      { PATH: process.env.PATH ?? '', HOME: os.homedir(), DATA_DIR: dataDir, PORT: String(port) },
      workDir,
      DEMO_ENTRY_POINT,
      ['--days', '2', '--dau', '2'],
    );
    started.push(demo);
    await expect(demo.exit(30_000)).resolves.toEqual({ code: 0, signal: null });
    expect(demo.stdout).toMatch(/Sent [1-9][\d,]* callbacks/);
  }, 40_000);

  it('answers the health check with both databases up', async () => {
    const res = await fetch(url('/api/v1/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { source: { status: 'up' }, warehouse: { status: 'up' } } });
  });

  it('serves Swagger UI and an OpenAPI document that lists the health and ETL routes', async () => {
    const ui = await fetch(url('/docs'));
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(await ui.text()).toMatch(/swagger/i);

    const spec = await fetch(url('/docs-json'));
    expect(spec.status).toBe(200);
    type Operation = { operationId?: string; responses?: Record<string, unknown> };
    const document = (await spec.json()) as { paths: Record<string, { get?: Operation; post?: Operation }> };
    expect(document.paths['/api/v1/health']?.get?.operationId).toBe('getHealth');
    const runs = document.paths['/api/v1/etl/runs'];
    expect([runs?.post?.operationId, runs?.get?.operationId]).toEqual(['startRun', 'listRuns']);
    expect(Object.keys(runs?.post?.responses ?? {})).toEqual(expect.arrayContaining(['202', '409']));
    expect(document.paths['/api/v1/etl/runs/{id}']?.get?.operationId).toBe('getRun');
  });

  it('logs a request once, as a JSON line, without the key it carried', async () => {
    const secret = 'not-a-real-key-but-secret-0123';
    expect((await fetch(url(`/api/v1/no-such-route?api_key=${secret}`))).status).toBe(404);

    await waitUntil(() => first.stdout.includes('/api/v1/no-such-route'), 5_000, 'the request is logged');
    const lines = first.stdout.split('\n').filter((line) => line.includes('/api/v1/no-such-route'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      req: { method: 'GET', url: '/api/v1/no-such-route?api_key=[redacted]' },
      res: { statusCode: 404 },
    });
    expect(first.stdout).not.toContain(secret);
  });

  it('names the key of every authenticated request in its log line by fingerprint, never the key', async () => {
    const today = '/api/v1/metrics/installs?period=today';
    expect((await fetch(url(today), { headers: { 'X-API-Key': key } })).status).toBe(200);
    expect((await fetch(url(`${today}&api_key=${key}`))).status).toBe(200);

    await waitUntil(() => requestLines(first, '/api/v1/metrics/installs').length >= 2, 5_000, 'both requests are logged');
    const lines = requestLines(first, '/api/v1/metrics/installs');
    expect(lines.map((line) => line.key)).toEqual([fingerprint(key), fingerprint(key)]);
    // the banner shows the generated key once; the log never does
    const log = first.stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(log.join('\n')).not.toContain(key);
  });

  it('hides token and api_key in every spelling from its log: case, arrays, percent-encoding', async () => {
    const secrets = ['s3cret-one', 's3cret-two', 's3cret-three', 's3cret-four', 's3cret-five', 's3cret-six'];
    const query = ['TOKEN', 'token[]', '%74oken', 'api%5Fkey', 'Api-Key', 'token%5B0%5D'].map((name, i) => `${name}=${secrets[i]}`);
    expect((await fetch(url(`/api/v1/spelled?${query.join('&')}`))).status).toBe(404);

    await waitUntil(() => requestLines(first, '/api/v1/spelled').length === 1, 5_000, 'the request is logged');
    for (const secret of secrets) expect(first.stdout).not.toContain(secret);
  });

  it('logs failed authentications once a minute per address, not once per request', async () => {
    for (let attempt = 0; attempt < 25; attempt++) {
      await fetch(url('/api/v1/metrics/installs'), { headers: { 'X-API-Key': `wrong-key-${attempt}-0123456789` } });
    }
    await waitUntil(() => first.stdout.includes('failed authentications from'), 5_000, 'the limit is logged');
    expect(first.stdout.match(/Failed authentication from/g)).toHaveLength(1);
    expect(first.stdout.match(/failed authentications from/g)).toHaveLength(1);
    // the request lines of the 401s and 429s are at debug level, below the default info
    expect(requestLines(first, '/api/v1/metrics/installs').filter((line) => line.res && line.res.statusCode !== 200)).toEqual([]);
  });

  it('refuses a second start on the same data folder, saying that it is in use', async () => {
    const second = start({ PORT: String(await freePort()) });

    const exit = await second.exit(30_000);

    expect(exit.code).toBe(1);
    expect(second.stderr).toContain(`The data folder ${dataDir} is in use by another running instance`);
    expect(second.stderr).not.toMatch(/^\s+at /m);
    // and the first one is unharmed
    expect((await fetch(url('/api/v1/health'))).status).toBe(200);
  }, 60_000);

  // A health check held in flight by a lock on the table it reads the last run from, until `release`.
  async function healthCheckInFlight(): Promise<{ inFlight: Promise<Response>; release: () => Promise<void>; close: () => Promise<void> }> {
    const server = await postmaster(dataDir);
    const password = (await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim();
    const blocker = new pg.Client({
      connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${server!.port}/adjust`,
    });
    blocker.on('error', () => undefined); // the server ends this session when it stops
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE mob.etl_run IN ACCESS EXCLUSIVE MODE');
    const inFlight = fetch(url('/api/v1/health'));
    await waitUntil(
      async () => {
        // inside a transaction, pg_stat_activity would keep showing its first snapshot
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        return (
          (await blocker.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%etl_run%'")).rowCount! > 0
        );
      },
      5_000,
      'the health check waits for the lock',
    );
    return {
      inFlight,
      release: async () => void (await blocker.query('COMMIT')),
      close: () => blocker.end().catch(() => undefined),
    };
  }

  it('finishes a request in flight on SIGTERM, stops PostgreSQL and exits with status 0', async () => {
    const server = await postmaster(dataDir);
    expect(server && isAlive(server.pid)).toBe(true);
    const held = await healthCheckInFlight();
    try {
      first.signal('SIGTERM');
      await first.waitForOutput(/SIGTERM: finishing the requests and the ETL run in flight/, 5_000);
      expect(first.running).toBe(true);
      await held.release();

      // the answer is complete, with the database work done after the signal; terminus reports
      // 'shutting_down' from the moment shutdown begins, so that load balancers stop sending requests
      const res = await held.inFlight;
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        statusCode: 503,
        message: 'the service is shutting down',
        status: 'shutting_down',
        details: {
          source: { status: 'up' },
          warehouse: { status: 'up' },
          // the continuous schedule may have loaded (nothing) since the start
          lastLoad: { status: 'up' },
          lastRun: { status: 'up' },
        },
      });
    } finally {
      await held.close();
    }

    await expect(first.exit(10_000)).resolves.toEqual({ code: 0, signal: null });
    expect(isAlive(server!.pid)).toBe(false);
  }, 30_000);

  it('stops PostgreSQL at once (fast shutdown) and exits with status 1 on a second signal during shutdown', async () => {
    const impatient = start();
    await impatient.waitForOutput(/listening on/, 60_000);
    const server = (await postmaster(dataDir))!;
    const held = await healthCheckInFlight();
    try {
      impatient.signal('SIGTERM');
      await impatient.waitForOutput(/SIGTERM: finishing the requests and the ETL run in flight/, 5_000);
      // still waiting for the request in flight, which waits for the lock
      expect(impatient.running).toBe(true);
      held.inFlight.catch(() => undefined);

      impatient.signal('SIGINT');

      await expect(impatient.exit(10_000)).resolves.toEqual({ code: 1, signal: null });
      expect(impatient.stderr).toContain('SIGINT during shutdown: stopping the embedded PostgreSQL now (fast shutdown) and exiting');
      expect(isAlive(server.pid)).toBe(false);
      await expect(postmaster(dataDir)).resolves.toBeUndefined();
    } finally {
      await held.close();
    }
  }, 90_000);

  it('reuses the data folder and the key on the next start', async () => {
    const again = start();
    await again.waitForOutput(/listening on/, 60_000);

    expect(again.stdout).toContain(`API key          ${key}   (generated earlier`);
    expect(again.stdout).toContain(`/api/v1/adjust/callback?token=${callbackToken}   (generated earlier`);
    expect((await fetch(url('/api/v1/health'))).status).toBe(200);

    again.signal('SIGINT');
    await expect(again.exit(10_000)).resolves.toEqual({ code: 0, signal: null });
  }, 60_000);

  it('stops the PostgreSQL a killed service left running, then starts on the same data', async () => {
    const killed = start();
    await killed.waitForOutput(/listening on/, 60_000);
    const orphan = await postmaster(dataDir);
    killed.signal('SIGKILL');
    await killed.exit(10_000);
    // detached from the service, the server outlives a SIGKILL
    expect(isAlive(orphan!.pid)).toBe(true);

    const next = start();
    await next.waitForOutput(/listening on/, 60_000);

    expect(isAlive(orphan!.pid)).toBe(false);
    expect((await postmaster(dataDir))!.pid).not.toBe(orphan!.pid);
    expect(next.stdout).toContain(`API key          ${key}   (generated earlier`);
    expect((await fetch(url('/api/v1/health'))).status).toBe(200);
    next.signal('SIGTERM');
    await expect(next.exit(10_000)).resolves.toEqual({ code: 0, signal: null });
  }, 90_000);

  it('says which variable is wrong and exits with status 1 on a bad configuration', async () => {
    const misconfigured = start({ PORT: 'abc', LOG_LEVEL: 'chatty' });

    const exit = await misconfigured.exit(30_000);

    expect(exit.code).toBe(1);
    expect(misconfigured.stderr).toContain('Cannot start: Invalid configuration');
    expect(misconfigured.stderr).toContain('PORT accepts a whole number from 0 (any free port) to 65535');
    expect(misconfigured.stderr).toContain('LOG_LEVEL accepts one of');
    expect(misconfigured.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('refuses to start with a DATABASE_URL but no CALLBACK_TOKEN, naming it and the way to go without one', async () => {
    const open = start({ DATABASE_URL: 'postgres://kpi:pw@127.0.0.1:1/adjust', API_KEYS: 'reader-key-0123456789abcdef' });

    const exit = await open.exit(30_000);

    expect(exit.code).toBe(1);
    expect(open.stderr).toContain('CALLBACK_TOKEN is required when DATABASE_URL is set');
    expect(open.stderr).toContain('"none" to accept callbacks without a token on purpose');
  }, 60_000);

  it('says that the port is taken and leaves no PostgreSQL running when it cannot listen', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve, reject) => taken.once('error', reject).listen(port, '0.0.0.0', resolve));
    try {
      const blocked = start();

      const exit = await blocked.exit(60_000);

      expect(exit.code).toBe(1);
      expect(blocked.stderr).toContain(`Cannot start: PORT ${port} is already in use`);
      await waitUntil(
        async () => {
          const server = await postmaster(dataDir);
          return !server || !isAlive(server.pid);
        },
        10_000,
        'the embedded PostgreSQL has stopped',
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);
});
