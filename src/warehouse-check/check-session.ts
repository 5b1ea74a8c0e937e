import type { WarehouseEngine } from '../config/app-config.js';
import type { SqlCatalog } from '../database/sql-catalog.js';
import { WAREHOUSE_APPLICATION_NAME } from '../database/warehouse-settings.js';
import type { SqlClient } from '../etl/warehouse/warehouse-session.js';

export type Identity = { engine: WarehouseEngine; user: string };
type Outcome<T> = { value: T; detail: string };

export async function whoAmI(client: SqlClient, sql: SqlCatalog, engine: WarehouseEngine): Promise<Outcome<Identity>> {
  const { rows } = await client.query(sql.get('check/session'));
  const { version, user_name: user, database_name: database } = rows[0] as Record<string, string>;
  return { value: { engine, user }, detail: `${product(version)}, user ${user}, database ${database}` };
}

// "Redshift 1.0.63282" out of Redshift's PostgreSQL 8.0.2 banner; "PostgreSQL 18.1" otherwise
function product(version: string): string {
  return /Redshift [\d.]+/.exec(version)?.[0] ?? version.split(' ').slice(0, 2).join(' ');
}

// What the service sets in every session (database/warehouse-settings.ts), read back with current_setting().
type Expectation = { setting: string; wanted: string; holds: (value: string) => boolean };

function expectations(engine: WarehouseEngine, statementTimeoutMs: number): Expectation[] {
  const iso = { wanted: 'ISO, …', holds: (value: string) => /^ISO\b/i.test(value) };
  const utc = { wanted: 'UTC', holds: (value: string) => value.toUpperCase() === 'UTC' };
  if (engine === 'postgres')
    return [
      { setting: 'DateStyle', ...iso },
      { setting: 'TimeZone', ...utc },
    ];
  return [
    { setting: 'datestyle', ...iso },
    { setting: 'timezone', ...utc },
    { setting: 'describe_field_name_in_uppercase', wanted: 'off', holds: (value) => /^(off|false)$/i.test(value) },
    { setting: 'statement_timeout', wanted: `${statementTimeoutMs} ms`, holds: (value) => milliseconds(value) === statementTimeoutMs },
    { setting: 'query_group', wanted: WAREHOUSE_APPLICATION_NAME, holds: (value) => value.trim() === WAREHOUSE_APPLICATION_NAME },
  ];
}

// 3600000, 3600000ms, 3600s, 60min, 1h: how the engines may show a timeout
function milliseconds(value: string): number | null {
  const match = /^(\d+)\s*(ms|s|min|h|d)?$/.exec(value.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

export async function checkSettings(
  client: SqlClient,
  sql: SqlCatalog,
  engine: WarehouseEngine,
  statementTimeoutMs: number,
): Promise<Outcome<void>> {
  const seen: string[] = [];
  const wrong: string[] = [];
  for (const { setting, wanted, holds } of expectations(engine, statementTimeoutMs)) {
    const { rows } = await client.query(sql.get('check/show-setting'), [setting]);
    const value = String((rows[0] as { value: unknown }).value);
    seen.push(`${setting} ${value}`);
    if (!holds(value)) wrong.push(`${setting} is ${value}, the service needs ${wanted}`);
  }
  if (wrong.length > 0) throw new Error(wrong.join('; '));
  return { value: undefined, detail: seen.join('; ') };
}

export async function checkPrivileges(client: SqlClient, sql: SqlCatalog, user: string): Promise<Outcome<void>> {
  const { rows } = await client.query(sql.get('check/privileges'));
  const {
    can_create: canCreate,
    can_temp: canTemp,
    stg_owner: owner,
  } = rows[0] as { can_create: boolean; can_temp: boolean; stg_owner: string | null };
  const missing = [...(canCreate ? [] : ['CREATE']), ...(canTemp ? [] : ['TEMP'])];
  const problems = missing.length > 0 ? [`${user} lacks ${missing.join(' and ')} on the database`] : [];
  if (owner !== null && owner.trim() !== user) problems.push(`schema stg belongs to ${owner.trim()}, not to ${user}`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const stg = owner === null ? 'no schema stg yet (the service creates it)' : `schema stg owned by ${user}`;
  return { value: undefined, detail: `CREATE and TEMP on the database; ${stg}` };
}
