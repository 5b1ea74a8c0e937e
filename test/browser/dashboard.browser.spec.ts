import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { addDays, datesBetween, zonedDate } from '../../src/common/zoned-time.js';
import { PROJECT_ROOT } from '../../src/database/project-paths.js';
import { createDemoWorld } from '../../src/demo/demo-traffic.js';
import type { KlipIndex, KlipIndexEntry } from '../../src/metrics/klip-index.js';
import { DemoService } from '../../src/demo/demo.service.js';
import {
  type Activity,
  ACTIVE_KINDS,
  activeByDay,
  activeInWindow,
  activitiesOf,
  counted,
  installsByChannel,
  ofKind,
  RETENTION_SHARES,
  type Retention,
  retentionOf,
  revenueCentsOf,
  registrationsOf,
  sessionLengthsByDay,
} from '../support/demo-callbacks.js';
import { installCallback } from '../support/adjust-callbacks.js';
import {
  HOLD_REBUILD,
  holdLocks,
  REBUILD_HELD_AT,
  query,
  runEtl,
  storeCallbacks,
  waitForLeaseFree,
  waitForLockWait,
} from '../support/etl.js';
import { baseUrlOf } from '../support/raw-http.js';
import { waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// The dashboard page and Swagger UI in a real browser (Chromium, driven by playwright-core),
// against the real service holding demo data: the demo's own back-fill through the collector and its
// load, then its live callbacks and another load. The numbers expected on the page are worked out from
// what the demo generated. Screenshots go to test-output/screenshots/.

// Chromium's names on the PATH across distributions (Debian, Ubuntu and Fedora, Google's build), tried in order
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'];
const SCREENSHOTS = path.join(PROJECT_ROOT, 'test-output', 'screenshots');
const LAPTOP = { width: 1366, height: 768 };
const WALL_SCREEN = { width: 1920, height: 1080 };
const BUDGET = 'com.example.budget';
const HOUR_MS = 3_600_000;
// a small demo: three weeks of history, a few thousand callbacks
const DEMO = { seed: 11, days: 21, dau: 60, trickleMs: 100 };
// The history ends this long before the test starts; the demo's live callbacks bring these hours later.
const LIVE_HOURS = 8;
// A load's numbers are on a wall screen this soon after its commit (issue 13).
const PUSH_MS = 2_000;
// the dashboard's poll while it cannot follow the events (main.js)
const POLL_MS = 30_000;
const EVENTS = '**/api/v1/events**';

// The browser: the one CHROMIUM_PATH names, else the first found on the PATH.
function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const folders = (process.env.PATH ?? '').split(path.delimiter).filter((folder) => folder !== '');
  for (const name of CHROMIUM_NAMES) {
    const found = folders.map((folder) => path.join(folder, name)).find(isExecutableFile);
    if (found) return found;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// What the demo started at `startMs` has sent by `nowMs`: how many rows the collector stored, and the
// activities the klips count.
function demoTraffic(startMs: number, nowMs: number): { stored: number; counted: Activity[] } {
  const callbacks = createDemoWorld({ ...DEMO, nowMs: startMs }).until(nowMs);
  return { stored: callbacks.filter((c) => c.repeatOf === null).length, counted: counted(activitiesOf(callbacks)) };
}

// The page's view: `days` days up to `to` (default today, included; UTC: the report time zone), of one app or all.
type View = { days: number; app?: string; to?: string };
type Numbers = {
  installs: number;
  registrations: number;
  sessionSeconds: number;
  dau: number;
  wau: number;
  mau: number;
  channels: Map<string, number>;
  sessions: number;
  revenueCents: number;
  arpdau: number | null;
  retention: Retention;
};

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

// The numbers of a view ending on `today`, as metrics.md defines them.
function numbersOf(activities: Activity[], { days, app, to }: View, today: string): Numbers {
  const range = datesBetween(addDays(to ?? today, 1 - days), to ?? today);
  const ofApp = app === undefined ? activities : activities.filter((a) => a.params.get('app_name') === app);
  const inRange = ofApp.filter((a) => range.includes(a.day));
  const installs = ofKind(inRange, 'install');
  const lengths = sessionLengthsByDay(ofApp);
  const active = activeByDay(ofApp);
  const windowMean = (width: number) => mean(range.map((day) => activeInWindow(active, day, width)));
  const revenueCents = revenueCentsOf(inRange);
  // ARPDAU: the revenue per daily active device, over the sum of the range's daily DAU
  const activeDays = range.reduce((sum, day) => sum + (active.get(day)?.size ?? 0), 0);
  return {
    installs: installs.length,
    registrations: registrationsOf(inRange).length,
    sessionSeconds: mean(range.flatMap((day) => lengths.get(day) ?? [])),
    dau: windowMean(1),
    wau: windowMean(7),
    mau: windowMean(30),
    channels: installsByChannel([...installs, ...ofKind(ofApp, 'install_update')]),
    sessions: inRange.filter((a) => ACTIVE_KINDS.has(a.params.get('activity_kind')!)).length,
    revenueCents,
    arpdau: activeDays === 0 ? null : revenueCents / 100 / activeDays,
    retention: retentionOf(ofApp, range, today),
  };
}

// A count as the page writes it (en-US), and a pattern that matches that text only.
const count = (value: number) => value.toLocaleString('en-US');
const countPattern = (value: number) => new RegExp(`^${count(value)}$`);
const dollars = (cents: number) => (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });

// The page's "—" for a value the service does not know yet, else the number it writes within its
// rounding: ARPDAU as "ARPDAU $0.1234" (4 decimals), a share as "41.2 %" (after the service's 4 decimals
// of the fraction, one of the percentage).
function arpdauMatches(note: string, expected: number | null): boolean {
  if (expected === null) return note === 'ARPDAU —';
  const shown = /^ARPDAU \$(\d+\.\d{4})$/.exec(note);
  return shown !== null && Math.abs(Number(shown[1]) - expected) <= 0.00005 + 1e-9;
}

function shareMatches(text: string, expected: number | null): boolean {
  if (expected === null) return text === '—';
  const shown = /^(\d+\.\d) %$/.exec(text);
  return shown !== null && Math.abs(Number(shown[1]) - expected * 100) <= 0.05 + 0.005 + 1e-9;
}

// A duration as the page writes it ("6 min 52 s", "1 h 05 min") back in seconds, with its resolution.
function secondsOf(text: string): { seconds: number; resolution: number } {
  const units: Record<string, number> = { h: 3600, min: 60, s: 1 };
  const parts = [...text.matchAll(/(\d+) (h|min|s)\b/g)];
  if (parts.length === 0) throw new Error(`not a duration: ${text}`);
  return {
    seconds: parts.reduce((sum, [, value, unit]) => sum + Number(value) * units[unit], 0),
    resolution: Math.min(...parts.map(([, , unit]) => units[unit])),
  };
}

// The few browser objects the checks below read inside the page (this project compiles without the DOM
// library); the functions passed to evaluate() run in the page.
type PageGlobals = {
  document: {
    documentElement: { scrollWidth: number; scrollHeight: number };
    dispatchEvent(event: unknown): boolean;
    querySelector(selector: string): { textContent: string | null } | null;
  };
  innerWidth: number;
  innerHeight: number;
  getComputedStyle(element: unknown): { getPropertyValue(name: string): string };
  Event: new (type: string) => unknown;
};
type Card = { dataset: Record<string, string> };
type Canvas = {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
};

describe('Dashboard in a browser, on demo data', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // the demo's clock: the end of its history, moved to the present for its live callbacks
  const historyEndMs = Date.now() - LIVE_HOURS * HOUR_MS;
  let demoNow = historyEndMs;
  // the page's today (UTC): pinned once, so that every expectation counts the same days
  let today: string;
  let traffic: { stored: number; counted: Activity[] };
  const foreignRequests: string[] = [];
  // when the latest load's merge was about to commit (the ETL's step hook)
  let mergingAt = 0;

  const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';
  const shown = async (selector: string) => Number((await text(selector)).replaceAll(',', ''));

  // Every klip of the page shows the numbers of `view`: counts exactly, means as rounded for display.
  // (Waiting for the installs number first: the page shows all klips at once.)
  async function expectNumbers(view: View): Promise<Numbers> {
    const expected = numbersOf(traffic.counted, view, today);
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: countPattern(expected.installs) })
      .waitFor();
    await expect(text('[data-klip="registrations"] .big')).resolves.toBe(count(expected.registrations));
    const session = secondsOf(await text('[data-klip="session-duration"] .big'));
    expect(Math.abs(session.seconds - expected.sessionSeconds)).toBeLessThanOrEqual(session.resolution);
    for (const window of ['dau', 'wau', 'mau'] as const) {
      // the page shows one decimal below 100, whole numbers from 100 on
      const tolerance = expected[window] >= 100 ? 0.51 : 0.051;
      const value = await shown(`[data-kind="active-users"] [data-role="${window}"]`);
      expect({ window, off: Math.abs(value - expected[window]) <= tolerance }).toEqual({ window, off: true });
    }
    const channels = expected.channels.size === 1 ? '1 channel' : `${expected.channels.size} channels`;
    await expect(text('[data-klip="installs-by-channel"] [data-role="note"]')).resolves.toBe(
      `${count(expected.installs)} installs in ${channels}`,
    );
    await expectAddedKlips(expected);
    return expected;
  }

  // The klips beyond the original seven: sessions, revenue with ARPDAU, retention D1/D7/D30 by install day.
  async function expectAddedKlips(expected: Numbers): Promise<void> {
    await expect(text('[data-klip="sessions"] .big')).resolves.toBe(count(expected.sessions));
    await expect(text('[data-klip="revenue"] .big')).resolves.toBe(dollars(expected.revenueCents));
    const note = await text('[data-klip="revenue"] [data-role="note"]');
    expect({ note, arpdau: expected.arpdau, matches: arpdauMatches(note, expected.arpdau) }).toEqual({
      note,
      arpdau: expected.arpdau,
      matches: true,
    });
    const { installs, ...shares } = expected.retention;
    await expect(text('[data-klip="retention"] [data-role="note"]')).resolves.toBe(
      `of ${count(installs)} ${installs === 1 ? 'install' : 'installs'}; by install day`,
    );
    for (const share of RETENTION_SHARES) {
      const value = await text(`[data-klip="retention"] [data-role="${share}"]`);
      expect({ share, value, expected: shares[share], matches: shareMatches(value, shares[share]) }).toEqual({
        share,
        value,
        expected: shares[share],
        matches: true,
      });
    }
  }

  // The pixels of a canvas drawn in a colour (#rrggbb): the line or bars of a series, not the axes.
  async function pixelsOf(selector: string, colour: string): Promise<number> {
    return page.locator(selector).evaluate((element, hex: string) => {
      const canvas = element as unknown as Canvas;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let matching = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24) matching++;
      }
      return matching;
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

  // Runs `action`, then waits until the page has fetched every klip again and shown the answers (the
  // cards are busy from the first request until all are shown), whether or not the numbers changed.
  async function refetching(action: () => Promise<unknown>): Promise<void> {
    const klipAnswered = page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('/metrics/installs-by-channel'));
    await action();
    await klipAnswered;
    await page.locator('[data-klip="installs"][aria-busy="false"]').waitFor();
  }

  const readIndex = async () =>
    (await (await page.request.get(`${base}/api/v1/metrics`, { headers: { 'X-API-Key': API_KEY } })).json()) as KlipIndex;

  const sourceRows = async () => (await query<{ n: number }>(t.databases.sourceUrl, 'SELECT count(*)::int AS n FROM mob.adjust'))[0].n;

  // When `screen` shows `value` as the big number of `klip` (checked every 50 ms in the page).
  async function numberShown(screen: Page, klip: string, value: number): Promise<number> {
    await screen.waitForFunction(
      ({ route, expected }) => {
        const { document } = globalThis as unknown as PageGlobals;
        return document.querySelector(`[data-klip="${route}"] .big`)?.textContent === expected;
      },
      { route: klip, expected: count(value) },
      { polling: 50, timeout: 60_000 },
    );
    return Date.now();
  }

  // The installs number on `screen` once it has shown every klip.
  async function shownInstalls(screen: Page): Promise<{ installs: number }> {
    await screen.locator('[data-klip="installs"][aria-busy="false"]').waitFor();
    return { installs: Number(((await screen.locator('[data-klip="installs"] .big').textContent()) ?? '').replaceAll(',', '')) };
  }

  // One more install today (outside the demo's traffic), loaded.
  async function loadInstall(): Promise<void> {
    const now = String(Math.floor(Date.now() / 1000));
    await storeCallbacks(t, [installCallback({ created_at: now, installed_at: now })]);
    expect((await runEtl(t)).status).toBe('succeeded');
  }

  beforeAll(async () => {
    const executablePath = chromiumPath();
    if (!executablePath) throw new Error('the browser test needs Chromium: apt-get install chromium, or set CHROMIUM_PATH');
    today = zonedDate(new Date(), 'UTC');
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp(
      { DEMO: 'true', LOG_LEVEL: 'fatal' },
      {
        etlStepHook: (step) => {
          if (step === 'merge') mergingAt = Date.now();
        },
      },
    );
    await t.app.listen(0, '127.0.0.1');
    base = baseUrlOf(t.app.getHttpServer());
    // the demo of `npm start`, smaller: its history through the collector, then its own load
    await t.app.get(DemoService).start(base, { ...DEMO, clock: () => demoNow });
    traffic = demoTraffic(historyEndMs, demoNow);
    if ((await sourceRows()) !== traffic.stored) throw new Error('the demo did not store its whole history');
    browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
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

  it('asks for the key, asks again when the service refuses it, then shows every klip with a number and a chart', async () => {
    await page.goto(`${base}/`);
    const dialog = page.locator('#key-dialog');
    await expect(dialog.isVisible()).resolves.toBe(true);
    await dialog.locator('input[name="key"]').fill('not-a-key-0123456789');
    await dialog.locator('button[type="submit"]').click();
    await page.locator('#key-error').filter({ hasText: '401' }).waitFor();
    await expect(dialog.isVisible()).resolves.toBe(true);

    await dialog.locator('input[name="key"]').fill(API_KEY);
    await dialog.locator('button[type="submit"]').click();
    const numbers = await expectNumbers({ days: 30 });
    const { channels, retention, ...big } = numbers;
    for (const [name, value] of Object.entries(big)) expect({ name, nonZero: value! > 0 }).toEqual({ name, nonZero: true });
    expect(channels.size).toBeGreaterThan(1);
    // three weeks of history: cohorts whose day 1 and day 7 are over; in the last 30 days none whose day 30 is (D30 shows —)
    expect(retention).toEqual({ installs: expect.any(Number), d1: expect.any(Number), d7: expect.any(Number), d30: null });

    // a card per klip of the index, titled as the index says; the active users share one
    const index = await readIndex();
    const own = index.klips.filter((klip) => klip.kind !== 'active-users');
    await expect(
      page.locator('[data-klip]').evaluateAll((cards) => cards.map((card) => (card as unknown as Card).dataset.klip)),
    ).resolves.toEqual(own.map((klip) => klip.route));
    for (const { route, title } of own) await expect(text(`[data-klip="${route}"] h2`)).resolves.toBe(title);
    // every series is drawn in its colour, the style sheet's --<route>; retention's shares in
    // --retention-<share>, those with a value
    const coloursOf = (klip: KlipIndexEntry) =>
      klip.kind === 'retention'
        ? RETENTION_SHARES.filter((share) => retention[share] !== null).map((share) => `${klip.route}-${share}`)
        : [klip.route];
    const charts: [card: string, colours: string[]][] = [
      ...own.map((klip): [string, string[]] => [`[data-klip="${klip.route}"]`, coloursOf(klip)]),
      ['[data-kind="active-users"]', index.klips.filter((klip) => klip.kind === 'active-users').map((klip) => klip.route)],
    ];
    expect(charts.at(-1)![1]).toEqual(['dau', 'wau', 'mau']);
    for (const [card, colours] of charts) {
      for (const colour of colours) {
        const drawn = await pixelsOf(`${card} canvas`, await cssColour(colour));
        expect({ card, colour, drawn: drawn > 50 }).toEqual({ card, colour, drawn: true });
      }
    }
    await expect(text('#freshness')).resolves.toMatch(/^Data through .+, loaded (just now|\d+ minutes? ago)$/);
    await expect(page.locator('#stale').isHidden()).resolves.toBe(true);
    await expect(page.locator('#error').isHidden()).resolves.toBe(true);
    await expect(fitsTheScreen()).resolves.toBe(true);
    await screenshot('dashboard-1366x768');
  });

  it('fetches every klip again when the range or a filter changes', async () => {
    const month = numbersOf(traffic.counted, { days: 30 }, today);
    await refetching(() => page.locator('select[name="period"]').selectOption('last_7_days'));
    const week = await expectNumbers({ days: 7 });
    expect(week.installs).toBeLessThan(month.installs);
    expect(new URL(page.url()).search).toBe('?period=last_7_days');

    // the filter offers the apps the service knows
    const apps = [
      ...new Set(traffic.counted.filter((a) => ACTIVE_KINDS.has(a.params.get('activity_kind')!)).map((a) => a.params.get('app_name'))),
    ];
    await expect(
      page.locator('#app-values option').evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value)),
    ).resolves.toEqual(apps.sort());
    await page.locator('input[name="app"]').fill(BUDGET);
    await refetching(() => page.locator('input[name="app"]').press('Enter'));
    const budget = await expectNumbers({ days: 7, app: BUDGET });
    expect(budget.installs).toBeLessThan(week.installs);

    // back to everything, as a bookmark of the default view would show it
    await refetching(async () => {
      await page.locator('input[name="app"]').fill('');
      await page.locator('select[name="period"]').selectOption('last_30_days');
    });
    await expectNumbers({ days: 30 });
    expect(new URL(page.url()).search).toBe('');
  });

  it("shows the live demo callbacks' numbers within 2 s of their load's commit, without waiting for a poll", async () => {
    const before = numbersOf(traffic.counted, { days: 30 }, today);
    demoNow = Date.now();
    traffic = demoTraffic(historyEndMs, demoNow);
    await waitUntil(async () => (await sourceRows()) === traffic.stored, 15_000, `the live callbacks of ${LIVE_HOURS} hours are stored`);
    const expected = numbersOf(traffic.counted, { days: 30 }, today);
    // eight hours of the demo bring sessions at any time of day (installs, a few a day, not always)
    expect(expected.sessions).toBeGreaterThan(before.sessions);
    // the page polls every 5 minutes while it follows the events: only an event brings the numbers this soon
    const shownAt = numberShown(page, 'sessions', expected.sessions);
    const run = await runEtl(t);
    expect(run.status).toBe('succeeded');
    expect((await shownAt) - mergingAt).toBeLessThanOrEqual(PUSH_MS);
    const after = await expectNumbers({ days: 30 });
    // adding activities can only add active devices; eight hours of sessions do
    expect(after.dau).toBeGreaterThan(before.dau);
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
    // 47 minutes, or 48 once a minute has passed since lastLoadAt was made
    await page
      .locator('#stale')
      .filter({ hasText: /^Stale data: the last load finished 4[78] minutes ago/ })
      .waitFor();
    await expect(text('#freshness')).resolves.toMatch(/, loaded 4[78] minutes ago$/);
    await page.unroute('**/api/v1/metrics/**');
    await pollNow();
    await page.locator('#stale').waitFor({ state: 'hidden' });
  });

  it('loads every klip again at each poll when a proxy drops the ETag', async () => {
    let answered = 0;
    await page.route('**/api/v1/metrics/**', async (route) => {
      const response = await route.fetch();
      const headers = response.headers();
      delete headers.etag;
      answered++;
      await route.fulfill({ response, headers });
    });
    // twice: without a data version to compare, no two polls are taken for the same data
    await refetching(pollNow);
    await refetching(pollNow);
    await page.unroute('**/api/v1/metrics/**');
    // each poll: its probe, then every klip
    expect(answered).toBe(2 * (1 + (await readIndex()).klips.length));
  });

  it('fills a wall screen without scrolling', async () => {
    // a second screen of the same browser: the key is remembered
    page = await context.newPage();
    await page.setViewportSize(WALL_SCREEN);
    await page.goto(`${base}/`);
    await expectNumbers({ days: 30 });
    await expect(page.locator('#key-dialog').isVisible()).resolves.toBe(false);
    await expect(fitsTheScreen()).resolves.toBe(true);
    await screenshot('dashboard-1920x1080');
    expect(foreignRequests).toEqual([]);
  });

  it('shows — for an ARPDAU without active users and for the shares of empty cohorts', async () => {
    // a week before the demo's history: a bookmark of custom dates
    const view = { days: 7, to: addDays(today, -(DEMO.days + 10)) };
    const expected = numbersOf(traffic.counted, view, today);
    expect(expected).toMatchObject({ installs: 0, revenueCents: 0, arpdau: null, retention: { d1: null, d7: null, d30: null } });
    await page.goto(`${base}/?from=${addDays(view.to, 1 - view.days)}&to=${view.to}`);
    await page.locator('[data-klip="retention"][aria-busy="false"]').waitFor();
    await page
      .locator('[data-klip="installs"] .big')
      .filter({ hasText: countPattern(0) })
      .waitFor();
    await expectAddedKlips(expected);
  });

  // Last of the tests that compare numbers with the demo's: it adds installs of its own.
  it("shows a rebuild's progress above the cards while it works, and takes it away once it has ended", async () => {
    await waitForLeaseFree(t.databases.sourceUrl);
    // the rebuild stops at its active-window changes
    const held = await holdLocks(t.databases.warehouseUrl, [HOLD_REBUILD]);
    const runBar = page.locator('#run');
    try {
      const started = await fetch(`${base}/api/v1/etl/runs`, {
        method: 'POST',
        headers: { 'X-API-Key': ADMIN_KEY, 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode: 'rebuild' }),
      });
      expect(started.status).toBe(202);
      const { id } = (await started.json()) as { id: number };
      await waitForLockWait(t.databases.warehouseUrl, REBUILD_HELD_AT.statement);
      // past the preparation, the extract, the load and the merge (46 % of a repair), and about 60 % of
      // the rollups' weight: the full build's active-window changes
      await page
        .locator('#run-label')
        .filter({ hasText: new RegExp(`^Rebuild \\(run ${id}\\): 7[2-9]\\.\\d % — rollups: active-windows/add-active-changes`) })
        .waitFor({ timeout: 10_000 })
        .catch(async (error) => {
          throw new Error(`${(error as Error).message}; shown: ${await runBar.isVisible()} "${await text('#run-label')}"`);
        });
      const barValue = Number(await page.locator('#run-bar').getAttribute('value'));
      expect(barValue).toBeGreaterThanOrEqual(72);
      expect(barValue).toBeLessThan(80);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'rebuild-progress.png') });
    } finally {
      await held.release();
    }
    await runBar.waitFor({ state: 'hidden' });
    await waitForLeaseFree(t.databases.sourceUrl);
  });

  it('polls every 30 s while the event stream is refused, and follows the events again once it is back', async () => {
    const screen = await context.newPage();
    try {
      await screen.route(EVENTS, (route) =>
        route.fulfill({ status: 503, json: { statusCode: 503, error: 'Service Unavailable', message: 'The service is shutting down' } }),
      );
      await screen.clock.install();
      await screen.goto(`${base}/`);
      const { installs } = await shownInstalls(screen);
      // a load with a new install: no event reaches this page, and it shows the install at its next poll
      await loadInstall();
      await expect(screen.locator('[data-klip="installs"] .big').textContent()).resolves.toBe(count(installs));
      const polled = numberShown(screen, 'installs', installs + 1);
      await screen.clock.fastForward(POLL_MS);
      await polled;

      // the stream back: the page tries it again when it polls, and an event brings the next load's numbers
      await screen.unroute(EVENTS);
      const following = screen.waitForResponse((response) => response.url().includes('/api/v1/events') && response.status() === 200);
      await screen.clock.fastForward(POLL_MS);
      await following;
      const shownAt = numberShown(screen, 'installs', installs + 2);
      await loadInstall();
      expect((await shownAt) - mergingAt).toBeLessThanOrEqual(PUSH_MS);
    } finally {
      await screen.close();
    }
  });

  it('runs "Try it out" of a klip in Swagger UI with the key, under a CSP that it never trips', async () => {
    await page.setViewportSize(LAPTOP);
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    const docs = await page.goto(`${base}/docs`);
    expect(docs?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
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
    expect(blocked).toEqual([]);
  });
});
