// Calendar days in an IANA time zone, with the platform's Intl data (no time-zone library).

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const clockFormatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  return cached(
    dateFormatters,
    timeZone,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  );
}

function clockFormatter(timeZone: string): Intl.DateTimeFormat {
  return cached(
    clockFormatters,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      }),
  );
}

function cached(formatters: Map<string, Intl.DateTimeFormat>, timeZone: string, create: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = create();
    formatters.set(timeZone, format);
  }
  return format;
}

// The calendar date (YYYY-MM-DD) of an instant in a time zone.
export function zonedDate(instant: Date, timeZone: string): string {
  return formatter(timeZone).format(instant);
}

const DAY_MS = 86_400_000;

// The instant a calendar date begins in a time zone: its midnight or, when the clock jumps over
// midnight (summer time starting at 00:00), the first instant after the gap.
export function zonedMidnight(date: string, timeZone: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // the offsets in force a day before and a day after cover any change near midnight; the earliest
  // candidate that falls on the date is its start (with the earlier offset, a gap's first instant)
  const onDate = [-DAY_MS, DAY_MS]
    .map((shift) => utcMidnight - offsetMs(new Date(utcMidnight + shift), timeZone))
    .filter((instant) => zonedDate(new Date(instant), timeZone) === date);
  return new Date(onDate.length > 0 ? Math.min(...onDate) : utcMidnight - offsetMs(new Date(utcMidnight), timeZone));
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

// Whole days from `from` to `to` (negative when `to` comes first; NaN when either is not a date).
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

// The longest walk any caller needs: a century of days (2000-01-01 … 2099-12-31, the dates the API takes).
const MAX_WALK_DAYS = 36_525;

// Every date from `first` to `last`, inclusive. The days are counted first and the walk is bounded by
// that count: a walk by text comparison never ends past 9999-12-31, where the next label
// (+010000-01-01) sorts before the end.
export function datesBetween(first: string, last: string): string[] {
  const count = daysBetween(first, last) + 1;
  if (count > MAX_WALK_DAYS) throw new RangeError(`datesBetween: ${first} … ${last} spans more than ${MAX_WALK_DAYS} days`);
  return Array.from({ length: count > 0 ? count : 0 }, (_, index) => addDays(first, index));
}

// How far the zone's wall clock is ahead of UTC at an instant.
function offsetMs(instant: Date, timeZone: string): number {
  const parts = clockFormatter(timeZone).formatToParts(instant);
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const wallClock = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return wallClock - Math.floor(instant.getTime() / 1000) * 1000;
}
