import { describe, expect, it } from '@jest/globals';
import type { EtlMode } from '../../src/etl/etl-run.js';
import type { ExtractSummary } from '../../src/etl/extract/source-extractor.js';
import { loadPlan } from '../../src/etl/load-plan.js';
import type { LoadRecord } from '../../src/etl/warehouse/warehouse-session.js';

const at = (iso: string) => new Date(iso);
const request = (mode: EtlMode, windowDays?: number) => ({ trigger: 'api' as const, mode, windowDays });

const LAST: LoadRecord = {
  resumeAfterId: '1500',
  resumeSnapshot: '1000:1010:1003',
  dataThrough: at('2026-03-31T09:49:30Z'),
};

function summary(overrides: Partial<ExtractSummary> = {}): ExtractSummary {
  return {
    rows: 3,
    dataThrough: at('2026-03-31T09:59:00Z'),
    days: ['2026-03-30', '2026-03-31'],
    createdDays: ['2026-03-31'],
    resumeAfterId: '1600',
    resumeSnapshot: '1020:1024:',
    ...overrides,
  };
}

// 31 March 2026, 12:00 in Berlin (summer time since the 29th)
const NOW = at('2026-03-31T10:00:00Z');

describe(loadPlan.name, () => {
  describe('bounds', () => {
    it('arrival resumes after the last load’s id and snapshot, reads no window, and keeps its rows apart for the rollups', () => {
      expect(loadPlan(request('arrival'), LAST, NOW, 'Europe/Berlin', 7)).toMatchObject({
        afterId: '1500',
        afterSnapshot: '1000:1010:1003',
        windowStart: null,
        keepLoadRows: true,
      });
    });

    it('arrival after a load recorded before snapshots resumes by id alone', () => {
      expect(loadPlan(request('arrival'), { ...LAST, resumeSnapshot: null }, NOW, 'UTC', 7)).toMatchObject({
        afterId: '1500',
        afterSnapshot: null,
      });
    });

    it('arrival reads everything when nothing was loaded yet, and builds the rollups from the table', () => {
      expect(loadPlan(request('arrival'), null, NOW, 'Europe/Berlin', 7)).toMatchObject({
        afterId: '0',
        afterSnapshot: null,
        windowStart: null,
        keepLoadRows: false,
      });
    });

    it('rebuild reads everything, whatever was loaded', () => {
      expect(loadPlan(request('rebuild'), LAST, NOW, 'Europe/Berlin', 7)).toMatchObject({
        afterId: '0',
        afterSnapshot: null,
        windowStart: null,
        keepLoadRows: false,
      });
    });

    it('window resumes like arrival and also re-reads from midnight of the first window day (recounting, not adding)', () => {
      expect(loadPlan(request('window'), LAST, NOW, 'Europe/Berlin', 7)).toMatchObject({
        afterId: '1500',
        afterSnapshot: '1000:1010:1003',
        windowStart: expect.any(Date),
        keepLoadRows: false,
      });
      expect(loadPlan(request('window'), null, NOW, 'Europe/Berlin', 7).afterId).toBe('0');
    });

    it.each([
      // today is 31 March; 7 days back to 25 March, still winter time (+01:00)
      ['Europe/Berlin', NOW, 7, '2026-03-24T23:00:00.000Z'],
      // 3 days: 29 March, the day summer time starts at 02:00, begins in winter time
      ['Europe/Berlin', NOW, 3, '2026-03-28T23:00:00.000Z'],
      // 2 days: 30 March, in summer time (+02:00)
      ['Europe/Berlin', NOW, 2, '2026-03-29T22:00:00.000Z'],
      // 1 day: today only
      ['Europe/Berlin', NOW, 1, '2026-03-30T22:00:00.000Z'],
      // 3 November, 10:00 in Los Angeles (standard time since 1 November); 28 October is in daylight time (-07:00)
      ['America/Los_Angeles', at('2026-11-03T18:00:00Z'), 7, '2026-10-28T07:00:00.000Z'],
      // 3 days: 1 November, the day daylight time ends at 02:00, begins in daylight time
      ['America/Los_Angeles', at('2026-11-03T18:00:00Z'), 3, '2026-11-01T07:00:00.000Z'],
      // 07:30 UTC on 3 November is still 2 November in Los Angeles
      ['America/Los_Angeles', at('2026-11-03T07:30:00Z'), 1, '2026-11-02T08:00:00.000Z'],
      // …but 3 November in Berlin
      ['Europe/Berlin', at('2026-11-03T07:30:00Z'), 1, '2026-11-02T23:00:00.000Z'],
      ['UTC', NOW, 7, '2026-03-25T00:00:00.000Z'],
    ])('window in %s at %s over %d days starts at %s', (timeZone, now, days, start) => {
      expect(loadPlan(request('window'), LAST, now, timeZone, days).windowStart?.toISOString()).toBe(start);
    });

    it('takes the window length from the request when it names one', () => {
      expect(loadPlan(request('window', 2), LAST, NOW, 'Europe/Berlin', 7).windowStart?.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    });
  });

  describe('daysRefreshed', () => {
    it('is the extracted days for arrival and rebuild', () => {
      for (const mode of ['arrival', 'rebuild'] as const) {
        expect(loadPlan(request(mode), LAST, NOW, 'Europe/Berlin', 7).daysRefreshed(['2026-03-02', '2026-03-31'])).toEqual([
          '2026-03-02',
          '2026-03-31',
        ]);
      }
    });

    it('covers the whole window up to today, plus any late day extracted, for window', () => {
      expect(loadPlan(request('window'), LAST, NOW, 'Europe/Berlin', 7).daysRefreshed(['2026-03-02', '2026-03-27'])).toEqual([
        '2026-03-02',
        '2026-03-25',
        '2026-03-26',
        '2026-03-27',
        '2026-03-28',
        '2026-03-29',
        '2026-03-30',
        '2026-03-31',
      ]);
    });

    it('covers the window even when nothing was extracted', () => {
      expect(loadPlan(request('window', 3), LAST, NOW, 'Europe/Berlin', 7).daysRefreshed([])).toEqual([
        '2026-03-29',
        '2026-03-30',
        '2026-03-31',
      ]);
    });

    it('takes today in the report time zone', () => {
      // 07:30 UTC on 3 November: still the 2nd in Los Angeles
      expect(loadPlan(request('window', 2), LAST, at('2026-11-03T07:30:00Z'), 'America/Los_Angeles', 7).daysRefreshed([])).toEqual([
        '2026-11-01',
        '2026-11-02',
      ]);
    });

    it('fills the window up to today only, keeping a later extracted day itself (a bad created_at must not add years of days)', () => {
      expect(loadPlan(request('window', 1), LAST, NOW, 'Europe/Berlin', 7).daysRefreshed(['2026-04-02', '2099-12-31'])).toEqual([
        '2026-03-31',
        '2026-04-02',
        '2099-12-31',
      ]);
    });
  });

  describe('mergePlan', () => {
    it('carries the run, the mode, the window and the extract', () => {
      const before = Date.now();
      const plan = loadPlan(request('window'), LAST, NOW, 'Europe/Berlin', 7).mergePlan(42, summary());
      expect(plan).toEqual({
        runId: 42,
        mode: 'window',
        windowStart: at('2026-03-24T23:00:00Z'),
        afterId: '1500',
        keepLoadRows: false,
        stagedRows: 3,
        resumeAfterId: '1600',
        resumeSnapshot: '1020:1024:',
        dataThrough: at('2026-03-31T09:59:00Z'),
        loadedAt: expect.any(Date),
      });
      expect(plan.loadedAt.getTime()).toBeGreaterThanOrEqual(before);
    });

    it.each([
      ['the new one when it is later', 'arrival', LAST.dataThrough, at('2026-03-31T09:59:00Z'), at('2026-03-31T09:59:00Z')],
      ['the previous one when it is later', 'arrival', at('2026-04-01T00:00:00Z'), at('2026-03-31T09:59:00Z'), at('2026-04-01T00:00:00Z')],
      ['the previous one when nothing was extracted', 'arrival', LAST.dataThrough, null, LAST.dataThrough],
      ['the new one when nothing was loaded before', 'window', null, at('2026-03-31T09:59:00Z'), at('2026-03-31T09:59:00Z')],
      [
        'the previous one in window mode when it is later',
        'window',
        at('2026-04-01T00:00:00Z'),
        at('2026-03-31T09:59:00Z'),
        at('2026-04-01T00:00:00Z'),
      ],
      ['none when neither has one', 'arrival', null, null, null],
      [
        'the new one for rebuild, even when the previous is later',
        'rebuild',
        at('2026-04-01T00:00:00Z'),
        at('2026-03-31T09:59:00Z'),
        at('2026-03-31T09:59:00Z'),
      ],
      ['none for a rebuild of an empty source', 'rebuild', LAST.dataThrough, null, null],
    ] as const)('keeps as dataThrough %s', (_what, mode, previous, extracted, expected) => {
      const last = { ...LAST, dataThrough: previous };
      const plan = loadPlan(request(mode), last, NOW, 'Europe/Berlin', 7).mergePlan(42, summary({ dataThrough: extracted }));
      expect(plan.dataThrough).toEqual(expected);
    });

    it('keeps the new dataThrough when there is no previous load', () => {
      expect(loadPlan(request('arrival'), null, NOW, 'UTC', 7).mergePlan(1, summary()).dataThrough).toEqual(at('2026-03-31T09:59:00Z'));
    });
  });
});
