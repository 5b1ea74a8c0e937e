import { Injectable, Logger } from '@nestjs/common';

// the id of the run whose load has just committed
type Listener = (runId: number) => Promise<void>;

// Tells this process's readers of the warehouse (the metrics cache, the live updates) that a load has
// committed, so they refresh at once instead of at their next poll. Other replicas hear of it from the
// live module's signal (src/live/load-signal.ts), or at their poll.
@Injectable()
export class LoadEvents {
  private readonly logger = new Logger('Etl');
  private readonly listeners: Listener[] = [];

  onCommitted(listener: Listener): void {
    this.listeners.push(listener);
  }

  // Waits for the listeners (the run ends once the answers of the new data are ready); never rejects.
  async committed(runId: number): Promise<void> {
    for (const listener of this.listeners) {
      await listener(runId).catch((error: Error) => this.logger.warn(`after the load: ${error.message}`));
    }
  }
}
