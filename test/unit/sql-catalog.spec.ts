import { describe, expect, it } from '@jest/globals';
import { fillFragments, SqlCatalog } from '../../src/database/sql-catalog.js';
import { stripSqlComments } from '../support/sql-text.js';

// The fragments of sql/ (the rollups' app and channel), written once and filled into the statements
// that name them; the statements themselves run on PostgreSQL in test/medium/rollup-*.spec.ts.
describe('fillFragments', () => {
  const fragments = new Map([
    ['app', "COALESCE({alias}.app_name, '')"],
    ['channel', "COALESCE({alias}.network_name,\n         'Unknown')"],
  ]);

  it('writes a fragment in with the alias the statement names, its later lines under the placeholder', () => {
    expect(fillFragments('SELECT {app:u} AS app,\n       {channel:a} AS channel', fragments, 'metrics/x')).toBe(
      "SELECT COALESCE(u.app_name, '') AS app,\n       COALESCE(a.network_name,\n                'Unknown') AS channel",
    );
  });

  it('refuses a fragment that does not exist, and one named in a comment', () => {
    expect(() => fillFragments('SELECT {os:a}', fragments, 'metrics/x')).toThrow(
      /sql\/metrics\/x\.sql names \{os:a\}, but no fragments\/os\.sql/,
    );
    expect(() => fillFragments('-- the {channel:a}\nSELECT 1', fragments, 'metrics/x')).toThrow(/in a comment/);
  });

  it('leaves the other placeholders to the code that fills them', () => {
    expect(fillFragments('DELETE FROM {table} WHERE {report_timezone}', fragments, 'metrics/x')).toBe(
      'DELETE FROM {table} WHERE {report_timezone}',
    );
  });
});

describe(SqlCatalog.name, () => {
  it('serves the rollup statements with the app and channel written out, once for each alias', () => {
    const statement = stripSqlComments(new SqlCatalog().get('metrics/refresh/recount/insert-installs'));
    expect(statement).not.toMatch(/\{\w+:\w+\}/);
    expect(statement.match(/OCTET_LENGTH\(SPLIT_PART\((\w+)\.tracker_name/g)).toEqual([
      'OCTET_LENGTH(SPLIT_PART(a.tracker_name',
      'OCTET_LENGTH(SPLIT_PART(u.tracker_name',
    ]);
    expect(statement).toContain("PARTITION BY COALESCE(u.app_name, u.app_id, u.app_token, ''), u.adid");
  });
});
