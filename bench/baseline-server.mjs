// The two baselines of bench/collector.mjs, each run as its own process (like the service) so that its
// CPU and memory can be measured apart from the load generator.
//
//   BASELINE=ceiling  a bare node:http server answering 200 {"status":"stored"} without storing anything:
//                     the most any Node HTTP service can answer on this machine
//   BASELINE=naive    the obvious handler: parse the query, one INSERT of 9 columns per request (autocommit:
//                     one commit each, though PostgreSQL may share a WAL flush between concurrent commits)
//                     through a pg Pool of 20, answer after it returns
//
// Environment: BASELINE, PORT, and for naive DATABASE_URL (database bench_naive, where collector.mjs has
// created the table public.bench_naive).

import http from 'node:http';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const mode = process.env.BASELINE;
const port = Number(process.env.PORT);
const STORED = '{"status":"stored"}';
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(STORED)) };

export const NAIVE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS public.bench_naive (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    activity_kind TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    adid          TEXT,
    app_token     TEXT,
    event         TEXT,
    country       TEXT,
    os_name       TEXT,
    tracker_name  TEXT,
    environment   TEXT
  )`;

const INSERT = `INSERT INTO public.bench_naive (activity_kind, created_at, adid, app_token, event, country, os_name, tracker_name, environment)
  VALUES ($1, to_timestamp($2), $3, $4, $5, $6, $7, $8, $9)`;

function answer(res, status, body) {
  if (body === STORED) res.writeHead(200, HEADERS);
  else res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function ceiling(req, res) {
  if (req.url === '/ready') return answer(res, 200, '{"status":"ok"}');
  answer(res, 200, STORED);
}

function naive(pool) {
  const value = (params, key) => {
    const raw = params.get(key);
    return raw === null || raw === '' || /^\{.*\}$/.test(raw) ? null : raw;
  };
  return (req, res) => {
    if (req.url === '/ready') return answer(res, 200, '{"status":"ok"}');
    const params = new URL(req.url, 'http://localhost').searchParams;
    const kind = value(params, 'activity_kind');
    const createdAt = Number(value(params, 'created_at'));
    if (kind === null || !Number.isFinite(createdAt)) return answer(res, 400, '{"status":"rejected"}');
    const row = [
      kind.toLowerCase(),
      createdAt,
      value(params, 'adid'),
      value(params, 'app_token'),
      value(params, 'event'),
      value(params, 'country')?.toLowerCase() ?? null,
      value(params, 'os_name')?.toLowerCase() ?? null,
      value(params, 'tracker_name'),
      value(params, 'environment'),
    ];
    pool.query(INSERT, row).then(
      () => answer(res, 200, STORED),
      (error) => {
        process.stderr.write(`insert failed: ${error.message}\n`);
        answer(res, 503, '{"status":"unavailable"}');
      },
    );
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let handler;
  let pool;
  if (mode === 'ceiling') handler = ceiling;
  else if (mode === 'naive') {
    pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
    await pool.query('SELECT 1');
    handler = naive(pool);
  } else {
    process.stderr.write('BASELINE must be ceiling or naive\n');
    process.exit(2);
  }
  const server = http.createServer(handler);
  server.keepAliveTimeout = 72_000; // as Fastify's default, so idle load-generator connections are not cut
  server.listen(port, '127.0.0.1', () => process.stdout.write(`baseline ${mode} listening on ${port}\n`));
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 2000).unref(); // a pool stuck on a stopped database must not keep it alive
    server.close();
    server.closeAllConnections();
    Promise.resolve(pool?.end()).finally(() => process.exit(0));
  });
}
