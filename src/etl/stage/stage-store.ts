import type { Writable } from 'node:stream';

// Where a run's gzip parts and manifest are staged: an S3 prefix (production, and what Redshift's COPY
// reads) or a local folder (the embedded default). Keys are relative to the store's root, '/'-separated.
export interface StageStore {
  // for messages: the root as the operator configured it, e.g. "s3://bucket/prefix" or "/data/stage"
  readonly location: string;
  // the URL a manifest lists for a key: s3://bucket/prefix/key, or file:///abs/path/key
  urlOf(key: string): string;
  // A stream that stores everything written to it under key; `finished` settles once the object is
  // complete and durable (S3: the multipart upload completed), or rejects with what went wrong.
  createWriteStream(key: string): { stream: Writable; finished: Promise<void> };
  putObject(key: string, body: string): Promise<void>;
  // the immediate "folders" under a prefix, e.g. listPrefixes('runs/') → ['runs/2026…-run-7/', …]
  listPrefixes(prefix: string): Promise<string[]>;
  // deletes every object under a prefix
  deletePrefix(prefix: string): Promise<void>;
}
