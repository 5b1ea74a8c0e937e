import { describe, expect, it } from '@jest/globals';
import { RunProgress, timeLeft } from '../../src/etl/run-progress.js';

// The progress a run reports, on a clock the test moves: the steps' shares (extract 35 %, stage 1 %,
// load 4 %, merge 5 %, rollups 55 %), the share done of the current one, and the estimate of the time left.
describe(RunProgress.name, () => {
  const at = (clock: { now: number }) => new RunProgress(0, () => clock.now);

  it('adds the shares of the steps before the current one to the done part of it', () => {
    const clock = { now: 0 };
    const progress = at(clock);
    expect(progress.view()).toEqual({ phase: 'lease', detail: null, percent: 0, secondsLeft: null });
    progress.enter('extract');
    progress.advance(0.5, '500 of 1,000 rows');
    expect(progress.view()).toMatchObject({ phase: 'extract', detail: '500 of 1,000 rows', percent: 17.5 });
    progress.enter('stage');
    progress.enter('load');
    progress.enter('merge');
    expect(progress.view().percent).toBe(40);
    progress.enter('rollups');
    progress.advance(0.2, 'recount/insert-counts');
    // 35 + 1 + 4 + 5 + 0.2 × 55 = 56
    expect(progress.view()).toMatchObject({ phase: 'rollups', detail: 'recount/insert-counts', percent: 56 });
  });

  it('estimates the time left at the pace so far, once a second and 1 % of the run have passed', () => {
    const clock = { now: 0 };
    const progress = at(clock);
    progress.enter('extract');
    progress.advance(0.02);
    clock.now = 500;
    expect(progress.view().secondsLeft).toBeNull();
    // 70 % of the extract in 49 s is 24.5 % of the run: 49 × 75.5 / 24.5 = 151 s left
    clock.now = 49_000;
    progress.advance(0.7);
    expect(progress.view()).toMatchObject({ percent: 24.5, secondsLeft: 151 });
  });

  it('never goes back, ignores the steps outside the run, and ends at 100 % with nothing left', () => {
    const clock = { now: 10_000 };
    const progress = at(clock);
    progress.enter('rollups');
    progress.advance(0.5);
    progress.advance(0.3);
    expect(progress.view().percent).toBe(72.5);
    progress.enter('maintain');
    expect(progress.view()).toMatchObject({ phase: 'rollups', percent: 72.5 });
    progress.finish();
    expect(progress.view()).toEqual({ phase: 'rollups', detail: null, percent: 100, secondsLeft: 0 });
    // the maintenance after the run moves nothing
    progress.enter('extract');
    progress.advance(0, 'after the run');
    expect(progress.view()).toEqual({ phase: 'rollups', detail: null, percent: 100, secondsLeft: 0 });
  });

  it("counts a repair's preparation and swap beside the live warehouse, and nothing of them for a run in place", () => {
    const inPlace = at({ now: 0 });
    inPlace.enter('prepare');
    expect(inPlace.view()).toMatchObject({ phase: 'lease', percent: 0 });

    // shares: prepare 3, extract 35, stage 1, load 4, merge 5, rollups 55, swap 2 (of 105)
    const beside = at({ now: 0 });
    beside.besideLive();
    beside.enter('prepare');
    beside.advance(0.5);
    expect(beside.view()).toMatchObject({ phase: 'prepare', percent: 1.4 }); // 1.5 / 105
    beside.enter('extract');
    expect(beside.view().percent).toBe(2.8); // 3 / 105
    beside.enter('swap');
    beside.advance(0, 'waiting for the load in progress');
    expect(beside.view()).toMatchObject({ phase: 'swap', detail: 'waiting for the load in progress', percent: 98 }); // 103 / 105
    beside.finish();
    expect(beside.view()).toEqual({ phase: 'swap', detail: null, percent: 100, secondsLeft: 0 });
  });

  it('words the estimate in seconds under a minute, then in minutes', () => {
    expect(timeLeft(0)).toBe('about 0 s left');
    expect(timeLeft(59)).toBe('about 59 s left');
    expect(timeLeft(89)).toBe('about 1 min left');
    expect(timeLeft(90)).toBe('about 2 min left');
  });
});
