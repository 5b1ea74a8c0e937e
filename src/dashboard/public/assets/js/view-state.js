// What the page shows — a range (a period preset or custom dates), a granularity and the filters — kept
// in the controls and in the address (?period=last_7_days&app=…), so that a wall screen's bookmark
// opens the same view.

export const FILTERS = ['app', 'os', 'country', 'channel'];
const DEFAULTS = { period: 'last_30_days', from: '', to: '', granularity: 'day', app: '', os: '', country: '', channel: '' };
const NAMES = Object.keys(DEFAULTS);

const form = document.getElementById('controls');
const customDates = [...form.querySelectorAll('.custom-date')];

export function stateFromUrl() {
  const search = new URLSearchParams(location.search);
  const state = { ...DEFAULTS };
  for (const name of NAMES) state[name] = search.get(name)?.trim() ?? DEFAULTS[name];
  if (state.from || state.to) state.period = 'custom';
  // a mistyped address falls back to the default rather than to an empty choice
  for (const name of ['period', 'granularity']) if (!isChoice(name, state[name])) state[name] = DEFAULTS[name];
  return state;
}

function isChoice(name, value) {
  return [...form.elements[name].options].some((option) => option.value === value);
}

export function stateFromForm() {
  const state = {};
  for (const name of NAMES) state[name] = form.elements[name].value.trim();
  if (state.period !== 'custom') {
    state.from = '';
    state.to = '';
  }
  return state;
}

export function showState(state) {
  for (const name of NAMES) form.elements[name].value = state[name];
  showCustomDates(state.period === 'custom');
}

export function showCustomDates(shown) {
  for (const field of customDates) field.hidden = !shown;
}

export function sameState(a, b) {
  return NAMES.every((name) => a[name] === b[name]);
}

// The address shows what differs from the default view.
export function writeUrl(state) {
  const search = new URLSearchParams();
  for (const name of NAMES) {
    if (name === 'period' && state.period === 'custom') continue;
    if (state[name] !== DEFAULTS[name]) search.set(name, state[name]);
  }
  const query = search.toString();
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
}

// The metric API's parameters for a state: a period, or from/to.
export function apiParams(state) {
  const range = state.period === 'custom' ? { from: state.from, to: state.to } : { period: state.period };
  return { ...range, granularity: state.granularity, ...Object.fromEntries(FILTERS.map((name) => [name, state[name]])) };
}
