import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Format } from './dto/metric-query.dto.js';
import type { MetricAnswer, MetricRow } from './metric-answers.js';
import type { SentAnswer } from './metrics.service.js';

// Sends an answer as JSON or CSV with its caching headers, or 304 when the client holds it already.
export function sendAnswer(request: FastifyRequest, reply: FastifyReply, answer: SentAnswer, format: Format | undefined): void {
  reply.header('ETag', answer.etag).header('Cache-Control', `private, max-age=${answer.maxAgeSeconds}`).header('Vary', 'Accept');
  if (matches(request.headers['if-none-match'], answer.etag)) {
    void reply.code(304).send();
    return;
  }
  if (wantsCsv(request, format)) {
    void reply.type('text/csv; charset=utf-8').send(toCsv(answer.answer));
    return;
  }
  // the cached JSON ends with the data; the freshness of this moment goes after it
  void reply.type('application/json; charset=utf-8').send(`${answer.json.slice(0, -1)},"freshness":${JSON.stringify(answer.freshness)}}`);
}

function wantsCsv(request: FastifyRequest, format: Format | undefined): boolean {
  if (format) return format === 'csv';
  return /\btext\/csv\b/i.test(request.headers.accept ?? '');
}

// If-None-Match holds one or more ETags (weak comparison), or *.
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

// A header line and the data rows: date,value · channel,value · date,channel,value.
export function toCsv({ metric, granularity, data }: MetricAnswer): string {
  const columns = metric === 'installs-by-channel' ? [...(granularity ? ['date'] : []), 'channel', 'value'] : ['date', 'value'];
  const lines = [columns.join(','), ...data.map((row) => columns.map((column) => csvField(row[column as keyof MetricRow])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
