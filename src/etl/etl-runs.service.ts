import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { EtlRunRepository } from './etl-run.repository.js';
import type { EtlMode, EtlRunView } from './etl-run.js';
import { EtlService } from './etl.service.js';

// The HTTP side of runs: start one in the background, read the record.
@Injectable()
export class EtlRunsService {
  constructor(
    @Inject(EtlService) private readonly etl: EtlService,
    @Inject(EtlRunRepository) private readonly runs: EtlRunRepository,
  ) {}

  async start({ mode = 'arrival', windowDays }: { mode?: EtlMode; windowDays?: number }): Promise<{ id: number; status: 'running' }> {
    const started = await this.etl.start({ trigger: 'api', mode, windowDays });
    if (started.status === 'skipped') {
      throw new DomainError(
        'CONFLICT',
        `A load is already running (run ${started.runningId ?? 'unknown'}); this request was recorded as skipped run ${started.id}`,
        {
          id: started.runningId,
        },
      );
    }
    return { id: started.id, status: 'running' };
  }

  list(limit: number): Promise<EtlRunView[]> {
    return this.runs.list(limit);
  }

  async get(id: number): Promise<EtlRunView> {
    const run = await this.runs.get(id);
    if (!run) throw new DomainError('NOT_FOUND', `There is no ETL run ${id}`);
    return run;
  }
}
