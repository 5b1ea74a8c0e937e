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

// A secret the embedded default generated and keeps in the data folder, and whether this start made it.
export type GeneratedSecret = { value: string; created: boolean };
export type GeneratedSecrets = { apiKey?: GeneratedSecret; callbackToken?: GeneratedSecret };

// The configuration of this start: the environment, plus on the embedded default what it leaves unset,
// generated once and kept in the data folder (so a newcomer needs no setting at all, and both survive
// restarts): an admin key, and the token the callback URL carries (unless CALLBACK_TOKEN=none).
export async function startupConfig(env: Record<string, string | undefined>): Promise<{ config: AppConfig; generated: GeneratedSecrets }> {
  const config = loadConfig(env);
  const generated: GeneratedSecrets = {};
  if (!config.embedded) return { config, generated };
  if (config.auth.apiKeys.length + config.auth.adminApiKeys.length === 0) {
    generated.apiKey = await readOrCreateSecret(config.dataDir, API_KEY_FILE);
    config.auth.adminApiKeys = [generated.apiKey.value];
  }
  if (!config.auth.callbackToken && !config.auth.callbackTokenOff) {
    generated.callbackToken = await readOrCreateSecret(config.dataDir, CALLBACK_TOKEN_FILE);
    config.auth.callbackToken = generated.callbackToken.value;
  }
  return { config, generated };
}

const API_KEY_FILE = 'api-key';
const CALLBACK_TOKEN_FILE = 'callback-token';

function etlSchedule({ etl }: AppConfig): string {
  const reconcile = etl.reconcileCron ? `on "${etl.reconcileCron}" (UTC) over ${etl.windowDays} days` : 'off';
  return `loads ${new LoadSchedule(etl.schedule).describe()}, reconciliation ${reconcile}; runs: ${API_PREFIX}/${ETL_RUNS_ROUTE}`;
}

export function banner(config: AppConfig, connections: Connections, url: string, generated: GeneratedSecrets): string {
  const lines = [
    '',
    `  Mobile KPI service listening on ${url}`,
    `  Dashboard        ${url}/`,
    `  Swagger UI       ${url}/docs   (OpenAPI: ${url}/docs-json)`,
    `  Health           ${url}/${API_PREFIX}/${HEALTH_ROUTE}`,
    `  Adjust callback  ${url}/${API_PREFIX}/${CALLBACK_ROUTE}${callbackTokenShown(config, generated.callbackToken)}`,
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
  if (generated.apiKey) {
    lines.push(
      `  API key          ${generated.apiKey.value}   (${origin(generated.apiKey)}, kept in ${config.dataDir}/${API_KEY_FILE}; admin scope)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// The token in the callback URL: in full when this service generated it (as the API key), as a
// placeholder when the environment set it (a secret the operator already has, kept out of logs).
function callbackTokenShown(config: AppConfig, generated: GeneratedSecret | undefined): string {
  if (generated) return `?token=${generated.value}   (${origin(generated)}, kept in ${config.dataDir}/${CALLBACK_TOKEN_FILE})`;
  return config.auth.callbackToken ? '?token=<CALLBACK_TOKEN>' : '   (no token: CALLBACK_TOKEN=none)';
}

const origin = (secret: GeneratedSecret) => (secret.created ? 'generated now' : 'generated earlier');
