import { existsSync } from 'node:fs';
import { API_PREFIX, CALLBACK_ROUTE, ETL_RUNS_ROUTE, HEALTH_ROUTE } from './common/api-routes.js';
import { type AppConfig, loadConfig } from './config/app-config.js';
import { Connections } from './database/connections.js';
import { readOrCreateSecret } from './database/data-dir.js';
import { DEMO_DEFAULTS } from './demo/demo-traffic.js';
import { LoadSchedule } from './etl/load-schedule.js';

// A .env file in the working folder, when present, fills variables the environment does not set.
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export type StartupKey = { key: string; created: boolean } | undefined;

// The configuration of this start: the environment, plus on the embedded default a generated admin key
// kept in the data folder (so a newcomer needs no setting at all, and the key survives restarts).
export async function startupConfig(env: Record<string, string | undefined>): Promise<{ config: AppConfig; generatedKey: StartupKey }> {
  const config = loadConfig(env);
  if (!config.embedded || config.auth.apiKeys.length + config.auth.adminApiKeys.length > 0) return { config, generatedKey: undefined };
  const { value, created } = await readOrCreateSecret(config.dataDir, 'api-key');
  config.auth.adminApiKeys = [value];
  return { config, generatedKey: { key: value, created } };
}

function etlSchedule({ etl }: AppConfig): string {
  const reconcile = etl.reconcileCron ? `on "${etl.reconcileCron}" (UTC) over ${etl.windowDays} days` : 'off';
  return `loads ${new LoadSchedule(etl.schedule).describe()}, reconciliation ${reconcile}; runs: ${API_PREFIX}/${ETL_RUNS_ROUTE}`;
}

export function banner(config: AppConfig, connections: Connections, url: string, generatedKey: StartupKey): string {
  const lines = [
    '',
    `  Mobile KPI service listening on ${url}`,
    `  Dashboard        ${url}/`,
    `  Swagger UI       ${url}/docs   (OpenAPI: ${url}/docs-json)`,
    `  Health           ${url}/${API_PREFIX}/${HEALTH_ROUTE}`,
    `  Adjust callback  ${url}/${API_PREFIX}/${CALLBACK_ROUTE}`,
    `  Source database  ${connections.describe.source}${config.embedded ? '  (embedded)' : ''}`,
    `  Warehouse        ${connections.describe.warehouse}  (${config.warehouse.engine})`,
    `  Staging store    ${config.stageUrl}`,
    `  ETL              ${etlSchedule(config)}`,
    `  Data folder      ${config.dataDir}`,
  ];
  if (config.demo) {
    lines.push(
      `  Demo traffic     on: ${DEMO_DEFAULTS.days} days of history for an empty database, then live callbacks (DEMO=false turns it off)`,
    );
  }
  if (generatedKey) {
    lines.push(
      `  API key          ${generatedKey.key}   (${generatedKey.created ? 'generated now' : 'generated earlier'}, kept in ${config.dataDir}/api-key; admin scope)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
