import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

export type CheckedOutClient = pg.PoolClient & { connectionLost(): Error | undefined };

// A connection of its own from a DataSource's pool, for work that needs one session: an advisory lock,
// a transaction over several statements, temporary tables, COPY streams. The caller releases it.
// The pool listens for errors only on idle clients: without a listener of its own, a checked-out
// connection that the server drops between two queries would crash the process. With it, the next
// query fails, `connectionLost` says why, and release destroys the connection.
export async function checkoutClient(dataSource: DataSource): Promise<CheckedOutClient> {
  const client = await ((dataSource.driver as PostgresDriver).master as pg.Pool).connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost ??= error;
  };
  client.on('error', onError);
  const release = client.release.bind(client);
  return Object.assign(client, {
    connectionLost: () => lost,
    release: (destroy?: Error | boolean) => {
      client.removeListener('error', onError);
      release(destroy || lost !== undefined);
    },
  });
}

// `work` on a connection of its own (checkoutClient), released afterwards; a connection whose work failed
// may be mid-transaction or mid-COPY, and is closed rather than handed back to the pool.
export async function withClient<T>(dataSource: DataSource, work: (client: CheckedOutClient) => Promise<T>): Promise<T> {
  const client = await checkoutClient(dataSource);
  let broken = false;
  try {
    return await work(client);
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    client.release(broken);
  }
}

// A UTC wall-clock time as a TIMESTAMP (without time zone) parameter. A Date would be sent with the
// process's local offset, which PostgreSQL drops for TIMESTAMP columns.
export function utcTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
