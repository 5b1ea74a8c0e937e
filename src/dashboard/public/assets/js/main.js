// The dashboard: the klips the service lists (GET api/v1/metrics) for one range and set of filters,
// fetched again whenever the view changes and after every load that brings new data: the service's events
// say when, and the page polls instead while it cannot follow them.

import { ApiError, getJson } from './api.js';
import { askForKey, storedKey } from './api-key.js';
import { createCards, setBusy, showAnswers } from './cards.js';
import { setUpCharts } from './charts.js';
import { formatAgo, formatClock, formatRange, formatRun } from './format.js';
import { followEvents } from './live.js';
import { FILTERS, apiParams, sameState, showCustomDates, showState, stateFromForm, stateFromUrl, writeUrl } from './view-state.js';

// How often the page asks whether a load brought new data while it cannot follow the events: one small
// answer, cached by the service.
const POLL_MS = 30_000;
// While it follows them it still asks now and then: loads that stop send no event, and the answer says
// whether the data has become stale.
const STALE_CHECK_MS = 300_000;
// The freshness line's "loaded N minutes ago" moves on between polls too.
const CLOCK_MS = 15_000;

const form = document.getElementById('controls');
const errorBanner = document.getElementById('error');
const staleBanner = document.getElementById('stale');
const freshnessLine = document.getElementById('freshness');
const rangeLabel = document.getElementById('range-label');
const runBox = document.getElementById('run');
const runLabel = document.getElementById('run-label');
const runBar = document.getElementById('run-bar');

let key = storedKey();
let state = stateFromUrl();
// the klips' index and the cards made from it, once a key has read it; the read while it runs
let klips = null;
let cards = null;
let indexRead = null;
// the ETag of the probe answer: it changes when a load brings new data
let dataVersion = null;
let freshness = null;
let loading = null;
let pollTimer;
let stopEvents = null;
// the range the klips show, as the service resolved it: where custom dates start from
let shownRange = null;
// what went wrong, shown until the same source succeeds: the last poll, the last load of the klips
const problems = { poll: [], klips: [] };

async function start() {
  setUpCharts();
  showState(state);
  listenToControls();
  if (!key) key = await askForKey();
  listen();
  await poll();
  setInterval(showFreshness, CLOCK_MS);
  document.addEventListener('visibilitychange', () => !document.hidden && poll());
}

// Follows the events with the current key: each one asks for the probe answer at once. Polling stands in
// while the stream is not open.
function listen() {
  stopEvents?.();
  pollEvery(POLL_MS);
  if (!key) return;
  stopEvents = followEvents(key, {
    onData: () => poll(),
    onProgress: showRun,
    onUp: () => pollEvery(STALE_CHECK_MS),
    onDown: () => {
      pollEvery(POLL_MS);
      showRun(null);
    },
  });
}

// a hidden tab asks when it is shown again
function pollEvery(ms) {
  clearInterval(pollTimer);
  pollTimer = setInterval(() => !document.hidden && poll(), ms);
}

// Asks for one small answer (the first klip's, today); a new data version (or the first answer) loads
// every klip again.
async function poll() {
  if (!key) return showNoKey();
  try {
    await loadIndex();
    const { body, etag } = await getJson(`metrics/${klips[0].route}`, { period: 'today' }, key);
    freshness = body.freshness;
    showFreshness();
    showProblems('poll', []);
    // without an ETag (a proxy dropped it) there is no telling whether a load brought new data: load
    if (etag === null || etag !== dataVersion) {
      dataVersion = etag;
      await Promise.all([loadKlips(), loadFilterChoices()]);
    }
  } catch (error) {
    await handle(error, 'poll');
  }
}

// The klips to show, read once (polls that start meanwhile wait for the same read): the page keeps no
// list of its own. A failed read is tried again at the next poll.
function loadIndex() {
  indexRead ??= getJson('metrics', {}, key).then(
    ({ body }) => {
      klips = body.klips;
      cards = createCards(klips);
    },
    (error) => {
      indexRead = null;
      throw error;
    },
  );
  return indexRead;
}

// Every klip for the current view; a newer view aborts the loads of an older one.
async function loadKlips() {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  setBusy(cards, true);
  const params = apiParams(state);
  const results = await Promise.allSettled(
    klips.map((klip) =>
      // a klip without a default granularity (installs by channel: one bar per channel) covers the whole range
      getJson(
        `metrics/${klip.route}`,
        klip.defaultGranularity === null ? { ...params, granularity: undefined } : params,
        key,
        controller.signal,
      ),
    ),
  );
  if (controller.signal.aborted) return;
  loading = null;
  setBusy(cards, false);
  const refused = results.find((result) => result.reason?.status === 401);
  if (refused) return handle(refused.reason, 'klips');
  const answers = Object.fromEntries(klips.map((klip, i) => [klip.route, results[i].value?.body ?? results[i].reason]));
  showAnswers(cards, answers, state.granularity);
  const shown = results.find((result) => result.status === 'fulfilled')?.value.body;
  if (shown) {
    shownRange = { from: shown.from, to: shown.to };
    rangeLabel.textContent = `${formatRange(shown.from, shown.to)} · ${shown.timezone}`;
  }
  showProblems('klips', namedFailures(answers));
}

// One line per distinct failure, naming the klips it hit: "dau, wau: 503: The warehouse did not answer".
function namedFailures(answers) {
  const routesByMessage = new Map();
  for (const [route, answer] of Object.entries(answers)) {
    if (answer instanceof Error) routesByMessage.set(answer.message, [...(routesByMessage.get(answer.message) ?? []), route]);
  }
  return [...routesByMessage].map(
    ([message, routes]) => new Error(`${routes.length === klips.length ? 'every klip' : routes.join(', ')}: ${message}`),
  );
}

// The filters' choices; without them (an older service, the warehouse down) the inputs take any text.
async function loadFilterChoices() {
  try {
    const { body } = await getJson('dimensions', {}, key);
    for (const name of FILTERS) {
      document.getElementById(`${name}-values`).replaceChildren(...body[name].map((value) => new Option(value, value)));
    }
  } catch (error) {
    if (error.status === 401) await handle(error, 'poll');
  }
}

async function handle(error, source) {
  if (error.name === 'AbortError') return;
  if (error.status !== 401) return showProblems(source, [error]);
  key = await askForKey('The service did not accept this key (401). Enter a key from API_KEYS or ADMIN_API_KEYS.');
  await useKey();
}

async function useKey() {
  dataVersion = null;
  listen();
  await poll();
}

function showNoKey() {
  showProblems('poll', [new ApiError(401, 'No API key: the numbers need one. Press "API key" to enter it.')]);
}

function showProblems(source, errors) {
  problems[source] = errors;
  const messages = [...new Set([...problems.poll, ...problems.klips].map((error) => error.message))];
  errorBanner.textContent = messages.join(' · ');
  errorBanner.hidden = messages.length === 0;
}

// A long run's progress (a rebuild, a window run, a first load), above the cards; gone once it has ended.
function showRun(run) {
  runBox.hidden = !run;
  if (!run) return;
  runLabel.textContent = formatRun(run);
  runBar.value = run.percent;
}

// "Data through 10:50, loaded 1 minute ago" in this browser's time zone, and a warning when stale.
function showFreshness() {
  if (!freshness) return;
  const { dataThrough, lastLoadAt, stale } = freshness;
  const through = dataThrough ? `Data through ${formatClock(dataThrough)}` : 'No data yet';
  freshnessLine.textContent = lastLoadAt ? `${through}, loaded ${formatAgo(lastLoadAt)}` : `${through}: no load has finished yet`;
  document.body.classList.toggle('is-stale', stale);
  staleBanner.hidden = !stale;
  staleBanner.textContent = stale ? staleWarning(lastLoadAt) : '';
}

function staleWarning(lastLoadAt) {
  if (!lastLoadAt) return 'No load has finished yet: the numbers appear after the first ETL run (every 10 minutes by default).';
  return (
    `Stale data: the last load finished ${formatAgo(lastLoadAt)} (${formatClock(lastLoadAt)}), more than two schedule intervals ago. ` +
    'These are the last good numbers; see the ETL runs (GET /api/v1/etl/runs) and the service log.'
  );
}

function listenToControls() {
  const apply = () => {
    // custom dates start from the range on screen
    const { period, from, to } = form.elements;
    if (period.value === 'custom' && !from.value && !to.value && shownRange) {
      from.value = shownRange.from;
      to.value = shownRange.to;
    }
    const next = stateFromForm();
    showCustomDates(next.period === 'custom');
    // custom dates: wait for a date
    if (sameState(next, state) || (next.period === 'custom' && !next.from && !next.to)) return;
    state = next;
    writeUrl(state);
    if (key && cards) void loadKlips();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  form.addEventListener('change', apply);
  // a choice picked from a filter's list, or the search field's clear button, applies at once
  form.addEventListener('input', (event) => {
    if (event.inputType === 'insertReplacementText' || event.target.value === '') apply();
  });
  document.getElementById('change-key').addEventListener('click', async () => {
    key = await askForKey();
    await useKey();
  });
}

start().catch((error) => showProblems('poll', [error]));
