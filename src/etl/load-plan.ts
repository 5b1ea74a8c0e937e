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
// - arrival: every row after the last load's resume point, and the rows its snapshot could not see
//   (commits that land out of id order); the merge replaces the warehouse rows after that id (there
//   are none, except after an upgrade from the older, time-based resume point);
// - window: the same, plus every row created in the last N report-time-zone days; the merge
//   replaces the whole window, which repairs any difference;
// - rebuild: every row; the merge replaces the whole table.
export function loadPlan(request: EtlRunRequest, last: LoadRecord | null, now: Date, timeZone: string, windowDays: number): LoadPlan {
  const resume = request.mode === 'rebuild' ? null : last;
  const afterId = resume?.resumeAfterId ?? '0';
  const today = zonedDate(now, timeZone);
  const firstWindowDay = addDays(today, 1 - (request.windowDays ?? windowDays));
  const windowStart = request.mode === 'window' ? zonedMidnight(firstWindowDay, timeZone) : null;
  // an arrival load after an earlier one moves the rollups by its own rows; a first load builds them
  const keepLoadRows = request.mode === 'arrival' && last !== null;
  return {
    mode: request.mode,
    afterId,
    afterSnapshot: resume?.resumeSnapshot ?? null,
    windowStart,
    keepLoadRows,
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
        keepLoadRows,
        stagedRows: summary.rows,
        resumeAfterId: summary.resumeAfterId,
        resumeSnapshot: summary.resumeSnapshot,
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
