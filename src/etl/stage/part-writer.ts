import { once } from 'node:events';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import { countLines } from './copy-text.js';
import type { StagedPart } from './manifest.js';
import type { StageStore } from './stage-store.js';

const BUFFER_BYTES = 4 * 1024 * 1024;

type OpenPart = { key: string; gzip: ReturnType<typeof createGzip>; rawBytes: number; rows: number; written: Promise<number> };

// Writes whole-line chunks into gzip parts under a run's prefix, starting a new part once the current
// one holds `partSize` bytes of text, so Redshift can load the parts in parallel, and into `copyTo` too
// when the warehouse reads the text as it comes (PostgreSQL). Fastest gzip level: Redshift reads the
// parts once, soon, and compression runs beside the extract.
export class PartWriter extends Writable {
  readonly parts: StagedPart[] = [];
  private rows = 0;
  private current: OpenPart | null = null;

  constructor(
    private readonly store: StageStore,
    private readonly prefix: string,
    private readonly partSize: number,
    private readonly onRows: (rows: number) => void,
    private readonly copyTo: Writable | null,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writeChunk(chunk).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.closePart().then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.current?.gzip.destroy(error ?? undefined);
    done(error);
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    const part = (this.current ??= this.openPart());
    part.rawBytes += chunk.length;
    const rows = countLines(chunk);
    part.rows += rows;
    this.rows += rows;
    this.onRows(this.rows);
    if (this.copyTo) await feed(this.copyTo, chunk);
    await feed(part.gzip, chunk);
    if (part.rawBytes >= this.partSize) await this.closePart();
  }

  private openPart(): OpenPart {
    const key = `${this.prefix}part-${String(this.parts.length).padStart(5, '0')}.gz`;
    const gzip = createGzip({ level: zlib.Z_BEST_SPEED, memLevel: 9, chunkSize: 256 * 1024 });
    const { stream, finished } = this.store.createWriteStream(key);
    let bytes = 0;
    const counter = new Transform({
      transform(data: Buffer, _encoding, next) {
        bytes += data.length;
        next(null, data);
      },
    });
    const written = Promise.all([pipeline(gzip, counter, stream), finished]).then(() => bytes);
    // the part's failure surfaces when it is closed; until then, keep it from being unhandled
    written.catch(() => undefined);
    return { key, gzip, rawBytes: 0, rows: 0, written };
  }

  private async closePart(): Promise<void> {
    const part = this.current;
    if (!part) return;
    this.current = null;
    part.gzip.end();
    const bytes = await part.written;
    this.parts.push({ key: part.key, url: this.store.urlOf(part.key), rows: part.rows, bytes });
  }
}

// A few MB of slack lets the source's COPY and its consumers (compression, the warehouse's COPY) run at
// the same time instead of taking turns chunk by chunk. A consumer that failed is destroyed, and fails
// the write.
async function feed(stream: Writable, chunk: Buffer): Promise<void> {
  if (stream.destroyed) throw stream.errored ?? new Error('the stream was closed before the extract ended');
  stream.write(chunk);
  if (stream.writableLength >= BUFFER_BYTES) await once(stream, 'drain');
}
