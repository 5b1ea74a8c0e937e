import { describe, expect, it } from '@jest/globals';
import { SqlCatalog } from '../../src/database/sql-catalog.js';
import { KLIP_ENTRIES, KLIP_KINDS, KLIP_REGISTRY, KLIPS } from '../../src/metrics/klips.js';

// The registry every klip route, answer, CSV, Swagger entry, the index, the dashboard and the benchmarks
// read: what must hold of its entries for all of those to work.

const duplicates = (values: readonly string[]) => values.filter((value, i) => values.indexOf(value) !== i);

describe('KLIP_REGISTRY', () => {
  it('has one entry per route, and one handler name per entry', () => {
    expect(duplicates(KLIP_REGISTRY.map((entry) => entry.route))).toEqual([]);
    expect(duplicates(KLIP_REGISTRY.map((entry) => entry.operationId))).toEqual([]);
    expect(KLIPS).toEqual(KLIP_REGISTRY.map((entry) => entry.route));
    for (const route of KLIPS) expect(KLIP_ENTRIES[route].route).toBe(route);
  });

  it('names routes as one lower-case path segment, none taken by another metrics route', () => {
    for (const { route } of KLIP_REGISTRY) {
      expect({ route, segment: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(route) }).toEqual({ route, segment: true });
      expect(route).not.toBe('cache');
    }
  });

  it('names handlers as operation ids: get + a capitalised name', () => {
    for (const { route, operationId } of KLIP_REGISTRY)
      expect({ route, operationId }).toEqual({ route, operationId: expect.stringMatching(/^get[A-Z][A-Za-z]+$/) });
  });

  it('gives every entry a known kind', () => {
    for (const { route, kind } of KLIP_REGISTRY)
      expect({ route, known: (KLIP_KINDS as readonly string[]).includes(kind) }).toEqual({ route, known: true });
  });

  it('reads only statements that exist in sql/metrics/', () => {
    const catalog = new SqlCatalog();
    const exists = (name: string) => {
      try {
        return catalog.get(`metrics/${name}`).length > 0;
      } catch {
        return false;
      }
    };
    const missing = KLIP_REGISTRY.flatMap(({ route, sql }) =>
      Object.values(sql)
        .filter((name) => !exists(name))
        .map((name) => `${route}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('describes every klip for Swagger and the dashboard: a title, a short label and a definition', () => {
    for (const { route, title, label, definition } of KLIP_REGISTRY) {
      expect({ route, title: title.length > 0, label: label.length > 0, definition: definition.length > 40 }).toEqual({
        route,
        title: true,
        label: true,
        definition: true,
      });
    }
  });
});
