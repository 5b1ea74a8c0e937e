import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Format } from './dto/metric-query.dto.js';
import type { KlipIndex } from './klip-index.js';
import { dataColumns, KLIP_ENTRIES } from './klips.js';
import type { MetricAnswer } from './metric-answers.js';
import type { SentAnswer } from './metrics.service.js';

// Sends a klip's answer as JSON or CSV with its caching headers, or 304 when the client holds it already.
export function sendAnswer(request: FastifyRequest, reply: FastifyReply, answer: SentAnswer, format: Format | undefined): void {
  const csv = wantsCsv(request, format);
  // the CSV and the JSON of one answer are two representations: two tags
  const etag = csv ? answer.etag.replace(/"$/, '-csv"') : answer.etag;
  reply.header('ETag', etag).header('Cache-Control', `private, max-age=${answer.maxAgeSeconds}`).header('Vary', 'Accept');
  if (matches(request.headers['if-none-match'], etag)) {
    void reply.code(304).send();
    return;
  }
  if (csv) {
    void reply.type('text/csv; charset=utf-8').send(toCsv(answer.answer));
    return;
  }
  // the cached JSON ends with the data; the freshness of this moment goes after it
  void reply.type('application/json; charset=utf-8').send(`${answer.json.slice(0, -1)},"freshness":${JSON.stringify(answer.freshness)}}`);
}

// The klips' index: it changes only with the service's version (and the host it is asked on), so the
// client revalidates it with its ETag every time and mostly gets a 304.
export function sendIndex(request: FastifyRequest, reply: FastifyReply, index: KlipIndex): void {
  const json = JSON.stringify(index);
  const etag = `W/"${createHash('sha1').update(json).digest('base64url').slice(0, 16)}"`;
  reply.header('ETag', etag).header('Cache-Control', 'private, no-cache');
  if (matches(request.headers['if-none-match'], etag)) {
    void reply.code(304).send();
    return;
  }
  void reply.type('application/json; charset=utf-8').send(json);
}

// Without format: CSV when Accept prefers text/csv to JSON (a q=0 or lower-q text/csv keeps JSON).
function wantsCsv(request: FastifyRequest, format: Format | undefined): boolean {
  if (format) return format === 'csv';
  const q = acceptQualities(request.headers.accept ?? '');
  const csv = q.get('text/csv') ?? 0;
  return csv > 0 && csv > Math.max(q.get('application/json') ?? 0, q.get('application/*') ?? 0);
}

function acceptQualities(accept: string): Map<string, number> {
  const qualities = new Map<string, number>();
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (type) qualities.set(type, Number.isFinite(quality) ? quality : 0);
  }
  return qualities;
}

// If-None-Match holds one or more ETags (weak comparison), or *.
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

// A header line and the data rows, in the klip's columns: date,value · channel,value · date,channel,value.
export function toCsv({ metric, granularity, data }: MetricAnswer): string {
  const columns = dataColumns(KLIP_ENTRIES[metric].kind, granularity);
  const lines = [columns.join(','), ...data.map((row) => columns.map((column) => csvField(row[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

// Channel names come from ad networks' tracker names, i.e. from outside: a text cell a spreadsheet would
// run as a formula (=, +, -, @, tab, CR first) gets a leading ' (api.md). Numbers stay numbers.
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
