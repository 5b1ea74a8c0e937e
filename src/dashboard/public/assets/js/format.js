// How numbers, durations, dates and times read on the page: in the browser's language and time zone.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

// Counts and means of counts: whole numbers from 100 on, one decimal below (a DAU mean of 3.5).
export function formatNumber(value) {
  if (value === null || value === undefined) return '–';
  return Math.abs(value) >= 100 ? integer.format(value) : oneDecimal.format(value);
}

// Axis ticks: 12K rather than 12,000.
export function formatTick(value) {
  return compact.format(value);
}

// Money is US dollars (the revenue klip's unit): cents for totals, a hundredth of a cent for a revenue per
// user, which is often under a dollar. What is not known yet (no active users, a day not over) reads —.
const NOT_KNOWN = '—';
const dollars = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });
const fineDollars = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 4 });
const compactDollars = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});
const percent = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

// $1,234.56; with `fine`, $0.1234.
export function formatUsd(value, { fine = false } = {}) {
  if (value === null || value === undefined) return NOT_KNOWN;
  return (fine ? fineDollars : dollars).format(value);
}

// Axis ticks: $1.2K.
export function formatUsdTick(value) {
  return compactDollars.format(value);
}

// A share 0–1 as a percentage with one decimal, so that D1, D7 and D30 line up: 41.2 %, 20.0 %.
export function formatShare(value) {
  if (value === null || value === undefined) return NOT_KNOWN;
  return `${percent.format(value * 100)} %`;
}

// Axis ticks of shares: 0 %, 10 %, 2.5 %.
export function formatShareTick(value) {
  return `${oneDecimal.format(value * 100)} %`;
}

// Seconds as a person says them: 42 s, 6 min 52 s, 1 h 05 min.
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(total / 3600)} h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')} min`;
}

// A bucket label (YYYY-MM-DD: the day, the week's Monday or the month's 1st) is a calendar date of the
// report time zone, not an instant: it is formatted as a UTC date so that no local offset moves it.
const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const monthLabel = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const fullDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

export function formatBucket(date, granularity) {
  const instant = new Date(`${date}T00:00:00Z`);
  return granularity === 'month' ? monthLabel.format(instant) : dayLabel.format(instant);
}

export function formatRange(from, to) {
  const first = fullDate.format(new Date(`${from}T00:00:00Z`));
  return from === to ? first : `${first} – ${fullDate.format(new Date(`${to}T00:00:00Z`))}`;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndClock = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

// An instant in the browser's time zone: 10:50 today, 27 Nov, 10:50 on another day.
export function formatClock(iso, now = new Date()) {
  const instant = new Date(iso);
  return instant.toDateString() === now.toDateString() ? clock.format(instant) : dayAndClock.format(instant);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

// How long ago an instant was: "just now", "1 min ago", "3 hours ago", "2 days ago".
export function formatAgo(iso, now = Date.now()) {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return relative.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return relative.format(-hours, 'hour');
  return relative.format(-Math.round(hours / 24), 'day');
}

const RUN_KINDS = { rebuild: 'Rebuild', window: 'Window run', arrival: 'Load' };

// "Rebuild (run 12): 62.5 % — rollups: recount/insert-counts, about 2 min left"
export function formatRun({ runId, mode, phase, detail, percent: done, secondsLeft }) {
  const doing = detail ? `${phase}: ${detail}` : phase;
  const left = secondsLeft === null ? '' : `, about ${secondsLeft < 60 ? `${secondsLeft} s` : `${Math.round(secondsLeft / 60)} min`} left`;
  return `${RUN_KINDS[mode] ?? 'Run'} (run ${runId}): ${done.toFixed(1)} % — ${doing}${left}`;
}
