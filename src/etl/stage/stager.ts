import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppConfig } from '../../config/app-config.js';
import { StageFormat } from './copy-text.js';
import { buildManifest, MANIFEST_NAME, type StagedPart } from './manifest.js';
import { PartWriter } from './part-writer.js';
import type { StageStore } from './stage-store.js';

export const STAGE_STORE = Symbol('STAGE_STORE');

const RUNS_PREFIX = 'runs/';
// runs/20261128T031000Z-run-42/
const RUN_FOLDER = /^runs\/(\d{8}T\d{6}Z)-run-\d+\/$/;
// Loads follow each other every few seconds; listing every staged run after each would cost more than
// the load (on S3, a paid request per thousand runs). Old runs are looked for this often instead.
const SWEEP_INTERVAL_MS = 3_600_000;

// Writes a run's rows as gzip parts plus a manifest under its own prefix, and deletes old runs' files.
@Injectable()
export class Stager {
  private readonly logger = new Logger('Stage');
  private lastSweep = -Infinity;

  constructor(
    @Inject(STAGE_STORE) readonly store: StageStore,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  runPrefix(runId: number, startedAt: Date): string {
    return `${RUNS_PREFIX}${compactTime(startedAt)}-run-${runId}/`;
  }

  // `copyTo`, when the warehouse reads the text as it comes, gets every chunk the parts get
  async writeParts(prefix: string, rows: Readable, onRows: (rows: number) => void, copyTo: Writable | null): Promise<StagedPart[]> {
    const writer = new PartWriter(this.store, prefix, this.config.stage.partSizeBytes, onRows, copyTo);
    await pipeline(rows, new StageFormat(), writer);
    return writer.parts;
  }

  // returns the manifest's URL, which Redshift's COPY reads
  async writeManifest(prefix: string, parts: StagedPart[]): Promise<string> {
    const key = `${prefix}${MANIFEST_NAME}`;
    await this.store.putObject(key, JSON.stringify(buildManifest(parts), null, 2));
    return this.store.urlOf(key);
  }

  // After a run: deleteExpired, at most once an hour.
  async deleteExpiredIfDue(now: Date): Promise<void> {
    if (now.getTime() - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now.getTime();
    await this.deleteExpired(now);
  }

  // Staged runs older than the retention period; a failure here never fails a run.
  async deleteExpired(now: Date): Promise<void> {
    const cutOff = compactTime(new Date(now.getTime() - this.config.stage.retentionDays * 86_400_000));
    try {
      const expired = (await this.store.listPrefixes(RUNS_PREFIX)).filter((prefix) => {
        const stamp = RUN_FOLDER.exec(prefix)?.[1];
        return stamp !== undefined && stamp < cutOff;
      });
      for (const prefix of expired) await this.store.deletePrefix(prefix);
      if (expired.length > 0) this.logger.log(`Deleted ${expired.length} staged run(s) older than ${this.config.stage.retentionDays} days`);
    } catch (error) {
      this.logger.warn(`Could not delete old staged runs in ${this.store.location}: ${(error as Error).message}`);
    }
  }
}

// 2026-11-28T03:10:00.000Z → 20261128T031000Z: sorts as text in time order
function compactTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
