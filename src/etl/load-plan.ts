import { addDays, datesBetween, zonedDate, zonedMidnight } from '../common/zoned-time.js';
import type { EtlRunRequest } from './etl-run.js';
import type { ExtractBounds, ExtractSummary } from './extract/source-extractor.js';
import type { LoadRecord, MergePlan, ReplaceBounds } from './warehouse/warehouse-session.js';

export type LoadPlan = ExtractBounds &
  ReplaceBounds & {
    daysRefreshed(extractedDays: string[]): string[];
    mergePlan(runId: number, summary: ExtractSummary): MergePlan;
  };

// What a run reads and replaces, from its mode and the warehouse's last load:
// - arrival: every row after the last load's resume point (which already leaves room for commits
//   that land out of id order); the merge replaces the warehouse rows after that id;
// - window: the same, plus every row created in the last N report-time-zone days; the merge
//   replaces the whole window, which repairs any difference;
// - rebuild: every row; the merge replaces the whole table.
export function loadPlan(request: EtlRunRequest, last: LoadRecord | null, now: Date, timeZone: string, windowDays: number): LoadPlan {
  const afterId = request.mode === 'rebuild' ? '0' : (last?.resumeAfterId ?? '0');
  const today = zonedDate(now, timeZone);
  const firstWindowDay = addDays(today, 1 - (request.windowDays ?? windowDays));
  const windowStart = request.mode === 'window' ? zonedMidnight(firstWindowDay, timeZone) : null;
  return {
    mode: request.mode,
    afterId,
    windowStart,
    daysRefreshed(extractedDays) {
      if (!windowStart) return extractedDays;
      // every day of the window up to today, and any later day a row claims (a device clock ahead)
      return [...new Set([...extractedDays, ...datesBetween(firstWindowDay, today)])].sort();
    },
    mergePlan(runId, summary) {
      const previous = request.mode === 'rebuild' ? null : (last?.dataThrough ?? null);
      return {
        runId,
        mode: request.mode,
        windowStart,
        afterId,
        stagedRows: summary.rows,
        resumeAfterId: summary.resumeAfterId,
        dataThrough: latest(previous, summary.dataThrough),
        loadedAt: new Date(),
      };
    },
  };
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a > b ? a : b;
}
