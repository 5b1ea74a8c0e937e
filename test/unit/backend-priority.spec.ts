import { getPriority } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { lowerBackendPriority } from '../../src/database/backend-priority.js';

// The renice itself is tested against a real server (test/e2e/repair-process.e2e.spec.ts); here, the
// sessions it must leave alone. This process stands in for a backend: it is not a PostgreSQL process.
describe(lowerBackendPriority.name, () => {
  const session = { processID: process.pid } as unknown as pg.Client;
  const before = getPriority();

  it.each([
    ['a server elsewhere', 'postgres://kpi@db.example.com:5432/warehouse'],
    [
      'a local address whose process is not PostgreSQL (a server in a container has ids of its own)',
      'postgres://kpi@127.0.0.1:5432/warehouse',
    ],
    ['a socket folder whose process is not PostgreSQL', 'postgres://kpi@%2Fvar%2Frun%2Fpostgresql/warehouse'],
  ])('leaves alone the session of %s', (_, url) => {
    lowerBackendPriority(url, 19)(session);
    expect(getPriority()).toBe(before);
  });

  it('leaves alone a session whose process id is not known', () => {
    expect(() => lowerBackendPriority('postgres://kpi@localhost/warehouse', 19)({ processID: null } as unknown as pg.Client)).not.toThrow();
    expect(getPriority()).toBe(before);
  });
});
