import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../src/common/domain-error.js';
import { daysBetween } from '../../src/common/zoned-time.js';
import { buckets, type DateRange, type Period, periodRange, resolveRange, weekStart } from '../../src/metrics/date-range.js';

// Every expected date below was worked out on a calendar, not with the code under test.
// 2026-11-18 is a Wednesday, 2026-11-22 a Sunday, 2026-03-01 a Sunday, 2026-01-01 a Thursday,
// 2027-01-03 a Sunday, 2028 is a leap year.

const range = (from: string, to: string): DateRange => ({ from, to });

// The DomainError a call throws (a 400 at the edge), or a failure when it throws nothing.
function refusal(call: () => unknown): DomainError {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DomainError);
  return thrown as DomainError;
}

describe(periodRange.name, () => {
  it.each<[string, Period, string, string]>([
    // a Wednesday in the middle of a month
    ['2026-11-18', 'today', '2026-11-18', '2026-11-18'],
    ['2026-11-18', 'yesterday', '2026-11-17', '2026-11-17'],
    ['2026-11-18', 'last_7_days', '2026-11-12', '2026-11-18'],
    ['2026-11-18', 'last_30_days', '2026-10-20', '2026-11-18'],
    ['2026-11-18', 'last_90_days', '2026-08-21', '2026-11-18'],
    ['2026-11-18', 'this_week', '2026-11-16', '2026-11-18'],
    ['2026-11-18', 'last_week', '2026-11-09', '2026-11-15'],
    ['2026-11-18', 'this_month', '2026-11-01', '2026-11-18'],
    ['2026-11-18', 'last_month', '2026-10-01', '2026-10-31'],
    ['2026-11-18', 'year_to_date', '2026-01-01', '2026-11-18'],
    // a Sunday ends its ISO week: this week began on the Monday six days before
    ['2026-11-22', 'this_week', '2026-11-16', '2026-11-22'],
    ['2026-11-22', 'last_week', '2026-11-09', '2026-11-15'],
    ['2026-11-22', 'last_7_days', '2026-11-16', '2026-11-22'],
    // a Monday starts one
    ['2026-11-23', 'this_week', '2026-11-23', '2026-11-23'],
    ['2026-11-23', 'last_week', '2026-11-16', '2026-11-22'],
    // the 1st of a month (a Sunday) after a 28-day February
    ['2026-03-01', 'yesterday', '2026-02-28', '2026-02-28'],
    ['2026-03-01', 'this_month', '2026-03-01', '2026-03-01'],
    ['2026-03-01', 'last_month', '2026-02-01', '2026-02-28'],
    ['2026-03-01', 'this_week', '2026-02-23', '2026-03-01'],
    ['2026-03-01', 'last_week', '2026-02-16', '2026-02-22'],
    ['2026-03-01', 'last_7_days', '2026-02-23', '2026-03-01'],
    ['2026-03-01', 'last_30_days', '2026-01-31', '2026-03-01'],
    // after a leap February
    ['2028-03-01', 'yesterday', '2028-02-29', '2028-02-29'],
    ['2028-03-01', 'last_month', '2028-02-01', '2028-02-29'],
    ['2028-03-01', 'this_week', '2028-02-28', '2028-03-01'],
    // the last day of a 31-day month
    ['2026-10-31', 'this_month', '2026-10-01', '2026-10-31'],
    ['2026-10-31', 'last_month', '2026-09-01', '2026-09-30'],
    // New Year's Day (a Thursday): every period reaches back into the old year except year_to_date
    ['2026-01-01', 'today', '2026-01-01', '2026-01-01'],
    ['2026-01-01', 'yesterday', '2025-12-31', '2025-12-31'],
    ['2026-01-01', 'last_7_days', '2025-12-26', '2026-01-01'],
    ['2026-01-01', 'last_30_days', '2025-12-03', '2026-01-01'],
    ['2026-01-01', 'last_90_days', '2025-10-04', '2026-01-01'],
    ['2026-01-01', 'this_week', '2025-12-29', '2026-01-01'],
    ['2026-01-01', 'last_week', '2025-12-22', '2025-12-28'],
    ['2026-01-01', 'this_month', '2026-01-01', '2026-01-01'],
    ['2026-01-01', 'last_month', '2025-12-01', '2025-12-31'],
    ['2026-01-01', 'year_to_date', '2026-01-01', '2026-01-01'],
    // a Sunday early in January: this ISO week began in December
    ['2027-01-03', 'this_week', '2026-12-28', '2027-01-03'],
    ['2027-01-03', 'last_week', '2026-12-21', '2026-12-27'],
    ['2027-01-03', 'year_to_date', '2027-01-01', '2027-01-03'],
    ['2027-01-03', 'last_month', '2026-12-01', '2026-12-31'],
    // New Year's Eve: the whole year
    ['2026-12-31', 'year_to_date', '2026-01-01', '2026-12-31'],
    ['2026-12-31', 'this_month', '2026-12-01', '2026-12-31'],
  ])('on %s, %s is %s … %s', (today, period, from, to) => {
    expect(periodRange(period, today)).toEqual({ from, to });
  });

  it('spans the number of days its name says', () => {
    const today = '2026-06-15';
    expect(daysBetween(periodRange('last_7_days', today).from, today) + 1).toBe(7);
    expect(daysBetween(periodRange('last_30_days', today).from, today) + 1).toBe(30);
    expect(daysBetween(periodRange('last_90_days', today).from, today) + 1).toBe(90);
  });
});

describe(resolveRange.name, () => {
  const today = '2026-11-18';

  it('defaults to the last 30 days ending today', () => {
    expect(resolveRange({}, today)).toEqual(range('2026-10-20', '2026-11-18'));
  });

  it('with only from, runs from it to today', () => {
    expect(resolveRange({ from: '2026-11-01' }, today)).toEqual(range('2026-11-01', '2026-11-18'));
    expect(resolveRange({ from: today }, today)).toEqual(range(today, today));
  });

  it('with only a from after today, answers that one day rather than an inverted range', () => {
    expect(resolveRange({ from: '2026-12-01' }, today)).toEqual(range('2026-12-01', '2026-12-01'));
  });

  it('with only to, covers the 30 days ending on it', () => {
    expect(resolveRange({ to: '2026-11-10' }, today)).toEqual(range('2026-10-12', '2026-11-10'));
    expect(resolveRange({ to: '2026-03-01' }, today)).toEqual(range('2026-01-31', '2026-03-01'));
  });

  it('takes from and to as they are, one day included', () => {
    expect(resolveRange({ from: '2026-11-01', to: '2026-11-07' }, today)).toEqual(range('2026-11-01', '2026-11-07'));
    expect(resolveRange({ from: '2026-11-07', to: '2026-11-07' }, today)).toEqual(range('2026-11-07', '2026-11-07'));
    // the future is allowed: its days are zeros
    expect(resolveRange({ from: '2026-12-01', to: '2026-12-31' }, today)).toEqual(range('2026-12-01', '2026-12-31'));
  });

  it('resolves a period', () => {
    expect(resolveRange({ period: 'last_week' }, today)).toEqual(range('2026-11-09', '2026-11-15'));
  });

  it('refuses from after to, naming both', () => {
    const error = refusal(() => resolveRange({ from: '2026-11-02', to: '2026-11-01' }, today));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('from (2026-11-02) is after to (2026-11-01): from must be on or before to');
  });

  it('never inverts a range built from only to or only from', () => {
    // from is derived from a lone to, and a lone from pulls to along when it is in the future
    expect(resolveRange({ to: '2000-01-01' }, today)).toEqual(range('2000-01-01', '2000-01-01'));
    expect(resolveRange({ from: '2099-12-31' }, today)).toEqual(range('2099-12-31', '2099-12-31'));
  });

  it('starts a range built from only to no earlier than 2000-01-01', () => {
    // 30 days ending on 2000-01-10 would begin on 1999-12-12
    expect(resolveRange({ to: '2000-01-10' }, today)).toEqual(range('2000-01-01', '2000-01-10'));
    expect(resolveRange({ to: '2000-01-30' }, today)).toEqual(range('2000-01-01', '2000-01-30'));
    expect(resolveRange({ to: '2000-01-31' }, today)).toEqual(range('2000-01-02', '2000-01-31'));
  });

  it.each([
    [{ from: '9999-12-01', to: '9999-12-31' }, 'from'],
    [{ to: '0000-01-15' }, 'to'],
    [{ from: '1999-12-31', to: '2000-01-05' }, 'from'],
    [{ from: '2099-12-01', to: '2100-01-01' }, 'to'],
  ])('refuses %j, naming %s and the dates it may take', (dates, name) => {
    const error = refusal(() => resolveRange(dates, today));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe(`${name} must be a date between 2000-01-01 and 2099-12-31`);
  });

  it('takes the first and last days of the window', () => {
    expect(resolveRange({ from: '2000-01-01', to: '2000-01-31' }, today)).toEqual(range('2000-01-01', '2000-01-31'));
    expect(resolveRange({ from: '2099-12-01', to: '2099-12-31' }, today)).toEqual(range('2099-12-01', '2099-12-31'));
  });

  it.each([
    ['2025-01-01', '2027-01-01'],
    // across the leap day of 2028: 365 + 366 days
    ['2027-01-01', '2028-12-31'],
  ])('accepts %s … %s, 731 days', (from, to) => {
    expect(resolveRange({ from, to }, today)).toEqual(range(from, to));
  });

  it.each([
    ['2025-01-01', '2027-01-02'],
    ['2027-01-01', '2029-01-01'],
  ])('refuses %s … %s, 732 days, saying the limit', (from, to) => {
    const error = refusal(() => resolveRange({ from, to }, today));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('from … to spans 732 days: a range covers at most 731 days');
  });

  it('applies the limit to an only-from range that ends today', () => {
    // 2024-11-18 … 2026-11-18 is two years without a leap day: 731 days
    expect(resolveRange({ from: '2024-11-18' }, today)).toEqual(range('2024-11-18', today));
    expect(refusal(() => resolveRange({ from: '2024-11-17' }, today)).message).toContain('732 days');
  });

  it.each([{ from: '2026-11-01' }, { to: '2026-11-07' }, { from: '2026-11-01', to: '2026-11-07' }])(
    'refuses a period together with %j',
    (dates) => {
      const error = refusal(() => resolveRange({ period: 'last_7_days', ...dates }, today));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/^period cannot be combined with from\/to/);
    },
  );
});

describe(buckets.name, () => {
  const labels = (list: { label: string }[]) => list.map((bucket) => bucket.label);

  it('gives one bucket per day, labelled by the day', () => {
    expect(buckets(range('2026-10-30', '2026-11-02'), 'day')).toEqual([
      { label: '2026-10-30', days: ['2026-10-30'] },
      { label: '2026-10-31', days: ['2026-10-31'] },
      { label: '2026-11-01', days: ['2026-11-01'] },
      { label: '2026-11-02', days: ['2026-11-02'] },
    ]);
  });

  it('cuts ISO weeks at the range, keeping the Monday label: a range starting on a Sunday opens with a one-day bucket', () => {
    expect(buckets(range('2026-11-08', '2026-11-20'), 'week')).toEqual([
      { label: '2026-11-02', days: ['2026-11-08'] },
      {
        label: '2026-11-09',
        days: ['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13', '2026-11-14', '2026-11-15'],
      },
      { label: '2026-11-16', days: ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'] },
    ]);
  });

  it('keeps an ISO week whole across a year boundary (2026-12-28 … 2027-01-10)', () => {
    expect(buckets(range('2026-12-28', '2027-01-10'), 'week')).toEqual([
      {
        label: '2026-12-28',
        days: ['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'],
      },
      {
        label: '2027-01-04',
        days: ['2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08', '2027-01-09', '2027-01-10'],
      },
    ]);
  });

  it('labels a New Year week that the range cuts by its December Monday', () => {
    expect(buckets(range('2027-01-01', '2027-01-05'), 'week')).toEqual([
      { label: '2026-12-28', days: ['2027-01-01', '2027-01-02', '2027-01-03'] },
      { label: '2027-01-04', days: ['2027-01-04', '2027-01-05'] },
    ]);
  });

  it('gives a one-day range on a Sunday one bucket labelled by its Monday', () => {
    expect(buckets(range('2026-11-22', '2026-11-22'), 'week')).toEqual([{ label: '2026-11-16', days: ['2026-11-22'] }]);
  });

  it('cuts months at the range, keeping the 1st as label', () => {
    const result = buckets(range('2026-10-25', '2026-12-03'), 'month');
    expect(labels(result)).toEqual(['2026-10-01', '2026-11-01', '2026-12-01']);
    expect(result[0].days).toEqual(['2026-10-25', '2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30', '2026-10-31']);
    expect(result[1].days).toHaveLength(30);
    expect(result[1].days[0]).toBe('2026-11-01');
    expect(result[1].days[29]).toBe('2026-11-30');
    expect(result[2].days).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
  });

  it('splits months at a year boundary and counts a leap February whole', () => {
    expect(labels(buckets(range('2026-12-15', '2027-01-15'), 'month'))).toEqual(['2026-12-01', '2027-01-01']);
    const february = buckets(range('2028-02-01', '2028-02-29'), 'month');
    expect(february).toHaveLength(1);
    expect(february[0]).toMatchObject({ label: '2028-02-01' });
    expect(february[0].days).toHaveLength(29);
  });

  // what a bucket's label must be, given its first day (an oracle independent of weekStart)
  const mondayOf = (day: string) => {
    const date = new Date(`${day}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
    return date.toISOString().slice(0, 10);
  };
  const labelRule = { day: (first: string) => first, week: mondayOf, month: (first: string) => `${first.slice(0, 8)}01` };

  it.each(['day', 'week', 'month'] as const)('covers every day of a long range exactly once, in order (%s)', (granularity) => {
    const long = range('2025-12-20', '2027-02-10');
    const result = buckets(long, granularity);
    const days = result.flatMap((bucket) => bucket.days);
    expect(days).toHaveLength(daysBetween(long.from, long.to) + 1);
    expect(days[0]).toBe(long.from);
    expect(days.at(-1)).toBe(long.to);
    expect(new Set(days).size).toBe(days.length);
    expect([...days].sort()).toEqual(days);
    // each day sits in the bucket of its own label, and no two buckets share a label
    const placed = result.flatMap((bucket) => bucket.days.map((day) => [day, bucket.label]));
    expect(placed).toEqual(days.map((day) => [day, labelRule[granularity](day)]));
    expect(new Set(result.map((bucket) => bucket.label)).size).toBe(result.length);
  });
});

describe(weekStart.name, () => {
  it.each([
    ['2026-11-16', '2026-11-16'], // Monday
    ['2026-11-18', '2026-11-16'], // Wednesday
    ['2026-11-22', '2026-11-16'], // Sunday
    ['2027-01-01', '2026-12-28'], // Friday of ISO week 53 of 2026
    ['2026-03-01', '2026-02-23'], // Sunday after February
  ])('the ISO week of %s starts on %s', (day, monday) => {
    expect(weekStart(day)).toBe(monday);
  });
});

describe(daysBetween.name, () => {
  it('counts calendar days, across leap days and summer time', () => {
    expect(daysBetween('2026-11-18', '2026-11-18')).toBe(0);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2025-01-01', '2027-01-01')).toBe(730);
  });
});
