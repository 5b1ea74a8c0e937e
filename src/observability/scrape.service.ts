import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { LoadSchedule } from '../etl/load-schedule.js';
import { HealthRepository } from '../health/health.repository.js';
import { ObservabilityRepository } from './observability.repository.js';
import { type Dependency, Telemetry } from './telemetry.js';

// A scrape must answer within Prometheus's scrape timeout (10 s by default) even when a database hangs.
const PROBE_TIMEOUT_MS = 3000;

// Renders GET /metrics: first the series read at scrape time (the databases answering, the failed runs
// in a row, the schedule's interval), then every series of the registry.
@Injectable()
export class ScrapeService {
  private readonly schedule: LoadSchedule;

  constructor(
    @Inject(Telemetry) private readonly telemetry: Telemetry,
    @Inject(HealthRepository) private readonly health: HealthRepository,
    @Inject(ObservabilityRepository) private readonly repository: ObservabilityRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    telemetry.collectProcessMetrics();
    this.schedule = new LoadSchedule(config.etl.schedule);
  }

  async render(): Promise<string> {
    const interval = this.schedule.intervalMs();
    this.telemetry.etl.setScheduleInterval(interval === null ? null : interval / 1000);
    await Promise.all([
      this.probe('source', () => this.health.pingSource()),
      this.probe('warehouse', () => this.health.pingWarehouse()),
      this.readFailedRuns(),
    ]);
    return this.telemetry.render();
  }

  private async probe(dependency: Dependency, ping: () => Promise<void>): Promise<void> {
    const up = await withTimeout(ping()).then(
      () => true,
      () => false,
    );
    this.telemetry.setDependencyUp(dependency, up);
  }

  private async readFailedRuns(): Promise<void> {
    // when the source does not answer, kpi_dependency_up says so; the unknown count is left out, not 0
    const count = await withTimeout(this.repository.failedRunsInARow()).catch(() => null);
    this.telemetry.etl.setFailedRunsInARow(count);
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
