// The klips on the page: a big number and a chart each, drawn from the metric API's answers. An answer
// that failed shows its message in its own card; the others still show.

import { barChart, cssColor, lineChart, showSeries } from './charts.js';
import { formatBucket, formatDuration, formatNumber, formatRange } from './format.js';

// Channels beyond these are summed into one last bar, so the bars stay readable from across a room.
const MAX_CHANNEL_BARS = 8;

const card = (name) => document.querySelector(`[data-klip="${name}"]`);
const part = (element, role) => element.querySelector(`[data-role="${role}"]`);
const durationTick = (seconds) => (seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`);

export function createCards() {
  const total = (name, color, format = formatNumber, tick) => {
    const element = card(name);
    return {
      element,
      chart: lineChart(element.querySelector('canvas'), [{ label: element.querySelector('h2').textContent, color, fill: true }], {
        format,
        tick,
      }),
    };
  };
  const active = card('active');
  const channels = card('installs-by-channel');
  return {
    installs: total('installs', cssColor('installs')),
    registrations: total('registrations', cssColor('registrations')),
    session: total('session-duration', cssColor('session'), formatDuration, durationTick),
    active: {
      element: active,
      chart: lineChart(active.querySelector('canvas'), [
        { label: 'DAU', color: cssColor('dau') },
        { label: 'WAU', color: cssColor('wau') },
        { label: 'MAU', color: cssColor('mau') },
      ]),
    },
    channels: { element: channels, chart: barChart(channels.querySelector('canvas'), cssColor('installs')) },
  };
}

export function setBusy(cards, busy) {
  for (const { element } of Object.values(cards)) element.setAttribute('aria-busy', String(busy));
}

// `answers`: klip → its JSON answer, or the ApiError it failed with.
export function showAnswers(cards, answers, granularity) {
  const total = (a) => formatNumber(a.summary.total);
  const perDay = (a) => `${formatNumber(a.summary.total / daysOf(a))} a day`;
  showTotal(cards.installs, answers.installs, granularity, total, perDay);
  showTotal(cards.registrations, answers.registrations, granularity, total, perDay);
  showTotal(
    cards.session,
    answers['session-duration'],
    granularity,
    (a) => formatDuration(a.summary.average),
    () => 'mean session length',
  );
  showActive(cards.active, [answers.dau, answers.wau, answers.mau], granularity);
  showChannels(cards.channels, answers['installs-by-channel']);
}

function daysOf({ from, to }) {
  return (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
}

function failed(answer) {
  return answer instanceof Error;
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

function showTotal(view, answer, granularity, big, note) {
  if (failed(answer)) return showFailure(view, answer);
  const { element, chart } = view;
  const title = element.querySelector('h2').textContent;
  part(element, 'value').textContent = big(answer);
  showNote(element, note(answer));
  showSeries(
    chart,
    answer.data.map((row) => formatBucket(row.date, granularity)),
    [answer.data.map((row) => row.value)],
  );
  describeChart(element, `${title} per ${granularity}, ${formatRange(answer.from, answer.to)}: ${big(answer)}`);
}

function showActive(view, [dau, wau, mau], granularity) {
  const failure = [dau, wau, mau].find(failed);
  if (failure) return showFailure(view, failure);
  const { element, chart } = view;
  part(element, 'dau').textContent = formatNumber(dau.summary.average);
  part(element, 'wau').textContent = formatNumber(wau.summary.average);
  part(element, 'mau').textContent = formatNumber(mau.summary.average);
  showNote(element, `means of the daily values; ${formatNumber(dau.summary.distinct)} distinct devices active in the range`);
  showSeries(
    chart,
    dau.data.map((row) => formatBucket(row.date, granularity)),
    [dau, wau, mau].map((answer) => answer.data.map((row) => row.value)),
  );
  describeChart(
    element,
    `Active users, ${formatRange(dau.from, dau.to)}: DAU ${formatNumber(dau.summary.average)}, WAU ${formatNumber(wau.summary.average)}, MAU ${formatNumber(mau.summary.average)}`,
  );
}

function showChannels(view, answer) {
  if (failed(answer)) return showFailure(view, answer);
  const { element, chart } = view;
  const rows = answer.data.slice(0, MAX_CHANNEL_BARS);
  const rest = answer.data.slice(MAX_CHANNEL_BARS);
  if (rest.length > 0) rows.push({ channel: `${rest.length} more channels`, value: rest.reduce((sum, row) => sum + row.value, 0) });
  const channelCount = answer.data.length === 1 ? '1 channel' : `${answer.data.length} channels`;
  showNote(
    element,
    answer.data.length === 0 ? 'no installs in the range' : `${formatNumber(answer.summary.total)} installs in ${channelCount}`,
  );
  showSeries(
    chart,
    rows.map((row) => row.channel),
    [rows.map((row) => row.value)],
  );
  describeChart(element, `Installs by channel: ${rows.map((row) => `${row.channel} ${formatNumber(row.value)}`).join(', ') || 'none'}`);
}
