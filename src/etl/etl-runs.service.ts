import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { EtlRunRepository } from './etl-run.repository.js';
import type { EtlMode, EtlRunView } from './etl-run.js';
import { EtlService } from './etl.service.js';

// The HTTP side of runs: start one in the background, read the record. Runs and the lease live in the
// source database: when it does not answer, the caller gets a 503, not a 500.
@Injectable()
export class EtlRunsService {
  private readonly logger = new Logger('EtlRuns');

  constructor(
    @Inject(EtlService) private readonly etl: EtlService,
    @Inject(EtlRunRepository) private readonly runs: EtlRunRepository,
  ) {}

  async start({ mode = 'arrival', windowDays }: { mode?: EtlMode; windowDays?: number }): Promise<{ id: number; status: 'running' }> {
    const started = await this.sourceAnswers(() => this.etl.start({ trigger: 'api', mode, windowDays }));
    if (started.status === 'skipped') {
      const running = started.runningId ?? 'unknown';
      throw new DomainError(
        'CONFLICT',
        `A load is already running (run ${running}); this request was recorded as skipped run ${started.id}`,
        {
          id: started.runningId,
        },
      );
    }
    return { id: started.id, status: 'running' };
  }

  list(limit: number): Promise<EtlRunView[]> {
    return this.sourceAnswers(() => this.runs.list(limit));
  }

  async get(id: number): Promise<EtlRunView> {
    const run = await this.sourceAnswers(() => this.runs.get(id));
    if (!run) throw new DomainError('NOT_FOUND', `There is no ETL run ${id}`);
    return run;
  }

  private async sourceAnswers<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.logger.warn(`ETL runs unavailable: ${(error as Error).message}`);
      throw new DomainError('UNAVAILABLE', 'The source database, which holds the ETL lease and run records, is unavailable; retry later');
    }
  }
}
