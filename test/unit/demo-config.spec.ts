import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/app-config.js';
import type { Connections } from '../../src/database/connections.js';
import { banner } from '../../src/startup.js';

const CWD = '/srv/kpi';
const PRODUCTION = {
  DATABASE_URL: 'postgres://kpi:secret@db.internal:5432/adjust',
  API_KEYS: 'reader-key-0123456789abcdef',
  CALLBACK_TOKEN: 'adjust-callback-token',
};
const connections = {
  describe: { source: 'postgres://kpi:***@db.internal:5432/adjust', warehouse: 'postgres://kpi:***@db.internal:5432/warehouse' },
} as Connections;

describe('DEMO', () => {
  it.each([
    { on: 'the embedded default', env: {}, demo: true },
    { on: 'the embedded default with DEMO=false', env: { DEMO: 'false' }, demo: false },
    { on: 'the embedded default with DEMO=true', env: { DEMO: 'true' }, demo: true },
    { on: 'the embedded default with an empty DEMO (a blank line in .env)', env: { DEMO: '' }, demo: true },
    { on: 'a DATABASE_URL', env: PRODUCTION, demo: false },
    { on: 'a DATABASE_URL with DEMO=true', env: { ...PRODUCTION, DEMO: 'true' }, demo: true },
    { on: 'a DATABASE_URL with DEMO=false', env: { ...PRODUCTION, DEMO: 'false' }, demo: false },
  ])('is $demo on $on', ({ env, demo }) => {
    expect(loadConfig(env, CWD).demo).toBe(demo);
  });

  it('is in the banner, with how to turn it off, only when it is on', () => {
    const on = banner(loadConfig({}, CWD), connections, 'http://localhost:3000', {});
    expect(on).toContain(
      '  Demo traffic     on: 90 days of history for an empty database, then live callbacks (DEMO=false turns it off)\n',
    );
    const off = banner(loadConfig({ DEMO: 'false' }, CWD), connections, 'http://localhost:3000', {});
    expect(off).not.toContain('Demo traffic');
  });
});
