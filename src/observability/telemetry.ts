import { Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CallbackMetrics } from './callback-metrics.js';
import { EtlMetrics } from './etl-metrics.js';
import { KlipMetrics } from './klip-metrics.js';

export const DEPENDENCIES = ['source', 'warehouse'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

// The service's Prometheus series, in a registry of this application's own (tests run several
// applications in one process). Modules record through the groups; GET /metrics renders them.
@Injectable()
export class Telemetry {
  readonly registry = new Registry();
  readonly callbacks = new CallbackMetrics(this.registry);
  readonly etl = new EtlMetrics(this.registry);
  readonly klips = new KlipMetrics(this.registry);
  private readonly dependencyUp = new Gauge({
    name: 'kpi_dependency_up',
    help: 'Whether a database answered at the last scrape (1) or not (0): source, warehouse',
    labelNames: ['dependency'],
    registers: [this.registry],
  });
  private processMetrics = false;

  setDependencyUp(dependency: Dependency, up: boolean): void {
    this.dependencyUp.set({ dependency }, up ? 1 : 0);
  }

  // prom-client's process and Node.js series (CPU, memory, event loop lag, GC): only where someone
  // scrapes them, not in the command-line tasks that share the modules.
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    collectDefaultMetrics({ register: this.registry });
    this.processMetrics = true;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

// Imported by every module that records (the collector, the ETL, the metrics), so they share one instance.
@Module({ providers: [Telemetry], exports: [Telemetry] })
export class TelemetryModule {}
