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
