import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  redshiftSessionSettings,
  TCP_KEEPALIVE_MS,
  WAREHOUSE_APPLICATION_NAME,
  warehouseDriverOptions,
} from '../../src/database/warehouse-settings.js';

// What every warehouse connection is set up with. The Redshift settings are recorded by fake
// connections (PostgreSQL refuses describe_field_name_in_uppercase and query_group); the PostgreSQL
// options run against real servers in every medium test.

const TIMEOUT_MS = 900_000;

// A pg client that connects at once and records what is sent, one instance per pool connection.
class RecordingClient extends EventEmitter {
  static connections: string[][] = [];
  readonly sent: string[] = [];

  constructor() {
    super();
    RecordingClient.connections.push(this.sent);
  }

  connect(callback: (error?: Error) => void): void {
    setImmediate(() => callback());
  }

  // statements that answer an error instead, by their first words
  static refusals: { startsWith: string; code: string }[] = [];

  async query(text: string): Promise<{ rows: [] }> {
    this.sent.push(text);
    const refusal = RecordingClient.refusals.find((candidate) => text.startsWith(candidate.startsWith));
    if (refusal) throw Object.assign(new Error(`refused: ${text}`), { code: refusal.code });
    return { rows: [] };
  }

  end(callback?: () => void): void {
    callback?.();
  }
}

// A pool of Redshift connections, as the warehouse opens them, over recording clients.
const redshiftPool = (max: number) =>
  new pg.Pool({
    ...warehouseDriverOptions('redshift', TIMEOUT_MS),
    Client: RecordingClient as unknown as typeof pg.Client,
    max,
  } as pg.PoolConfig);

describe('warehouseDriverOptions', () => {
  it('sets datestyle, the UTC zone, lower-case names, the statement timeout and the query group on Redshift', () => {
    expect(redshiftSessionSettings(TIMEOUT_MS)).toEqual([
      "SET datestyle TO 'ISO, MDY'",
      "SET timezone TO 'UTC'",
      'SET describe_field_name_in_uppercase TO off',
      'SET statement_timeout TO 900000',
      `SET query_group TO '${WAREHOUSE_APPLICATION_NAME}'`,
    ]);
  });

  it('refuses a statement timeout that is not a positive whole number of milliseconds', () => {
    for (const ms of [0, -1, 1.5, Number.NaN]) expect(() => redshiftSessionSettings(ms)).toThrow(/statement timeout/);
  });

  it('sends the Redshift settings on every new pooled connection, before its first query', async () => {
    RecordingClient.connections = [];
    const pool = redshiftPool(2);
    const [first, second] = await Promise.all([pool.connect(), pool.connect()]);
    await first.query('SELECT 1');
    first.release();
    second.release();
    await pool.end();

    const settings = redshiftSessionSettings(TIMEOUT_MS);
    expect(RecordingClient.connections).toEqual([[...settings, 'SELECT 1'], settings]);
  });

  it('goes on without the lower-case names setting and the query group where the warehouse does not know them', async () => {
    RecordingClient.connections = [];
    RecordingClient.refusals = [
      { startsWith: 'SET describe_field_name_in_uppercase', code: '42704' },
      { startsWith: 'SET query_group', code: '42704' },
    ];
    try {
      const pool = redshiftPool(1);
      const client = await pool.connect();
      await client.query('SELECT 1');
      client.release();
      await pool.end();
      expect(RecordingClient.connections[0]).toEqual([...redshiftSessionSettings(TIMEOUT_MS), 'SELECT 1']);
    } finally {
      RecordingClient.refusals = [];
    }
  });

  it.each([
    ['a setting it relies on is unknown', 'SET datestyle', '42704'],
    ['an optional setting fails for another reason', 'SET query_group', '42501'],
  ])('refuses the connection when %s', async (_case, startsWith, code) => {
    RecordingClient.refusals = [{ startsWith, code }];
    try {
      const pool = redshiftPool(1);
      await expect(pool.connect()).rejects.toThrow(`refused: ${startsWith}`);
      await pool.end();
    } finally {
      RecordingClient.refusals = [];
    }
  });

  it.each(['redshift', 'postgres'] as const)('turns TCP keepalive on for %s connections', (engine) => {
    expect(warehouseDriverOptions(engine, TIMEOUT_MS)).toMatchObject({ keepAlive: true, keepAliveInitialDelayMillis: TCP_KEEPALIVE_MS });
  });

  it('gives PostgreSQL its settings in the startup packet instead', () => {
    const options = warehouseDriverOptions('postgres', TIMEOUT_MS);
    expect(options.onConnect).toBeUndefined();
    expect(options.options).toContain('-c TimeZone=UTC');
    expect(options.options).toContain('-c DateStyle=ISO,MDY');
  });
});
