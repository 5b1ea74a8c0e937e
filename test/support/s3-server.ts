import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

// s3rver runs in its own Node process: its ListObjectsV2 continuation tokens use DES, which OpenSSL 3
// only offers with --openssl-legacy-provider (jamhall/s3rver#818), a flag the Jest process lacks.
// It prints its port, then one line per object it creates, so a test can tell multipart from PUT.
// It also exits when its stdin closes, so a killed Jest worker cannot leave it running.
const S3RVER_SCRIPT = `
const [s3rverPath, directory, bucket, port] = process.argv.slice(1);
const S3rver = require(s3rverPath);
process.stdin.on('end', () => process.exit(0)).resume();
const server = new S3rver({ port: Number(port), address: '127.0.0.1', directory, silent: true, configureBuckets: [{ name: bucket }] });
server.on('event', ({ Records: [record] }) => console.log(JSON.stringify({ event: record.eventName, key: record.s3.object.key })));
server.run().then(({ port }) => console.log(JSON.stringify({ port })), (error) => { console.error(error); process.exit(1); });
`;

export type S3ServerOptions = {
  bucket: string;
  // where s3rver keeps its objects; the caller owns (and removes) it, so a restart finds them again
  directory: string;
  // 0 (the default) picks a free port
  port?: number;
};

export interface S3Server {
  // http://127.0.0.1:<port>, for S3_ENDPOINT or an S3Client's endpoint
  readonly endpoint: string;
  readonly port: number;
  // "<eventName> <key>" for every object created, e.g. "ObjectCreated:Post kpi/stage/runs/…/part-00000.gz"
  readonly events: string[];
  // stops the server; its objects stay in the directory
  stop(): Promise<void>;
  // serves the same directory on the same port again (the endpoint does not change)
  restart(): Promise<void>;
}

// An S3-compatible server (s3rver) with one bucket, for tests of the S3 stage.
export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const events: string[] = [];
  let running = await launch(options.bucket, options.directory, options.port ?? 0, events);
  const port = running.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    events,
    stop: () => running.stop(),
    restart: async () => {
      await running.stop();
      running = await launchOnPort(options.bucket, options.directory, port, events);
    },
  };
}

type Running = { port: number; stop(): Promise<void> };

// The port was just released: give the kernel a moment if the first listen finds it still taken.
async function launchOnPort(bucket: string, directory: string, port: number, events: string[]): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(bucket, directory, port, events);
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function launch(bucket: string, directory: string, port: number, events: string[]): Promise<Running> {
  const s3rverPath = createRequire(import.meta.url).resolve('s3rver');
  const args = ['--openssl-legacy-provider', '-e', S3RVER_SCRIPT, s3rverPath, directory, bucket, String(port)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; event?: string; key?: string };
      if (message.port) resolve(message.port);
      else events.push(`${message.event} ${message.key}`);
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  try {
    return { port: await listening, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
