import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { promtool } from '../support/prometheus.js';

const RULES = 'ops/prometheus/alerts.yml';
const RULE_TESTS = 'ops/prometheus/alerts.test.yml';
const RUNBOOK = 'docs/operations.md';

const alertNames = (text: string) => [...text.matchAll(/^\s*- alert: (\w+)$/gm)].map(([, name]) => name);
// GitHub's anchor of a Markdown heading: lower case, spaces to hyphens, other punctuation dropped
const anchorsOf = (markdown: string) =>
  new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );

// The alert rules with Prometheus's own tool: valid, and each alert's unit tests (alerts.test.yml) pass.
describe('the Prometheus alert rules', () => {
  const rules = readFileSync(RULES, 'utf8');
  const names = alertNames(rules);

  it('are valid rules for Prometheus', () => {
    const checked = promtool('check', 'rules', RULES);
    expect(checked.output).toContain(`SUCCESS: ${names.length} rules found`);
    expect(checked.status).toBe(0);
  });

  it('pass their unit tests', () => {
    const tested = promtool('test', 'rules', RULE_TESTS);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });

  it('have unit tests where each alert fires and where it must not', () => {
    const tests = readFileSync(RULE_TESTS, 'utf8');
    const cases = [...tests.matchAll(/alertname: (\w+)\n\s+exp_alerts:(.*)$/gm)].map(([, name, expected]) => ({
      name,
      fires: expected.trim() !== '[]',
    }));
    for (const name of names) {
      expect({ name, fires: cases.some((c) => c.name === name && c.fires), quiet: cases.some((c) => c.name === name && !c.fires) }).toEqual(
        {
          name,
          fires: true,
          quiet: true,
        },
      );
    }
  });

  it('each name a runbook section of docs/operations.md', () => {
    const anchors = anchorsOf(readFileSync(RUNBOOK, 'utf8'));
    const links = [...rules.matchAll(/runbook_url: (\S+)$/gm)].map(([, url]) => url);
    expect(links).toEqual(names.map((name) => `${RUNBOOK}#${name.toLowerCase()}`));
    expect(links.filter((link) => !anchors.has(link.split('#')[1]))).toEqual([]);
  });
});
