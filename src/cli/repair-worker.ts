import { setPriority } from 'node:os';
import { type DynamicModule, Module } from '@nestjs/common';
import { EtlModule } from '../etl/etl.module.js';
import { EtlService } from '../etl/etl.service.js';
import { LoadEvents } from '../etl/load-events.js';
import type { FromRepair, RepairOrder, ToRepair } from '../etl/repair-process.js';
import { LoggingModule } from '../logging/logging.module.js';
import { runWorker } from './cli.js';

// The process a window run or a rebuild of the service runs in (started by src/etl/repair-process.ts, not
// by hand): the service's configuration and request come over the IPC channel; the run goes as in the
// service, at ETL_REPAIR_NICE. The process ends with its run, or as soon as the service is gone (the run
// is then left unfinished, which a repair always survives: it swaps its tables in at its end).

@Module({})
class RepairWorkerModule {
  static forRoot(order: RepairOrder): DynamicModule {
    return { module: RepairWorkerModule, imports: [LoggingModule.forRoot(order.config), EtlModule.forRoot({ schedule: false })] };
  }
}

function tell(message: FromRepair): void {
  process.send?.(message);
}

// The service's readers hear of the commit from the service, which says when they are ready.
function committed(runId: number): Promise<void> {
  return new Promise((resolve) => {
    const onReply = (reply: ToRepair) => {
      if (reply.kind !== 'ready' || reply.runId !== runId) return;
      process.off('message', onReply);
      resolve();
    };
    process.on('message', onReply);
    tell({ kind: 'committed', runId });
  });
}

async function repair(order: RepairOrder): Promise<void> {
  const nice = order.config.etl.repairNice;
  setPriority(nice);
  await runWorker(order.config, RepairWorkerModule.forRoot(order), nice, async (context) => {
    context.get(LoadEvents).onCommitted(committed);
    const started = await context.get(EtlService).start(order.request);
    tell({ kind: 'started', started: started.status === 'running' ? { status: 'running', id: started.id } : started });
    if (started.status === 'running') await started.finished;
  });
}

function serviceGone(): void {
  process.exit(1);
}

process.on('disconnect', serviceGone);
process.once('message', (order: ToRepair) => {
  if (order.kind !== 'run') return;
  repair(order)
    .catch((error: Error) => tell({ kind: 'failed', message: error.message }))
    .finally(() => {
      process.off('disconnect', serviceGone);
      process.disconnect?.();
    });
});
