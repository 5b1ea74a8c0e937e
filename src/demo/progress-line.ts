import type { SendReport } from './callback-sender.js';

const BAR_WIDTH = 30;
const count = (n: number) => n.toLocaleString('en-US');

// "[#########.....] 31 % of 90 days: 23,400 callbacks, 2,950/s": the command line's bar, the service's log.
export function progressLine(report: SendReport, share: number, days: number, elapsedMs: number): string {
  const bar = '#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '.');
  const rate = elapsedMs > 0 ? Math.round((report.sent * 1000) / elapsedMs) : 0;
  return `[${bar}] ${Math.floor(share * 100)} % of ${days} days: ${count(report.sent)} callbacks, ${count(rate)}/s`;
}

// "64,762 callbacks in 19.2 s: 63,629 stored, 1,133 duplicates, 0 refused"
export function reportLine(report: SendReport, elapsedMs: number): string {
  return (
    `${count(report.sent)} callbacks in ${(elapsedMs / 1000).toFixed(1)} s: ${count(report.stored)} stored, ` +
    `${count(report.duplicates)} duplicates, ${count(report.refused)} refused`
  );
}
