import { DeleteObjectsCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, type Writable } from 'node:stream';
import type { StageStore } from './stage-store.js';

export interface S3StageOptions {
  bucket: string;
  // without leading/trailing slash; may be empty
  prefix: string;
  // an S3-compatible server (MinIO, s3rver); unset means AWS itself
  endpoint?: string;
  region?: string;
}

const PART_SIZE = 16 * 1024 * 1024;
// S3 caps DeleteObjects at 1000 keys per request
const DELETE_BATCH = 1000;

// Stages under an S3 prefix, which is what Redshift's COPY reads. Credentials come only from the SDK's
// default provider chain (env, profile, instance/task role), never from our own configuration.
export class S3StageStore implements StageStore {
  readonly location: string;
  private readonly bucket: string;
  // the prefix as a key prefix: "" or "some/prefix/"
  private readonly root: string;
  private readonly client: S3Client;

  constructor(options: S3StageOptions) {
    const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.bucket = options.bucket;
    this.root = prefix ? `${prefix}/` : '';
    this.location = prefix ? `s3://${options.bucket}/${prefix}` : `s3://${options.bucket}`;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      // S3-compatible servers rarely resolve bucket.host virtual-host names
      forcePathStyle: options.endpoint ? true : undefined,
      // bounded so a dead endpoint fails an export within seconds instead of hanging it
      maxAttempts: 3,
      requestHandler: { requestTimeout: 30_000, connectionTimeout: 5_000 },
    });
  }

  urlOf(key: string): string {
    return `s3://${this.bucket}/${this.root}${key}`;
  }

  createWriteStream(key: string): { stream: Writable; finished: Promise<void> } {
    const stream = new PassThrough();
    // errors reach the writer through `finished` (and its pipeline); without a listener a failed
    // upload destroying the stream would crash the process with an unhandled 'error' event
    stream.on('error', () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.root + key, Body: stream, ContentType: contentTypeOf(key) },
      partSize: PART_SIZE,
      queueSize: 2,
    });
    const finished = upload.done().then(
      () => undefined,
      (error: unknown) => {
        // the writer gave up (destroyed the stream): its own error is the story, not S3's, nor the
        // multipart-abort error lib-storage can report in its place
        if (stream.errored) throw stream.errored;
        const failure = this.failure(error, `uploading ${key}`);
        stream.destroy(failure);
        throw failure;
      },
    );
    // a caller that only awaits its pipeline must not crash the process with an unhandled rejection
    finished.catch(() => undefined);
    return { stream, finished };
  }

  async putObject(key: string, body: string): Promise<void> {
    const { stream, finished } = this.createWriteStream(key);
    stream.end(body);
    await finished;
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const folders: string[] = [];
    try {
      const pages = paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.bucket, Prefix: this.root + asFolder(prefix), Delimiter: '/' },
      );
      for await (const page of pages) {
        for (const common of page.CommonPrefixes ?? []) if (common.Prefix) folders.push(common.Prefix.slice(this.root.length));
      }
    } catch (error) {
      throw this.failure(error, `listing ${prefix}`);
    }
    return folders.sort();
  }

  async deletePrefix(prefix: string): Promise<void> {
    // refusing the root keeps a bug (an empty run id) from wiping the whole stage
    if (prefix.replace(/\/+$/, '') === '') throw new Error(`S3 stage ${this.location} refuses to delete its whole root`);
    try {
      // list everything first: deleting while paginating could shift what the next page holds
      const keys = await this.keysUnder(this.root + asFolder(prefix));
      for (let start = 0; start < keys.length; start += DELETE_BATCH) await this.deleteBatch(keys.slice(start, start + DELETE_BATCH));
    } catch (error) {
      throw this.failure(error, `deleting ${prefix}`);
    }
  }

  private async keysUnder(keyPrefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: keyPrefix })) {
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    }
    return keys;
  }

  private async deleteBatch(keys: string[]): Promise<void> {
    const { Errors } = await this.client.send(
      new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
    );
    // DeleteObjects answers 200 even when single keys fail
    if (Errors?.length) throw new Error(`${Errors.length} object(s) not deleted, first ${Errors[0].Key}: ${Errors[0].Message}`);
  }

  private failure(error: unknown, operation: string): Error {
    // the SDK stamps $metadata on what it sent; no HTTP status means no server ever answered
    const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
    const state = metadata && metadata.httpStatusCode === undefined ? 'unreachable' : 'failed';
    return new Error(`S3 stage ${this.location} ${state} while ${operation}: ${describe(error)}`, { cause: error });
  }
}

function contentTypeOf(key: string): string | undefined {
  if (key.endsWith('.gz')) return 'application/gzip';
  if (key.endsWith('.json')) return 'application/json';
  return undefined;
}

// a prefix names a folder: "runs" and "runs/" both mean the folder runs
function asFolder(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

// connection failures often arrive as an AggregateError with an empty message; the code says more
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || (error as NodeJS.ErrnoException).code || error.name;
  // service errors carry their S3 code (AccessDenied, NoSuchKey) as the name
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ? `${error.name}: ${message}` : message;
}
