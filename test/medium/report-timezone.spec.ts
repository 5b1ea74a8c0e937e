import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig } from '../../src/config/app-config.js';
import { Connections } from '../../src/database/connections.js';
import { warehouseZoneNames } from '../../src/database/report-timezone.js';
import { SqlCatalog } from '../../src/database/sql-catalog.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';

// REPORT_TIMEZONE against a real PostgreSQL warehouse's zone list, read as Redshift documents it.

let databases: TestDatabases;
beforeAll(async () => {
  databases = await createTestDatabases();
});
afterAll(async () => {
  await databases.drop();
});

const configWith = (timezone: string) => {
  const config = loadConfig({
    DATABASE_URL: databases.sourceUrl,
    WAREHOUSE_URL: databases.warehouseUrl,
    ADMIN_API_KEYS: 'admin-key-0123456789abcdef',
    CALLBACK_TOKEN: 'none',
  });
  // a name Node's ICU may know and the warehouse's tzdata not: set past the config's own check
  config.report.timezone = timezone;
  return config;
};

describe('the report time zone at start', () => {
  it("reads the warehouse's zone names from SELECT pg_timezone_names()", async () => {
    const client = new pg.Client({ connectionString: databases.warehouseUrl });
    await client.connect();
    try {
      const names = await warehouseZoneNames(async (statement) => (await client.query(statement)).rows, new SqlCatalog());
      expect(names.length).toBeGreaterThan(300);
      expect(names).toEqual(expect.arrayContaining(['UTC', 'Europe/Berlin', 'America/New_York', 'Etc/GMT+1']));
    } finally {
      await client.end();
    }
  });

  it('starts with a zone the warehouse knows', async () => {
    const connections = await Connections.open(configWith('Europe/Berlin'));
    expect(connections.warehouseReady).toBe(true);
    await connections.close();
  });

  it("opens warehouse sessions in UTC with the sort and hash memory a full build's GROUP BYs need", async () => {
    const connections = await Connections.open(configWith('Europe/Berlin'));
    try {
      const [settings] = await connections.warehouse.query(
        `SELECT current_setting('TimeZone') AS zone, current_setting('work_mem') AS work_mem,
                current_setting('hash_mem_multiplier') AS hash_mem_multiplier`,
      );
      expect(settings).toEqual({ zone: 'UTC', work_mem: '64MB', hash_mem_multiplier: '4' });
    } finally {
      await connections.close();
    }
  });

  it('stops the start with a zone the warehouse does not know, naming it', async () => {
    await expect(Connections.open(configWith('Atlantis/Poseidonia'))).rejects.toThrow(
      /^REPORT_TIMEZONE Atlantis\/Poseidonia is not a time zone the warehouse knows\. Its zones are listed by SELECT pg_timezone_names\(\);/,
    );
  });
});
