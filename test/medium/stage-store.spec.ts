import { GetObjectCommand, HeadObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileStageStore } from '../../src/etl/stage/file-stage-store.js';
import { S3StageStore } from '../../src/etl/stage/s3-stage-store.js';
import type { StageStore } from '../../src/etl/stage/stage-store.js';
import { openStageStore } from '../../src/etl/stage/stage-stores.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';

const MiB = 1024 * 1024;
const BUCKET = 'kpi-stage';

interface Harness {
  store: StageStore;
  // the object under a key, read from the storage itself (the service writes the stage, never reads it
  // back); null when there is none
  read(key: string): Promise<Buffer | null>;
  stop(): Promise<void>;
}

const temps: string[] = [];
async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `kpi-${name}-`));
  temps.push(dir);
  return dir;
}

async function fileHarness(): Promise<Harness> {
  const root = path.join(await tempDir('file-stage'), 'stage');
  return {
    store: openStageStore(pathToUrl(root), {}),
    read: (key) =>
      readFile(path.join(root, key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      }),
    stop: async () => {},
  };
}

// the S3 server started last: the "against s3rver" tests stop it themselves
let s3rver: S3Server | undefined;

async function s3Harness(): Promise<Harness> {
  // the SDK's default chain reads these, as it would read a task role in production
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION = 'us-east-1';
  const server = await startS3Server({ bucket: BUCKET, directory: await tempDir('s3rver') });
  s3rver = server;
  const store = openStageStore(`s3://${BUCKET}/kpi/stage`, { endpoint: server.endpoint });
  const client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true });
  const read = async (key: string) => {
    try {
      const { Body } = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `kpi/stage/${key}` }));
      return Buffer.from(await Body!.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      throw error;
    }
  };
  return { store, read, stop: () => server.stop() };
}

async function stopS3rver(): Promise<void> {
  await s3rver?.stop();
}

function pathToUrl(file: string): string {
  return new URL(`file://${file}`).href;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// writes like an exporter does: many modest chunks, honouring backpressure
async function writeChunked(stream: Writable, data: Buffer): Promise<void> {
  async function* chunks() {
    for (let at = 0; at < data.length; at += 64 * 1024) yield data.subarray(at, at + 64 * 1024);
  }
  await pipeline(Readable.from(chunks()), stream);
}

afterAll(async () => {
  await stopS3rver();
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each([
  ['FileStageStore', fileHarness],
  ['S3StageStore', s3Harness],
])('%s', (_name, start) => {
  let harness: Harness;
  let store: StageStore;
  beforeAll(async () => {
    harness = await start();
    store = harness.store;
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('streams a 20 MiB part in, stored byte-identical', async () => {
    const data = randomBytes(20 * MiB);
    const { stream, finished } = store.createWriteStream('runs/run-1/part-00000.gz');
    await writeChunked(stream, data);
    await finished;
    const back = await harness.read('runs/run-1/part-00000.gz');
    expect(back?.length).toBe(data.length);
    expect(sha256(back ?? Buffer.alloc(0))).toBe(sha256(data));
  });

  it('stores a small object with putObject', async () => {
    const manifest = JSON.stringify({ entries: [{ url: store.urlOf('runs/run-1/part-00000.gz'), mandatory: true }] });
    await store.putObject('runs/run-1/manifest.json', manifest);
    expect((await harness.read('runs/run-1/manifest.json'))?.toString('utf8')).toBe(manifest);
  });

  it('lists exactly the run folders, however many there are', async () => {
    await store.putObject('runs/run-2/manifest.json', '{}');
    await store.putObject('runs/run-2/nested/deeper.json', '{}');
    await store.putObject('runs/loose-file.json', '{}');
    expect(await store.listPrefixes('runs/')).toEqual(['runs/run-1/', 'runs/run-2/']);
    expect(await store.listPrefixes('nothing-here/')).toEqual([]);

    const names = Array.from({ length: 1005 }, (_, i) => `runs/many/f-${String(i).padStart(4, '0')}/`);
    for (let at = 0; at < names.length; at += 50) {
      await Promise.all(names.slice(at, at + 50).map((name) => store.putObject(`${name}x.json`, '{}')));
    }
    expect(await store.listPrefixes('runs/many/')).toEqual(names);
  });

  it('deletes everything under a prefix and nothing else, in batches past 1000 objects', async () => {
    await store.putObject('runs/run-1-sibling/manifest.json', 'keep');
    await store.deletePrefix('runs/many/');
    expect(await store.listPrefixes('runs/many/')).toEqual([]);
    await store.deletePrefix('runs/run-1/');
    expect(await store.listPrefixes('runs/')).toEqual(['runs/run-1-sibling/', 'runs/run-2/']);
    expect(await harness.read('runs/run-1/manifest.json')).toBeNull();
    expect((await harness.read('runs/run-1-sibling/manifest.json'))?.toString()).toBe('keep');
    expect((await harness.read('runs/loose-file.json'))?.toString()).toBe('{}');
    await expect(store.deletePrefix('')).rejects.toThrow(/whole root/);
  });

  it('rejects `finished` for a write the writer abandons, leaving nothing under the key', async () => {
    const { stream, finished } = store.createWriteStream('runs/run-3/part-00000.gz');
    // past one S3 part, so a multipart upload has begun before the writer gives up
    for (let at = 0; at < 17; at++) {
      if (!stream.write(randomBytes(MiB))) await new Promise((resolve) => stream.once('drain', resolve));
    }
    stream.destroy(new Error('extract query failed'));
    await expect(finished).rejects.toThrow('extract query failed');
    expect(await harness.read('runs/run-3/part-00000.gz')).toBeNull();
  });
});

describe('FileStageStore on disk', () => {
  it('leaves no .partial files behind, whether a write finished or failed', async () => {
    const root = await tempDir('file-partial');
    const store = new FileStageStore(root);
    await store.putObject('runs/r/manifest.json', '{}');
    const good = store.createWriteStream('runs/r/part-00000.gz');
    good.stream.end('data');
    await good.finished;
    const bad = store.createWriteStream('runs/r/part-00001.gz');
    bad.stream.write('half');
    bad.stream.destroy(new Error('gave up'));
    await expect(bad.finished).rejects.toThrow('gave up');
    expect((await readdir(path.join(root, 'runs', 'r'))).sort()).toEqual(['manifest.json', 'part-00000.gz']);
    expect(store.urlOf('runs/r/part-00000.gz')).toBe(pathToUrl(path.join(root, 'runs/r/part-00000.gz')));
  });
});

describe('S3StageStore against s3rver', () => {
  let store: S3StageStore;
  let server: S3Server;
  beforeAll(async () => {
    store = (await s3Harness()).store as S3StageStore;
    server = s3rver!;
  });

  it('names its objects by s3:// URL and uploads big parts as multipart with a content type', async () => {
    expect(store.location).toBe(`s3://${BUCKET}/kpi/stage`);
    expect(store.urlOf('runs/r/part-00000.gz')).toBe(`s3://${BUCKET}/kpi/stage/runs/r/part-00000.gz`);
    const { stream, finished } = store.createWriteStream('runs/r/part-00000.gz');
    await writeChunked(stream, randomBytes(20 * MiB));
    await finished;
    const client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true });
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'kpi/stage/runs/r/part-00000.gz' }));
    client.destroy();
    expect(head.ContentLength).toBe(20 * MiB);
    expect(head.ContentType).toBe('application/gzip');
    // s3rver reports a completed multipart upload as ObjectCreated:Post, a single PUT as :Put
    expect(server.events).toContain('ObjectCreated:Post kpi/stage/runs/r/part-00000.gz');
  });

  it('fails a write within seconds, naming the stage, once S3 is gone', async () => {
    await stopS3rver();
    const started = Date.now();
    const { stream, finished } = store.createWriteStream('runs/r/part-00001.gz');
    stream.end('data');
    await expect(finished).rejects.toThrow(`S3 stage ${store.location} unreachable while uploading runs/r/part-00001.gz`);
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(store.listPrefixes('runs/')).rejects.toThrow(`S3 stage ${store.location} unreachable while listing runs/`);
  }, 20_000);
});

describe(openStageStore.name, () => {
  it('picks the store by the URL scheme', () => {
    expect(openStageStore('file:///srv/kpi/stage', {})).toBeInstanceOf(FileStageStore);
    expect(openStageStore('file:///srv/kpi/stage', {}).location).toBe('/srv/kpi/stage');
    const s3 = openStageStore('s3://bucket/some/prefix/', { region: 'eu-west-1' });
    expect(s3).toBeInstanceOf(S3StageStore);
    expect(s3.location).toBe('s3://bucket/some/prefix');
    expect(openStageStore('s3://bucket', {}).urlOf('runs/x.gz')).toBe('s3://bucket/runs/x.gz');
    expect(() => openStageStore('https://example.com/stage', {})).toThrow(/unsupported scheme/);
    expect(() => openStageStore('/srv/kpi/stage', {})).toThrow(/not a URL/);
  });
});
