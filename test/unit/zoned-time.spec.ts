import { describe, expect, it } from '@jest/globals';
import { addDays, datesBetween, daysBetween, zonedDate, zonedMidnight } from '../../src/common/zoned-time.js';

const at = (iso: string) => new Date(iso);

describe(zonedDate.name, () => {
  it.each([
    ['2026-03-28T22:59:59Z', 'Europe/Berlin', '2026-03-28'],
    ['2026-03-28T23:00:00Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-03-29T22:00:00Z', 'Europe/Berlin', '2026-03-30'],
    ['2026-11-02T07:59:59Z', 'America/Los_Angeles', '2026-11-01'],
    ['2026-11-02T08:00:00Z', 'America/Los_Angeles', '2026-11-02'],
    ['2026-03-08T07:59:59Z', 'America/Los_Angeles', '2026-03-07'],
    ['2026-03-08T08:00:00Z', 'America/Los_Angeles', '2026-03-08'],
    ['2026-12-31T23:59:59Z', 'UTC', '2026-12-31'],
    ['2026-12-31T18:30:00Z', 'Asia/Kolkata', '2027-01-01'],
    ['2026-06-30T10:15:00Z', 'Pacific/Kiritimati', '2026-07-01'],
  ])('%s is %s in %s', (instant, timeZone, date) => {
    expect(zonedDate(at(instant), timeZone)).toBe(date);
  });
});

describe(zonedMidnight.name, () => {
  it.each([
    ['2026-03-29', 'UTC', '2026-03-29T00:00:00.000Z'],
    // Berlin: summer time from 02:00 on 29 March to 03:00 on 25 October 2026
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 'Europe/Berlin', '2026-03-29T22:00:00.000Z'],
    ['2026-10-25', 'Europe/Berlin', '2026-10-24T22:00:00.000Z'],
    ['2026-10-26', 'Europe/Berlin', '2026-10-25T23:00:00.000Z'],
    // Los Angeles: daylight time from 02:00 on 8 March to 02:00 on 1 November 2026
    ['2026-03-08', 'America/Los_Angeles', '2026-03-08T08:00:00.000Z'],
    ['2026-03-09', 'America/Los_Angeles', '2026-03-09T07:00:00.000Z'],
    ['2026-11-01', 'America/Los_Angeles', '2026-11-01T07:00:00.000Z'],
    ['2026-11-02', 'America/Los_Angeles', '2026-11-02T08:00:00.000Z'],
    ['2026-07-01', 'Asia/Kolkata', '2026-06-30T18:30:00.000Z'],
    ['2026-07-01', 'Pacific/Chatham', '2026-06-30T11:15:00.000Z'],
    // Chile ends summer time at 24:00: the clock goes back from 24:00 to 23:00, so 5 April starts at 00:00 -04
    ['2026-04-05', 'America/Santiago', '2026-04-05T04:00:00.000Z'],
  ])('%s begins in %s at %s', (date, timeZone, instant) => {
    expect(zonedMidnight(date, timeZone).toISOString()).toBe(instant);
  });

  // Where summer time starts at midnight, the day has no 00:00: it begins with the first instant after
  // the gap, which is the change itself (00:00 in the old offset).
  it.each([
    ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    ['2026-03-08', 'America/Havana', '2026-03-08T05:00:00.000Z'],
    ['2026-03-29', 'Asia/Beirut', '2026-03-28T22:00:00.000Z'],
    ['2026-04-24', 'Africa/Cairo', '2026-04-23T22:00:00.000Z'],
  ])('%s in %s, a day whose midnight falls into a DST gap, begins at %s', (date, timeZone, instant) => {
    const start = zonedMidnight(date, timeZone);
    expect({ start: start.toISOString(), date: zonedDate(start, timeZone) }).toEqual({ start: instant, date });
    expect(zonedDate(new Date(start.getTime() - 1), timeZone)).toBe(addDays(date, -1));
  });

  // The defining property, for every day of a year: the instant is on that date, and the millisecond
  // before it is on the day before.
  it.each([
    'UTC',
    'Europe/Berlin',
    'America/Los_Angeles',
    'America/Santiago',
    'America/Havana',
    'Asia/Beirut',
    'Africa/Cairo',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'America/St_Johns',
  ])('returns the first instant of every day of 2026 in %s', (timeZone) => {
    const wrong = datesBetween('2026-01-01', '2026-12-31').filter((date) => {
      const start = zonedMidnight(date, timeZone);
      return zonedDate(start, timeZone) !== date || zonedDate(new Date(start.getTime() - 1), timeZone) !== addDays(date, -1);
    });
    expect(wrong).toEqual([]);
  });
});

describe(addDays.name, () => {
  it.each([
    ['2026-03-28', 1, '2026-03-29'],
    ['2026-03-29', 1, '2026-03-30'],
    ['2026-10-25', -1, '2026-10-24'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2026-11-20', -6, '2026-11-14'],
    ['2026-11-20', 0, '2026-11-20'],
  ])('%s %+d days is %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe(datesBetween.name, () => {
  it('lists every date from first to last, inclusive, across DST changes and month ends', () => {
    expect(datesBetween('2026-03-27', '2026-04-02')).toEqual([
      '2026-03-27',
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
      '2026-03-31',
      '2026-04-01',
      '2026-04-02',
    ]);
    expect(datesBetween('2026-10-31', '2026-11-02')).toEqual(['2026-10-31', '2026-11-01', '2026-11-02']);
  });

  it('has one date when first and last are equal, and none when first is after last', () => {
    expect(datesBetween('2026-03-29', '2026-03-29')).toEqual(['2026-03-29']);
    expect(datesBetween('2026-03-30', '2026-03-29')).toEqual([]);
  });

  it('spans a year', () => {
    expect(datesBetween('2028-01-01', '2028-12-31')).toHaveLength(366);
  });

  it('ends at the end of year 9999, where the next label (+010000-01-01) sorts before the last date', () => {
    expect(datesBetween('9999-12-30', '9999-12-31')).toEqual(['9999-12-30', '9999-12-31']);
  });

  it('walks the whole 2000–2099 century and refuses anything longer instead of looping', () => {
    expect(datesBetween('2000-01-01', '2099-12-31')).toHaveLength(36_525);
    expect(() => datesBetween('0000-01-01', '9999-12-31')).toThrow(RangeError);
    expect(() => datesBetween('1999-12-31', '2099-12-31')).toThrow(RangeError);
  });

  it('has no dates between texts that are not dates', () => {
    expect(datesBetween('someday', '2026-01-01')).toEqual([]);
  });
});

describe(daysBetween.name, () => {
  it('counts whole days, across leap years and summer time', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-11-02', '2026-11-01')).toBe(-1);
    expect(daysBetween('2000-01-01', '2099-12-31')).toBe(36_524);
  });
});
