import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';

// The command line's progress lines where stdout is no terminal (a log file, a pipe: as in this test):
// nothing for a short task but its last line, a line every 30 s for a long one.
describe('progress outside a terminal', () => {
  const written: string[] = [];
  let progress: (line: string, done?: boolean) => void;
  let every: number;

  beforeAll(async () => {
    jest.useFakeTimers({ now: 0 });
    // the module notes when the command began as it loads
    ({ progress, PLAIN_PROGRESS_MS: every } = await import('../../src/cli/cli.js'));
    jest.spyOn(process.stdout, 'write').mockImplementation((text) => {
      written.push(String(text));
      return true;
    });
  });
  afterAll(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('prints the first line 30 s after the start, then at most one every 30 s, and always the last one', () => {
    expect(process.stdout.isTTY).toBeFalsy();
    progress('1 %');
    jest.setSystemTime(every - 1);
    progress('9 %');
    expect(written).toEqual([]);
    jest.setSystemTime(every);
    progress('10 %');
    jest.setSystemTime(every + 1000);
    progress('11 %');
    jest.setSystemTime(2 * every);
    progress('20 %');
    progress('done', true);
    expect(written).toEqual(['10 %\n', '20 %\n', 'done\n']);
  });
});
