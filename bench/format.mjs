// What the benchmarks print: medians and percentiles, numbers, durations and plain-text tables.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// p50 (the median), p95 (nearest rank) and max of a non-empty list.
export function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50: median(sorted), p95: at(95), max: sorted.at(-1) };
}

export const int = (n) => Math.round(n).toLocaleString('en-US');
export const secs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);

export const pad = (text, width, right = false) => (right ? String(text).padStart(width) : String(text).padEnd(width));

// A plain-text table: the header, a rule, the rows; `rightAligned(i)` for number columns.
export function formatTable(header, rows, rightAligned) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const format = (cells) =>
    cells
      .map((c, i) => pad(c, widths[i], rightAligned(i)))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)];
}

// Where a rollup step spent its time (the run record's rollupMs, statement → ms): its slowest statements
// with their share of the step (`rollupsMs`), the others summed in one row.
export function rollupBreakdown(rollupMs, rollupsMs, top = 8) {
  const share = (ms) => `${((100 * ms) / rollupsMs).toFixed(1)} %`;
  const sorted = Object.entries(rollupMs ?? {}).sort(([, a], [, b]) => b - a);
  const rows = sorted.slice(0, top).map(([statement, ms]) => [statement, int(ms), share(ms)]);
  const rest = sorted.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((sum, [, each]) => sum + each, 0);
    rows.push([`the other ${rest.length}`, int(ms), share(ms)]);
  }
  return formatTable(['rollup statement', 'ms', 'of the step'], rows, (i) => i > 0);
}

// The target for a full build of the rollups: activities counted a second by the rollup step.
export const BUILD_RATE_TARGET = 100_000;

// "rollup build: 9,000,000 activities in 42.1 s, 213,000 activities/s (target ≥ 100,000: PASS)", then
// where its time went.
export function describeBuild({ rowsExtracted, stepMs, rollupMs }) {
  const rate = rowsExtracted / (stepMs.rollups / 1000);
  const verdict = rate >= BUILD_RATE_TARGET ? 'PASS' : 'FAIL';
  return [
    `rollup build: ${int(rowsExtracted)} activities in ${secs(stepMs.rollups)}, ${int(rate)} activities/s ` +
      `(target ≥ ${int(BUILD_RATE_TARGET)}: ${verdict})`,
    ...rollupBreakdown(rollupMs, stepMs.rollups).map((line) => `  ${line}`),
  ];
}
