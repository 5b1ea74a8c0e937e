import { parseArgs } from 'node:util';
import { EtlModule } from '../etl/etl.module.js';
import type { EtlRunRequest, EtlRunView } from '../etl/etl-run.js';
import { EtlService } from '../etl/etl.service.js';
import { timeLeft } from '../etl/run-progress.js';
import type { EtlProgress } from '../etl/run-tracker.js';
import { progress, runCli } from './cli.js';

// npm run etl -- --once [--window N | --rebuild]: one load now, with a progress bar on a terminal.
// It shares the lease with every running service, so it never overlaps a scheduled run.
const USAGE = `Usage: npm run etl -- --once [--window DAYS | --rebuild]
  --once          run one load now and exit (0 when it succeeded)
  --window DAYS   also re-read the last DAYS days by event time and repair any difference
  --rebuild       reload every activity from the source`;

const OPTIONS = { once: { type: 'boolean' }, window: { type: 'string' }, rebuild: { type: 'boolean' }, help: { type: 'boolean' } } as const;

// an unknown option, a missing value or a stray argument is a usage error too, not a crash
function readArgs() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch {
    return null;
  }
}

function parseRequest(): EtlRunRequest | null {
  const values = readArgs();
  if (!values) return null;
  const windowDays = values.window === undefined ? undefined : Number(values.window);
  const validWindow = windowDays === undefined || (Number.isInteger(windowDays) && windowDays >= 1 && windowDays <= 731);
  if (values.help || !values.once || !validWindow || (values.rebuild && windowDays !== undefined)) return null;
  return { trigger: 'cli', mode: values.rebuild ? 'rebuild' : windowDays ? 'window' : 'arrival', windowDays };
}

const BAR_WIDTH = 30;
let lastDrawn = 0;
// "Run 7: [#########.....................] 31.2 % rollups: recount/insert-counts, about 2 min left"
function draw({ runId, rowsDone, rowsTotal, progress: { phase, detail, percent, secondsLeft } }: EtlProgress): void {
  const now = Date.now();
  if (now - lastDrawn < 100 && rowsDone !== rowsTotal) return;
  lastDrawn = now;
  const bar = `[${'#'.repeat(Math.round((percent / 100) * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}]`;
  const doing = detail ? `${phase}: ${detail}` : phase;
  const left = secondsLeft === null ? '' : `, ${timeLeft(secondsLeft)}`;
  progress(`Run ${runId}: ${bar} ${percent.toFixed(1)} % ${doing}${left}`);
}

function describe(run: EtlRunView): string {
  const steps = Object.entries(run.stepMs)
    .map(([step, ms]) => `${step} ${ms} ms`)
    .join(', ');
  if (run.status !== 'succeeded') return `Run ${run.id} ${run.status}: ${run.error ?? ''}`;
  return `Run ${run.id} succeeded: ${run.rowsLoaded} rows loaded (${run.mode}), ${run.stagedFiles} part(s), ${run.stagedBytes} bytes staged, ${run.daysRefreshed.length} day(s) refreshed (${steps})${slowest(run)}`;
}

// A rollup step of a second or more: its three slowest statements.
function slowest({ stepMs, rollupMs }: EtlRunView): string {
  if ((stepMs.rollups ?? 0) < 1000) return '';
  const top = Object.entries(rollupMs)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([statement, ms]) => `${statement} ${ms} ms`);
  return `; slowest rollup statements: ${top.join(', ')}`;
}

const request = parseRequest();
if (!request) {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
} else {
  await runCli(EtlModule.forRoot({ schedule: false }), async (context) => {
    const run = await context.get(EtlService).runToEnd(request, draw);
    progress(describe(run), true);
    if (run.status !== 'succeeded') process.exitCode = 1;
  });
}
