import { CronTime } from 'cron';
import type { AppConfig } from '../config/app-config.js';

const parsed = new Map<string, CronTime>();

// The time between the next two scheduled loads, from now: what "stale" (two intervals) in the metric
// answers and the data-stale alert (kpi_etl_schedule_interval_seconds) measure against. null when loads
// are not scheduled (ETL_CRON=off).
export function scheduleIntervalMs({ cron }: AppConfig['etl']): number | null {
  if (!cron) return null;
  let schedule = parsed.get(cron);
  if (!schedule) parsed.set(cron, (schedule = new CronTime(cron, 'UTC')));
  const [next, afterNext] = schedule.sendAt(2);
  return afterNext.toMillis() - next.toMillis();
}
