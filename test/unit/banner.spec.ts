import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/app-config.js';
import type { Connections } from '../../src/database/connections.js';
import { banner } from '../../src/startup.js';

// The banner of `npm start` on the embedded default, as the README's Set-up shows it: the working folder
// and the key shortened the way the README shortens them.
const BASE = 'http://localhost:3000';
const connections = {
  describe: {
    source: 'postgres://postgres:***@127.0.0.1:39613/adjust',
    warehouse: 'postgres://postgres:***@127.0.0.1:39613/warehouse',
  },
} as Connections;
const readmeExample = () =>
  banner(loadConfig({}, '/…'), connections, BASE, {
    apiKey: { value: 'pgLCTdH3…', created: true },
    callbackToken: { value: 'Xq7vN2c…', created: true },
  });

describe(banner.name, () => {
  it('names the dashboard page first, then Swagger UI, health and the callback URL with its generated token', () => {
    const lines = readmeExample().split('\n');
    expect(lines.slice(1, 6)).toEqual([
      `  Mobile KPI service listening on ${BASE}`,
      `  Dashboard        ${BASE}/`,
      `  Swagger UI       ${BASE}/docs   (OpenAPI: ${BASE}/docs-json)`,
      `  Health           ${BASE}/api/v1/health`,
      `  Adjust callback  ${BASE}/api/v1/adjust/callback?token=Xq7vN2c…   (generated now, kept in /…/.data/callback-token)`,
    ]);
  });

  it('shows a token from the environment as a placeholder, and says when there is none on purpose', () => {
    const production = { DATABASE_URL: 'postgres://kpi:secret@db.internal:5432/adjust', API_KEYS: 'reader-key-0123456789abcdef' };
    const fromEnvironment = banner(loadConfig({ ...production, CALLBACK_TOKEN: 'from-the-environment' }, '/srv'), connections, BASE, {});
    expect(fromEnvironment).toContain(`  Adjust callback  ${BASE}/api/v1/adjust/callback?token=<CALLBACK_TOKEN>\n`);
    expect(fromEnvironment).not.toContain('from-the-environment');
    const off = banner(loadConfig({ ...production, CALLBACK_TOKEN: 'none' }, '/srv'), connections, BASE, {});
    expect(off).toContain(`  Adjust callback  ${BASE}/api/v1/adjust/callback   (no token: CALLBACK_TOKEN=none)\n`);
  });

  it('is the banner the README shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`${readmeExample()}\`\`\`\n`);
  });
});
