import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ETL_STEPS, type EtlRunRequest, type EtlStatus, type EtlStep } from '../etl/etl-run.js';

type FinishedStatus = Exclude<EtlStatus, 'running'>;

// The ETL's series: runs, steps and rows of this process's runs, and what the "data stale" and "loads
// failing" alerts compare (the age of the newest loaded data against the schedule's interval; the failed
// runs in a row, which every replica reads from the shared run records).
export class EtlMetrics {
  private readonly runs: Counter;
  private readonly inProgress: Gauge;
  private readonly steps: Histogram;
  private readonly rowsLoaded: Counter;
  private readonly interval: Gauge;
  private readonly failedInARow: Gauge;
  private dataThrough: () => string | null = () => null;

  constructor(registry: Registry) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'kpi_etl_runs_total',
      help: 'ETL runs of this process that ended, by status (succeeded, failed, skipped), trigger and mode',
      labelNames: ['status', 'trigger', 'mode'],
      registers,
    });
    this.inProgress = new Gauge({ name: 'kpi_etl_runs_in_progress', help: 'ETL runs this process is running now', registers });
    this.steps = new Histogram({
      name: 'kpi_etl_step_duration_seconds',
      help: 'Duration of each step of an ETL run (lease, prepare, extract, stage, load, merge, rollups, swap, maintain)',
      labelNames: ['step'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    for (const step of ETL_STEPS) this.steps.zero({ step });
    this.rowsLoaded = new Counter({
      name: 'kpi_etl_rows_loaded_total',
      help: 'Activities loaded into the warehouse by the successful runs of this process, by mode',
      labelNames: ['mode'],
      registers,
    });
    this.interval = new Gauge({
      name: 'kpi_etl_schedule_interval_seconds',
      help: 'Seconds between two scheduled loads (absent when loads are not scheduled)',
      registers,
    });
    const lag: Gauge = new Gauge({
      name: 'kpi_etl_freshness_lag_seconds',
      help: 'Age of the newest callback the warehouse holds (now - freshness.dataThrough; absent before the first load)',
      registers,
      collect: () => this.setAge(lag, this.dataThrough()),
    });
    this.failedInARow = new Gauge({
      name: 'kpi_etl_failed_runs_in_a_row',
      help: 'Failed ETL runs since the last successful one, from the run records every replica shares',
      registers,
    });
  }

  runStarted(): void {
    this.inProgress.inc();
  }

  runFinished({ trigger, mode }: EtlRunRequest, status: FinishedStatus, rowsLoaded = 0): void {
    this.runs.inc({ status, trigger, mode });
    if (status === 'skipped') return;
    this.inProgress.dec();
    if (rowsLoaded > 0) this.rowsLoaded.inc({ mode }, rowsLoaded);
  }

  stepFinished(step: EtlStep, seconds: number): void {
    this.steps.observe({ step }, seconds);
  }

  // The newest loaded arrival, as the metric answers' freshness shows it; read at scrape time.
  watchFreshness(dataThrough: () => string | null): void {
    this.dataThrough = dataThrough;
  }

  // null: not scheduled (or not known): the series is left out rather than shown as 0.
  setScheduleInterval(seconds: number | null): void {
    setOrClear(this.interval, seconds);
  }

  setFailedRunsInARow(count: number | null): void {
    setOrClear(this.failedInARow, count);
  }

  private setAge(gauge: Gauge, isoTime: string | null): void {
    setOrClear(gauge, isoTime === null ? null : Math.max(0, (Date.now() - Date.parse(isoTime)) / 1000));
  }
}

// Unknown is absent, not 0, to PromQL (an unlabelled gauge shows 0 until its sample is removed).
function setOrClear(gauge: Gauge, value: number | null): void {
  if (value === null) gauge.remove();
  else gauge.set(value);
}
