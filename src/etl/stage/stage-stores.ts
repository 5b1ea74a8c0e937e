import { fileURLToPath } from 'node:url';
import { FileStageStore } from './file-stage-store.js';
import { S3StageStore } from './s3-stage-store.js';
import type { StageStore } from './stage-store.js';

// The configured stage URL picks the store: s3://bucket/prefix or file:///abs/path.
export function openStageStore(stageUrl: string, s3: { endpoint?: string; region?: string }): StageStore {
  let url: URL;
  try {
    url = new URL(stageUrl);
  } catch {
    throw new Error(`Stage URL "${stageUrl}" is not a URL; expected s3://bucket/prefix or file:///absolute/path`);
  }
  if (url.protocol === 's3:') {
    if (!url.hostname) throw new Error(`Stage URL "${stageUrl}" names no bucket; expected s3://bucket/prefix`);
    // URL keeps percent-escapes in the path; S3 keys want the plain characters
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    return new S3StageStore({ bucket: url.hostname, prefix, endpoint: s3.endpoint, region: s3.region });
  }
  if (url.protocol === 'file:') return new FileStageStore(fileURLToPath(url));
  throw new Error(`Stage URL "${stageUrl}" has unsupported scheme ${url.protocol}; expected s3:// or file://`);
}
