import type pg from 'pg';
import type { WarehouseEngine } from '../config/app-config.js';

// The name the warehouse's logs show for this service's sessions: application_name at connection start
// (both engines), and on Redshift also the query group, which labels every query in STL_QUERY,
// SVL_QLOG and SYS_QUERY_HISTORY (r_query_group: truncated to 30 characters there).
export const WAREHOUSE_APPLICATION_NAME = 'mobile-kpi-warehouse';

// TCP keepalive probes after this much silence keep NAT gateways and firewalls (AWS's NAT gateway drops
// idle flows after 350 s) from forgetting a connection that waits for a long extract.
export const TCP_KEEPALIVE_MS = 60_000;

// What the service relies on in every Redshift session, set before the session's first query, since a
// cluster's or user's defaults may differ (AWS Redshift developer guide, pages named after each):
// - r_datestyle: DATE values as YYYY-MM-DD text (the metrics read days as text);
// - r_timezone_config: the session in UTC (timestamptz input and output, CURRENT_DATE);
// - r_describe_field_name_in_uppercase: lower-case column names, as the code reads them;
// - r_statement_timeout: a stuck statement ends instead of holding the ETL lease for ever;
// - r_query_group: the service's label in the query logs.
export function redshiftSessionSettings(statementTimeoutMs: number): string[] {
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs <= 0)
    throw new Error(`statement timeout ${statementTimeoutMs} ms is not a positive whole number`);
  return [
    "SET datestyle TO 'ISO, MDY'",
    "SET timezone TO 'UTC'",
    'SET describe_field_name_in_uppercase TO off',
    `SET statement_timeout TO ${statementTimeoutMs}`,
    `SET query_group TO '${WAREHOUSE_APPLICATION_NAME}'`,
  ];
}

// PostgreSQL takes its settings in the startup packet. Warehouse times are UTC wall-clock TIMESTAMPs; the
// stand-in's rollup refresh and active-user answers sort a few hundred thousand device-days, which
// PostgreSQL's default 4 MB of sort memory would spill to disk. A full build's GROUP BYs over ten million
// activities make a hash table of about 100 MB: with hash tables allowed 4 × work_mem (256 MB) the planner
// keeps hashing instead of sorting the rows on disk (the counts of a synthetic 10M recount: 31 s sorted,
// 6.5 s hashed; docs/benchmarks.md, run J).
const POSTGRES_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,MDY -c work_mem=64MB -c hash_mem_multiplier=4';

// Settings a warehouse may not have (Redshift Serverless's list of configuration parameters is shorter
// than a cluster's): where it answers "unrecognized configuration parameter" (42704), the upper-casing
// the first guards against cannot happen, and the second is only a label; every other SET must hold.
const OPTIONAL_SETTINGS = ['describe_field_name_in_uppercase', 'query_group'];
const UNDEFINED_OBJECT = '42704';

function isOptional(statement: string, error: unknown): boolean {
  const setting = /^SET (\w+)/.exec(statement)?.[1];
  return OPTIONAL_SETTINGS.includes(setting ?? '') && (error as { code?: unknown }).code === UNDEFINED_OBJECT;
}

type ConnectHook = (client: Pick<pg.ClientBase, 'query'>) => Promise<void>;
export type WarehouseDriverOptions = { keepAlive: true; keepAliveInitialDelayMillis: number; options?: string; onConnect?: ConnectHook };

// The pg pool's options for warehouse connections. Redshift does not document the startup packet's
// `options`, so its settings are sent as SET statements by the pool's onConnect hook, which runs on every
// new connection before the pool hands it out.
export function warehouseDriverOptions(engine: WarehouseEngine, statementTimeoutMs: number): WarehouseDriverOptions {
  const keepAlive = { keepAlive: true, keepAliveInitialDelayMillis: TCP_KEEPALIVE_MS } as const;
  if (engine === 'postgres') return { ...keepAlive, options: POSTGRES_OPTIONS };
  const settings = redshiftSessionSettings(statementTimeoutMs);
  return {
    ...keepAlive,
    onConnect: async (client) => {
      for (const statement of settings) {
        try {
          await client.query(statement);
        } catch (error) {
          if (!isOptional(statement, error)) throw error;
        }
      }
    },
  };
}
