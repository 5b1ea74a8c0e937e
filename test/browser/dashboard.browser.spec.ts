import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { addDays, zonedDate } from '../../src/common/zoned-time.js';
import { PROJECT_ROOT } from '../../src/database/project-paths.js';
import { eventCallback, installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { runEtl, storeCallbacks } from '../support/etl.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// The dashboard page and Swagger UI in a real browser (Debian's chromium, driven by playwright-core),
// against the real service with loaded data. Screenshots go to test-output/screenshots/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(PROJECT_ROOT, 'test-output', 'screenshots');
const LAPTOP = { width: 1366, height: 768 };
const WALL_SCREEN = { width: 1920, height: 1080 };
const BUDGET = 'com.example.budget';
const FITAPP = 'com.example.fitapp';

// What the warehouse gets, by days before today (UTC, the report time zone); the expected numbers are
// counted from this plan.
type Planned = { kind: 'install' | 'registration'; app: string; channel?: string; daysAgo: number; count: number };
const PLAN: Planned[] = [
  { kind: 'install', app: BUDGET, channel: 'AppLovin', daysAgo: 1, count: 2 },
  { kind: 'install', app: BUDGET, channel: 'AppLovin', daysAgo: 12, count: 1 },
  { kind: 'install', app: FITAPP, channel: 'Network1', daysAgo: 3, count: 3 },
  { kind: 'install', app: FITAPP, channel: 'Network1', daysAgo: 20, count: 2 },
  { kind: 'registration', app: FITAPP, daysAgo: 3, count: 3 },
  { kind: 'registration', app: BUDGET, daysAgo: 12, count: 1 },
];
// session lengths of FITAPP devices, by days before today
const SESSIONS = [
  { daysAgo: 1, seconds: 300 },
  { daysAgo: 1, seconds: 900 },
  { daysAgo: 2, seconds: 600 },
  { daysAgo: 2, seconds: 1200 },
];

// The few browser objects the checks below read inside the page (this project compiles without the DOM
// library); the functions passed to evaluate() run in the page.
type PageGlobals = {
  document: { documentElement: { scrollWidth: number; scrollHeight: number }; dispatchEvent(event: unknown): boolean };
  innerWidth: number;
  innerHeight: number;
  getComputedStyle(element: unknown): { getPropertyValue(name: string): string };
  Event: new (type: string) => unknown;
};
type Canvas = {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
};

function noonDaysAgo(days: number): number {
  return Date.parse(`${addDays(zonedDate(new Date(), 'UTC'), -days)}T12:00:00Z`) / 1000;
}

function callbacksOf(plan: Planned[]): URLSearchParams[] {
  return plan.flatMap(({ kind, app, channel, daysAgo, count }) =>
    Array.from({ length: count }, (_, i) => {
      const created_at = String(noonDaysAgo(daysAgo) + i);
      return kind === 'install'
        ? installCallback({ created_at, app_name: app, network_name: channel ?? null })
        : eventCallback({ created_at, app_name: app });
    }),
  );
}

const sessions = SESSIONS.map(({ daysAgo, seconds }) =>
  sessionCallback({
    created_at: String(noonDaysAgo(daysAgo)),
    last_session_time: String(noonDaysAgo(daysAgo) - 3600),
    last_time_spent: String(seconds),
    app_name: FITAPP,
  }),
);

// The total of one kind over the last `days` days (today included), for one app or all.
function expectedTotal(plan: Planned[], kind: Planned['kind'], days: number, app?: string): string {
  const total = plan
    .filter((row) => row.kind === kind && row.daysAgo < days && (app === undefined || row.app === app))
    .reduce((sum, row) => sum + row.count, 0);
  return String(total);
}

describe('Dashboard in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const plan = [...PLAN];
  const foreignRequests: string[] = [];

  const text = (selector: string) => page.locator(selector).first().textContent();

  // The pixels of a canvas drawn in a colour (#rrggbb): the line or bars of a series, not the axes.
  async function pixelsOf(selector: string, colour: string): Promise<number> {
    return page.locator(selector).evaluate((element, hex: string) => {
      const canvas = element as unknown as Canvas;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24) count++;
      }
      return count;
    }, colour);
  }

  const cssColour = (name: string) =>
    page.evaluate((variable) => {
      const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
      return getComputedStyle(document.documentElement).getPropertyValue(variable).trim();
    }, `--${name}`);

  // The whole dashboard is on screen: a wall screen cannot scroll.
  const fitsTheScreen = () =>
    page.evaluate(() => {
      const { document, innerWidth, innerHeight } = globalThis as unknown as PageGlobals;
      const root = document.documentElement;
      return root.scrollWidth <= innerWidth && root.scrollHeight <= innerHeight;
    });

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  // The same poll that runs every 30 seconds, run now: a screen that becomes visible asks at once.
  const pollNow = () =>
    page.evaluate(() => {
      const { document, Event } = globalThis as unknown as PageGlobals;
      document.dispatchEvent(new Event('visibilitychange'));
    });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
    await storeCallbacks(t, [...callbacksOf(plan), ...sessions]);
    const run = await runEtl(t);
    if (run.status !== 'succeeded') throw new Error(`the load ${run.status}: ${run.error}`);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    context = await browser.newContext({ viewport: LAPTOP, locale: 'en-US', timezoneId: 'UTC' });
    context.on('request', (request) => {
      if (!request.url().startsWith(`${base}/`) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for the key, asks again when the service refuses it, then shows every klip with its chart', async () => {
    await page.goto(`${base}/`);
    const dialog = page.locator('#key-dialog');
    await expect(dialog.isVisible()).resolves.toBe(true);
    await dialog.locator('input[name="key"]').fill('not-a-key-0123456789');
    await dialog.locator('button[type="submit"]').click();
    await page.locator('#key-error').filter({ hasText: '401' }).waitFor();
    await expect(dialog.isVisible()).resolves.toBe(true);

    await dialog.locator('input[name="key"]').fill(API_KEY);
    await dialog.locator('button[type="submit"]').click();
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: expectedTotal(plan, 'install', 30) })
      .waitFor();

    await expect(text('[data-klip="registrations"] .big')).resolves.toBe(expectedTotal(plan, 'registration', 30));
    const meanSeconds = SESSIONS.reduce((sum, { seconds }) => sum + seconds, 0) / SESSIONS.length;
    await expect(text('[data-klip="session-duration"] .big')).resolves.toBe(
      `${Math.floor(meanSeconds / 60)} min ${String(meanSeconds % 60).padStart(2, '0')} s`,
    );
    for (const window of ['dau', 'wau', 'mau']) {
      expect(Number(await text(`[data-klip="active"] [data-role="${window}"]`))).toBeGreaterThan(0);
    }
    await expect(text('[data-klip="installs-by-channel"] [data-role="note"]')).resolves.toBe(
      `${expectedTotal(plan, 'install', 30)} installs in 2 channels`,
    );

    // every series is drawn in its colour
    const charts: [klip: string, colours: string[]][] = [
      ['installs', ['installs']],
      ['registrations', ['registrations']],
      ['session-duration', ['session']],
      ['active', ['dau', 'wau', 'mau']],
      ['installs-by-channel', ['installs']],
    ];
    for (const [klip, colours] of charts) {
      for (const colour of colours) {
        const drawn = await pixelsOf(`[data-klip="${klip}"] canvas`, await cssColour(colour));
        expect({ klip, colour, drawn: drawn > 50 }).toEqual({ klip, colour, drawn: true });
      }
    }
    await expect(text('#freshness')).resolves.toMatch(/^Data through .+, loaded (just now|\d+ minutes? ago)$/);
    await expect(page.locator('#stale').isHidden()).resolves.toBe(true);
    await expect(page.locator('#error').isHidden()).resolves.toBe(true);
    await expect(fitsTheScreen()).resolves.toBe(true);
    await screenshot('dashboard-1366x768');
  });

  it('fetches every klip again when the range or a filter changes', async () => {
    await page.locator('select[name="period"]').selectOption('last_7_days');
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: expectedTotal(plan, 'install', 7) })
      .waitFor();
    await expect(text('[data-klip="registrations"] .big')).resolves.toBe(expectedTotal(plan, 'registration', 7));
    expect(new URL(page.url()).search).toBe('?period=last_7_days');

    // the filter offers the apps the service knows
    await expect(
      page.locator('#app-values option').evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value)),
    ).resolves.toEqual([BUDGET, FITAPP]);
    await page.locator('input[name="app"]').fill(BUDGET);
    await page.locator('input[name="app"]').press('Enter');
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: expectedTotal(plan, 'install', 7, BUDGET) })
      .waitFor();
    await expect(text('[data-klip="registrations"] .big')).resolves.toBe(expectedTotal(plan, 'registration', 7, BUDGET));
    await expect(text('[data-klip="installs-by-channel"] [data-role="note"]')).resolves.toBe(
      `${expectedTotal(plan, 'install', 7, BUDGET)} installs in 1 channel`,
    );

    // back to everything, as a bookmark of the default view would show it
    await page.locator('input[name="app"]').fill('');
    await page.locator('select[name="period"]').selectOption('last_30_days');
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: expectedTotal(plan, 'install', 30) })
      .waitFor();
    expect(new URL(page.url()).search).toBe('');
  });

  it('shows the numbers of a new load at its next poll', async () => {
    const more: Planned = { kind: 'install', app: FITAPP, channel: 'Network1', daysAgo: 2, count: 2 };
    plan.push(more);
    await storeCallbacks(t, callbacksOf([more]));
    const run = await runEtl(t);
    expect(run.status).toBe('succeeded');
    await pollNow();
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: expectedTotal(plan, 'install', 30) })
      .waitFor();
  });

  it('warns when the service says the data is stale', async () => {
    // the service's own answers, marked stale as they would be when loads stop
    const lastLoadAt = new Date(Date.now() - 47 * 60_000).toISOString();
    await page.route('**/api/v1/metrics/**', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      await route.fulfill({ response, json: { ...body, freshness: { ...body.freshness, lastLoadAt, stale: true } } });
    });
    await pollNow();
    await page.locator('#stale').filter({ hasText: 'Stale data: the last load finished 47 minutes ago' }).waitFor();
    await expect(text('#freshness')).resolves.toMatch(/, loaded 47 minutes ago$/);
    await page.unroute('**/api/v1/metrics/**');
    await pollNow();
    await page.locator('#stale').waitFor({ state: 'hidden' });
  });

  it('fills a wall screen without scrolling', async () => {
    // a second screen of the same browser: the key is remembered
    page = await context.newPage();
    await page.setViewportSize(WALL_SCREEN);
    await page.goto(`${base}/`);
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: expectedTotal(plan, 'install', 30) })
      .waitFor();
    await expect(page.locator('#key-dialog').isVisible()).resolves.toBe(false);
    await expect(fitsTheScreen()).resolves.toBe(true);
    await screenshot('dashboard-1920x1080');
    expect(foreignRequests).toEqual([]);
  });

  it('runs "Try it out" of a klip in Swagger UI with the key', async () => {
    await page.setViewportSize(LAPTOP);
    await page.goto(`${base}/docs`);
    await page.locator('button.authorize').first().click();
    const scheme = page.locator('.modal-ux .auth-container').filter({ hasText: 'X-API-Key' });
    await scheme.locator('input').fill(API_KEY);
    await scheme.locator('button.authorize').click();
    await page.locator('.modal-ux .close-modal').click();
    const operation = page.locator('#operations-metrics-getInstalls');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status');
    await status.waitFor();
    await expect(status.textContent()).resolves.toBe('200');
    // the range Swagger UI fills in from the examples: an installs answer whatever its numbers
    await expect(operation.locator('.live-responses-table tbody .response-col_description').textContent()).resolves.toContain(
      '"metric": "installs"',
    );
    await status.scrollIntoViewIfNeeded();
    await screenshot('docs-try-it-out-1366x768');
  });
});
