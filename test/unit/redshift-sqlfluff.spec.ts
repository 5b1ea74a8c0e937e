import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { statementsOf, type Statement } from '../support/redshift-gate/warehouse-sql.js';
import { namedPlaceholders, parseRedshift, type ParseResult, sqlfluffBinary } from '../support/sqlfluff.js';

// Redshift's syntax for the SQL that only Redshift runs (its migrations, COPY, VACUUM, LOCK), checked by
// Debian's sqlfluff: the PostgreSQL parser of the gate refuses DISTKEY, ENCODE and COPY … IAM_ROLE.

// Statements sqlfluff's redshift dialect must refuse: PostgreSQL's syntax that Redshift lacks.
const REFUSED: Statement[] = [
  { file: 'ON CONFLICT', sql: 'INSERT INTO stg.load (run_id) VALUES ($1) ON CONFLICT (run_id) DO NOTHING' },
  { file: 'INSERT … RETURNING', sql: 'INSERT INTO stg.load (run_id) VALUES ($1) RETURNING run_id' },
  { file: 'LOCK … IN … MODE', sql: 'LOCK stg.load IN SHARE ROW EXCLUSIVE MODE' },
  { file: 'a misspelt keyword', sql: 'VACUM stg.adjust' },
];

describe('sqlfluff --dialect redshift', () => {
  let redshiftOnly: Statement[];
  let shared: Statement[];
  let results: ParseResult[];

  // one sqlfluff process for all of them: about 10 s of CPU for the project's 80-odd statements
  beforeAll(async () => {
    redshiftOnly = await statementsOf('redshift');
    shared = await statementsOf('both');
    results = await parseRedshift([...redshiftOnly, ...shared, ...REFUSED]);
  }, 180_000);

  const problems = (statements: Statement[]) =>
    results
      .filter((result) => statements.some((statement) => statement.file === result.file))
      .filter((result) => result.unparsable.length > 0)
      .map((result) => `${result.file}: ${result.unparsable.join(' | ')}`);

  it('parses every Redshift-only statement: migrations, COPY with its placeholders filled, VACUUM, LOCK', () => {
    expect(redshiftOnly.map((statement) => statement.file)).toEqual(
      expect.arrayContaining([
        'sql/migrations/warehouse/redshift/0002_adjust.sql',
        'sql/etl/warehouse/redshift/copy-stage.sql (role and region)',
        'sql/etl/warehouse/redshift/copy-stage.sql (default role)',
        'sql/etl/warehouse/redshift/vacuum.sql',
        'sql/etl/warehouse/redshift/lock-loads.sql',
      ]),
    );
    expect(problems(redshiftOnly)).toEqual([]);
  });

  it('parses the statements both engines run as Redshift too', () => {
    expect(shared.length).toBeGreaterThan(40);
    expect(problems(shared)).toEqual([]);
  });

  it.each(REFUSED)('refuses $file', (refused) => {
    expect(results.find((result) => result.file === refused.file)?.unparsable).toEqual([expect.any(String)]);
  });
});

describe(sqlfluffBinary.name, () => {
  const saved = process.env.SQLFLUFF_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.SQLFLUFF_PATH;
    else process.env.SQLFLUFF_PATH = saved;
  });

  it('says how to install sqlfluff when it is missing', () => {
    process.env.SQLFLUFF_PATH = '/nonexistent/sqlfluff';
    expect(() => sqlfluffBinary()).toThrow(/sqlfluff is not installed: apt-get install sqlfluff/);
  });
});

describe(namedPlaceholders.name, () => {
  it('writes $n as :pn, which sqlfluff reads as a placeholder', () => {
    expect(namedPlaceholders('WHERE day >= $1 AND day <= $12')).toBe('WHERE day >= :p1 AND day <= :p12');
  });
});
