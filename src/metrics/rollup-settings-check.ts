import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsRepository } from './metrics.repository.js';

// The rollups count days in REPORT_TIMEZONE, registrations by REGISTRATION_EVENTS and session lengths
// from SESSION_LENGTH_FIELD as they were when they were built: a change needs a rebuild, and the start
// says so (loads in between recount only the days they touch, with the new values).
@Injectable()
export class RollupSettingsCheck {
  private readonly logger = new Logger('Metrics');

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(MetricsRepository) private readonly repository: MetricsRepository,
  ) {}

  async warnIfOutdated(): Promise<string[]> {
    const built = await this.repository.buildSettings().catch(() => null);
    if (!built) return [];
    const { timezone, registrationEvents, sessionLengthField } = this.config.report;
    const current = {
      REPORT_TIMEZONE: timezone,
      REGISTRATION_EVENTS: registrationEvents.join(','),
      SESSION_LENGTH_FIELD: sessionLengthField,
    };
    const changed = (Object.keys(current) as (keyof typeof current)[]).filter((name) => current[name] !== built[name]);
    if (changed.length > 0) {
      const what = changed.map((name) => `${name} is "${current[name]}" but they were built with "${built[name]}"`).join('; ');
      this.logger.warn(
        `The metric rollups need a rebuild: ${what}. Run \`npm run etl -- --once --rebuild\`; until then days loaded before the change keep the old counting.`,
      );
    }
    return changed;
  }
}
