import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { SOURCE_DB } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';

const RECONNECT_MS = 5_000;
// TCP keep-alive probes on the listening connection: one dropped without a word (a firewall's idle
// timeout) is noticed and replaced instead of going quiet for good.
const KEEP_ALIVE_DELAY_MS = 30_000;

type Listener = (version: number) => void;

// Wakes the other replicas when a load changed the data: NOTIFY on the source database, which every
// replica shares, and LISTEN on one connection of each process, of its own, outside the pool. A
// replica whose connection is down meanwhile still notices the load at its next poll.
@Injectable()
export class LoadSignal implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Live');
  // a process hears its own notifications too: they carry this id so that it can skip them
  private readonly sender = randomUUID();
  private readonly listeners: Listener[] = [];
  private client: pg.Client | null = null;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(SOURCE_DB) private readonly source: DataSource,
    @Inject(SqlCatalog) private readonly sql: SqlCatalog,
  ) {}

  onApplicationBootstrap(): void {
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  // `listener` hears the loads that other processes committed.
  onSignal(listener: Listener): void {
    this.listeners.push(listener);
  }

  async send(version: number): Promise<void> {
    await this.source.query(this.sql.get('live/notify-load'), [JSON.stringify({ from: this.sender, version })]);
  }

  private async listen(): Promise<void> {
    const client = this.newClient();
    // once per connection, whether it failed to open or was lost later
    let replaced = false;
    const replace = () => {
      if (replaced) return;
      replaced = true;
      if (this.client === client) this.client = null;
      if (this.stopped) return;
      this.retry = setTimeout(() => void this.listen(), RECONNECT_MS);
      this.retry.unref();
    };
    client.once('end', replace);
    try {
      await client.connect();
      await client.query(this.sql.get('live/listen'));
      if (this.stopped) await client.end();
      else this.client = client;
    } catch (error) {
      this.logger.warn(
        `cannot listen for other replicas' loads (${(error as Error).message}); their loads are noticed by polling meanwhile`,
      );
      replace();
      await client.end().catch(() => undefined);
    }
  }

  // A connection like the pool's, named so that it shows as what it is in pg_stat_activity.
  private newClient(): pg.Client {
    const pool = (this.source.driver as PostgresDriver).master as pg.Pool;
    const client = new pg.Client({
      ...pool.options,
      application_name: 'mobile-kpi-load-signal',
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
    });
    // an error is followed by 'end', which replaces the connection; without a listener it would crash the process
    client.on('error', (error) => this.logger.warn(`the connection listening for other replicas' loads failed: ${error.message}`));
    client.on('notification', ({ payload }) => this.heard(payload));
    return client;
  }

  private heard(payload: string | undefined): void {
    let message: { from?: unknown; version?: unknown };
    try {
      message = JSON.parse(payload ?? '');
    } catch {
      return; // not ours: someone else uses the channel name
    }
    if (message.from === this.sender || typeof message.version !== 'number') return;
    for (const listener of this.listeners) listener(message.version);
  }
}
