import { Inject, Injectable, Logger } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HealthRepository } from './health.repository.js';

const CHECK_TIMEOUT_MS = 3000;

@Injectable()
export class HealthService {
  private readonly logger = new Logger(HealthService.name);

  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(HealthRepository) private readonly repository: HealthRepository,
  ) {}

  check() {
    return this.health.check([
      () => this.probe('source', () => this.repository.pingSource()),
      () => this.probe('warehouse', () => this.repository.pingWarehouse()),
      () => this.probe('lastLoad', () => this.lastLoad()),
      // informational: a failed run leaves the last good data in place, so it does not make the service down
      () => this.probe('lastRun', async () => ({ run: await this.repository.lastRun() })),
    ]);
  }

  // The endpoint is public: it names what is down, while the driver's message (hosts, ports, user
  // names) goes to the log only.
  private probe(name: string, check: () => Promise<Record<string, unknown> | void>) {
    const guarded = async () => {
      try {
        return await check();
      } catch (error) {
        this.logger.warn(`Health check of ${name} failed: ${(error as Error).message}`);
        throw new Error('not reachable', { cause: error });
      }
    };
    return this.indicators.check(name).attempt(guarded).withTimeout(CHECK_TIMEOUT_MS);
  }

  private async lastLoad() {
    const at = await this.repository.lastSuccessfulLoad();
    return { at: at?.toISOString() ?? null, ageSeconds: at ? Math.round((Date.now() - at.getTime()) / 1000) : null };
  }
}
