import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ACTIVITY_COLUMNS } from '../../src/collector/callback-parser.js';
import { callbackUrlTemplate } from '../../src/collector/callback-url.js';

describe(callbackUrlTemplate.name, () => {
  const template = callbackUrlTemplate('https://kpi.example.com', true);

  it('asks Adjust for every placeholder that has a column in mob.adjust', () => {
    const query = new URL(template).searchParams;
    const typedColumns = ACTIVITY_COLUMNS.filter((column) => column !== 'dedup_key' && column !== 'extra');
    for (const column of typedColumns) expect(query.get(column)).toBe(`{${column}}`);
    expect(query.get('token')).toBe('<CALLBACK_TOKEN>');
  });

  it('leaves the token out when no CALLBACK_TOKEN is used', () => {
    expect(new URL(callbackUrlTemplate('https://kpi.example.com', false)).searchParams.has('token')).toBe(false);
  });

  it.each(['README.md', 'docs/klipfolio.md'])('is the URL %s tells users to paste into Adjust', (file) => {
    const guide = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    expect(guide).toContain(`\n${template}\n`);
  });
});
