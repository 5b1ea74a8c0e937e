import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../../src/database/connections.js';

export type TestDatabases = { sourceUrl: string; warehouseUrl: string; drop: () => Promise<void> };

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test`');
  return url;
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
  database = 'postgres',
): Promise<T[]> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl(), database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

// A fresh source and warehouse database pair for one test file, so files never share rows.
export async function createTestDatabases(): Promise<TestDatabases> {
  const suffix = randomBytes(4).toString('hex');
  const source = `t_${suffix}_source`;
  const warehouse = `t_${suffix}_warehouse`;
  await adminQuery(`CREATE DATABASE ${source}`);
  await adminQuery(`CREATE DATABASE ${warehouse}`);
  return {
    sourceUrl: withDatabase(serverUrl(), source),
    warehouseUrl: withDatabase(serverUrl(), warehouse),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`);
      await adminQuery(`DROP DATABASE IF EXISTS ${warehouse} WITH (FORCE)`);
    },
  };
}
