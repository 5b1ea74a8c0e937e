// The klips on the page, made from the service's index of klips: a card per klip, a big number and a
// chart each, drawn from the metric API's answers; the klips of a kind that reads best side by side
// (active users: DAU, WAU, MAU) share one card. What a card shows follows the klip's kind and unit. An
// answer that failed shows its message in its own card; the others still show.

import { barChart, cssColor, lineChart, showSeries } from './charts.js';
import {
  formatBucket,
  formatDuration,
  formatNumber,
  formatRange,
  formatShare,
  formatShareTick,
  formatUsd,
  formatUsdTick,
} from './format.js';

// Channels beyond these are summed into one last bar, so the bars stay readable from across a room.
const MAX_CHANNEL_BARS = 8;

const part = (element, role) => element.querySelector(`[data-role="${role}"]`);
const durationTick = (seconds) => (seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`);
// how a value of a unit reads (counts and devices: formatNumber)
const UNIT_FORMATS = {
  seconds: { format: formatDuration, tick: durationTick },
  usd: { format: formatUsd, tick: formatUsdTick },
  share: { format: formatShare, tick: formatShareTick },
};
// a klip's colour: the style sheet's --<route>, else --klip; a series of a klip that has several: --<route>-<field>
const colourOf = (klip, field) => cssColor(field ? `${klip.route}-${field}` : klip.route) || cssColor('klip');
// The retention klip's shares of a cohort still active 1, 7 and 30 days after its install day.
const RETENTION_DAYS = ['d1', 'd7', 'd30'];

// Per kind: the card it makes for its klips (`shared`: one card for all of them), and how it shows their answers.
const KINDS = {
  count: { create: lineCard, show: showLine, big: (answer) => answer.summary.total, note: perDay },
  average: { create: lineCard, show: showLine, big: (answer) => answer.summary.average, note: () => 'mean over the range' },
  revenue: { create: lineCard, show: showLine, big: (answer) => answer.summary.total, note: revenuePerUser },
  'active-users': { shared: true, title: 'Active users', create: groupCard, show: showGroup },
  'by-channel': { create: barCard, show: showBars },
  retention: { create: retentionCard, show: showRetention },
};

// One view per card: its kind, its klips, its element and chart. Klips of a kind this page does not
// know are left out.
export function createCards(klips) {
  const views = [];
  for (const klip of klips.filter((candidate) => KINDS[candidate.kind])) {
    const group = KINDS[klip.kind].shared && views.find((view) => view.kind === klip.kind);
    if (group) group.klips.push(klip);
    else views.push({ kind: klip.kind, klips: [klip] });
  }
  return views.map((view) => ({ ...view, ...KINDS[view.kind].create(view.klips, KINDS[view.kind]) }));
}

export function setBusy(cards, busy) {
  for (const { element } of cards) element.setAttribute('aria-busy', String(busy));
}

// `answers`: route → its JSON answer, or the ApiError it failed with.
export function showAnswers(cards, answers, granularity) {
  for (const view of cards) {
    const viewAnswers = view.klips.map((klip) => answers[klip.route]);
    const failure = viewAnswers.find((answer) => answer instanceof Error);
    if (failure) showFailure(view, failure);
    else KINDS[view.kind].show(view, viewAnswers, granularity);
  }
}

// A card from its template, on the page (a chart measures its canvas there) after the cards made before.
function cardFrom(template, kind, title, id) {
  const element = document.importNode(document.getElementById(template).content.firstElementChild, true);
  element.dataset.kind = kind;
  document.getElementById('cards').append(element);
  const heading = part(element, 'title');
  heading.textContent = title;
  heading.id = `${id}-title`;
  element.setAttribute('aria-labelledby', heading.id);
  return element;
}

function lineCard([klip]) {
  const element = cardFrom('line-card', klip.kind, klip.title, klip.route);
  element.dataset.klip = klip.route;
  const colour = colourOf(klip);
  element.style.setProperty('--colour', colour);
  const { format = formatNumber, tick } = UNIT_FORMATS[klip.unit] ?? {};
  const chart = lineChart(element.querySelector('canvas'), [{ label: klip.label, color: colour, fill: true }], { format, tick });
  return { element, chart, format };
}

// Big numbers side by side, each named in the colour of its line: `series` [{ label, role, color }].
function addNumbers(element, series) {
  element.querySelector('dl').append(
    ...series.map(({ label, role, color }) => {
      const entry = document.createElement('div');
      const name = document.createElement('dt');
      name.textContent = label;
      name.style.color = color;
      const value = document.createElement('dd');
      value.dataset.role = role;
      value.textContent = '–';
      entry.append(name, value);
      return entry;
    }),
  );
}

function groupCard(klips, { title }) {
  const element = cardFrom('group-card', klips[0].kind, title, klips.map((klip) => klip.route).join('-'));
  const series = klips.map((klip) => ({ label: klip.label, role: klip.route, color: colourOf(klip) }));
  addNumbers(element, series);
  return { element, chart: lineChart(element.querySelector('canvas'), series), title };
}

// One klip with three numbers (D1, D7, D30), narrow like a line card: its line per share over the cohorts.
function retentionCard([klip]) {
  const element = cardFrom('shares-card', klip.kind, klip.title, klip.route);
  element.dataset.klip = klip.route;
  const series = RETENTION_DAYS.map((day) => ({ label: day.toUpperCase(), role: day, color: colourOf(klip, day) }));
  addNumbers(element, series);
  // no legend: the chart of a narrow card needs the height, and D1, D7 and D30 stand above in their colours
  return { element, chart: lineChart(element.querySelector('canvas'), series, { ...UNIT_FORMATS.share, legend: false }) };
}

function barCard([klip]) {
  const element = cardFrom('bar-card', klip.kind, klip.title, klip.route);
  element.dataset.klip = klip.route;
  return { element, chart: barChart(element.querySelector('canvas'), colourOf(klip), klip.label) };
}

function perDay(answer) {
  return `${formatNumber(answer.summary.total / daysOf(answer))} a day`;
}

// ARPDAU: the range's revenue per daily active user; none without active users.
function revenuePerUser(answer) {
  return `ARPDAU ${formatUsd(answer.summary.arpdau, { fine: true })}`;
}

function daysOf({ from, to }) {
  return (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
}

function showFailure({ element, chart }, error) {
  element.classList.add('failed');
  for (const value of element.querySelectorAll('[data-role="value"], dd')) value.textContent = '–';
  part(element, 'note').textContent = error.message;
  showSeries(
    chart,
    [],
    chart.data.datasets.map(() => []),
  );
}

function showNote(element, text) {
  element.classList.remove('failed');
  part(element, 'note').textContent = text;
}

function describeChart(element, text) {
  element.querySelector('canvas').setAttribute('aria-label', text);
}

function showLine(view, [answer], granularity) {
  const { element, chart, format, klips } = view;
  const { big, note } = KINDS[view.kind];
  const number = format(big(answer));
  part(element, 'value').textContent = number;
  showNote(element, note(answer));
  showSeries(
    chart,
    answer.data.map((row) => formatBucket(row.date, granularity)),
    [answer.data.map((row) => row.value)],
  );
  describeChart(element, `${klips[0].title} per ${granularity}, ${formatRange(answer.from, answer.to)}: ${number}`);
}

function showGroup({ element, chart, klips, title }, answers, granularity) {
  answers.forEach((answer, i) => (part(element, klips[i].route).textContent = formatNumber(answer.summary.average)));
  showNote(element, `means of the daily values; ${formatNumber(answers[0].summary.distinct)} distinct devices active in the range`);
  showSeries(
    chart,
    answers[0].data.map((row) => formatBucket(row.date, granularity)),
    answers.map((answer) => answer.data.map((row) => row.value)),
  );
  const numbers = answers.map((answer, i) => `${klips[i].label} ${formatNumber(answer.summary.average)}`).join(', ');
  describeChart(element, `${title}, ${formatRange(answers[0].from, answers[0].to)}: ${numbers}`);
}

function showBars({ element, chart, klips }, [answer]) {
  const what = klips[0].label.toLowerCase();
  const rows = answer.data.slice(0, MAX_CHANNEL_BARS);
  const rest = answer.data.slice(MAX_CHANNEL_BARS);
  if (rest.length > 0) rows.push({ channel: `${rest.length} more channels`, value: rest.reduce((sum, row) => sum + row.value, 0) });
  const channelCount = answer.data.length === 1 ? '1 channel' : `${answer.data.length} channels`;
  showNote(
    element,
    answer.data.length === 0 ? `no ${what} in the range` : `${formatNumber(answer.summary.total)} ${what} in ${channelCount}`,
  );
  showSeries(
    chart,
    rows.map((row) => row.channel),
    [rows.map((row) => row.value)],
  );
  describeChart(element, `${klips[0].title}: ${rows.map((row) => `${row.channel} ${formatNumber(row.value)}`).join(', ') || 'none'}`);
}

// A row per cohort (install day, or week or month of install days); a share the service does not know yet
// (day c+N not over, an empty cohort) is null: a gap in its line, — as a number.
function showRetention({ element, chart, klips }, [answer], granularity) {
  const { summary, data } = answer;
  for (const day of RETENTION_DAYS) part(element, day).textContent = formatShare(summary[day]);
  const installs = summary.installs === 1 ? '1 install' : `${formatNumber(summary.installs)} installs`;
  showNote(element, `of ${installs}; by install ${granularity}`);
  showSeries(
    chart,
    data.map((row) => formatBucket(row.date, granularity)),
    RETENTION_DAYS.map((day) => data.map((row) => row[day])),
  );
  const numbers = RETENTION_DAYS.map((day) => `${day.toUpperCase()} ${formatShare(summary[day])}`).join(', ');
  describeChart(element, `${klips[0].title} by install ${granularity}, ${formatRange(answer.from, answer.to)}: ${numbers}`);
}
