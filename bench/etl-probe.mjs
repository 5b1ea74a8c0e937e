// Preloaded into the ETL process by bench/etl.mjs (`node --import bench/etl-probe.mjs dist/cli/etl.js …`):
// at exit, writes the process's own peak resident memory and CPU time to $BENCH_PROBE_FILE. Read from
// inside, so the figure covers the very last moment, which polling /proc from outside can miss.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  process.once('exit', () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const cpu = process.cpuUsage();
    writeFileSync(
      file,
      JSON.stringify({
        vmHwmKb: kb('VmHWM'),
        vmRssKb: kb('VmRSS'),
        maxRssKb: process.resourceUsage().maxRSS,
        cpuUs: cpu.user + cpu.system,
      }),
    );
  });
}
