import { parseArgs } from 'node:util';
import { OperatorError } from '../common/operator-error.js';
import { CallbackSender } from '../demo/callback-sender.js';
import { createDemoWorld, DEMO_DEFAULTS, describeSummary, emptySummary, historyOf, tally } from '../demo/demo-traffic.js';
import { progressLine, reportLine } from '../demo/progress-line.js';
import { loadDotEnv, startupConfig } from '../startup.js';
import { progress } from './cli.js';

// npm run demo -- --days N --dau N [--url URL] [--seed N] [--token TOKEN]: the demo traffic alone, sent
// to any running instance (the service's own demo, a benchmark's target, a staging server).
const USAGE = `Usage: npm run demo -- [--days N] [--dau N] [--url URL] [--seed N] [--token TOKEN]
  --days N       days of history to send, ending now (1 to 731; default ${DEMO_DEFAULTS.days})
  --dau N        daily active users of the demo's apps (1 to 1000000; default ${DEMO_DEFAULTS.dau})
  --url URL      the running service (default http://localhost:PORT, PORT from the configuration)
  --seed N       the same seed and clock send the same callbacks (0 to 4294967295; default ${DEMO_DEFAULTS.seed})
  --token TOKEN  the service's CALLBACK_TOKEN (default: CALLBACK_TOKEN from the configuration)`;

const OPTIONS = {
  days: { type: 'string' },
  dau: { type: 'string' },
  url: { type: 'string' },
  seed: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Request = { days: number; dau: number; seed: number; url?: string; token?: string };

const wholeNumber = (value: string | undefined, fallback: number, max: number) => {
  const number = value === undefined ? fallback : /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(number) && number <= max ? number : null;
};

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

// null: a usage error (an unknown option, a missing or bad value, a stray argument)
function parseRequest(): Request | null {
  let values;
  try {
    values = parseArgs({ options: OPTIONS }).values;
  } catch {
    return null;
  }
  const days = wholeNumber(values.days, DEMO_DEFAULTS.days, 731);
  const dau = wholeNumber(values.dau, DEMO_DEFAULTS.dau, 1_000_000);
  const seed = wholeNumber(values.seed, DEMO_DEFAULTS.seed, 0xffffffff);
  if (values.help || !days || !dau || seed === null || (values.url !== undefined && !isHttpUrl(values.url))) return null;
  if (values.token === '') return null;
  return { days, dau, seed, url: values.url, token: values.token };
}

// The target and token: from the options, else from the service's own configuration (.env included; on
// the embedded default, the token it keeps in the data folder).
async function target(request: Request): Promise<{ url: string; token?: string }> {
  if (request.url !== undefined && request.token !== undefined) return { url: request.url, token: request.token };
  loadDotEnv();
  const { config } = await startupConfig(process.env);
  return { url: request.url ?? `http://localhost:${config.port}`, token: request.token ?? config.auth.callbackToken };
}

async function main(request: Request): Promise<void> {
  const { url, token } = await target(request);
  const options = { ...request, nowMs: Date.now() };
  const history = historyOf(createDemoWorld(options), options);
  const summary = emptySummary();
  process.stdout.write(`Demo traffic for ${url}, ${request.days} days, about ${request.dau} daily active users, seed ${request.seed}\n`);
  const sender = new CallbackSender(url, token);
  const started = Date.now();
  let drawn = 0;
  try {
    const report = await sender.send(tally(history, summary), (sofar) => {
      if (Date.now() - drawn < 100) return;
      drawn = Date.now();
      progress(progressLine(sofar, history.share, request.days, drawn - started));
    });
    progress(`Sent ${reportLine(report, Date.now() - started)}`, true);
    process.stdout.write(`${describeSummary(summary)}\n`);
    if (report.refused > 0)
      throw new OperatorError(
        `${report.refused} callbacks were refused: those the collector found unusable (400) are kept in mob.rejected_callback ` +
          "with the reason; those answered 503 on every retry found the service or its database overloaded or away (see the service's log)",
      );
    process.stdout.write('The klips show them after the next scheduled ETL load (or now: npm run etl -- --once).\n');
  } finally {
    sender.close();
  }
}

const request = parseRequest();
if (!request) {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
} else {
  await main(request).catch((error: unknown) => {
    if (process.stdout.isTTY) process.stdout.write('\n');
    process.stderr.write(`${error instanceof OperatorError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
