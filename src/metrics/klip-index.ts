import type { FastifyRequest } from 'fastify';
import { API_PREFIX, METRICS_ROUTE } from '../common/api-routes.js';
import type { Granularity } from './date-range.js';
import { type DataColumn, dataColumns, KLIP_REGISTRY, type KlipKind, summaryFields, type SummaryField } from './klips.js';

// GET /api/v1/metrics: the registry as the dashboard page and a person setting up Klipfolio read it.
export type KlipIndexEntry = {
  route: string;
  title: string;
  label: string;
  unit: string;
  kind: KlipKind;
  // the keys of each row of `data` (and the CSV header) without a granularity parameter
  columns: DataColumn[];
  summary: SummaryField[];
  defaultGranularity: Granularity | null;
  klipfolioUrl: string;
};
export type KlipIndex = { klips: KlipIndexEntry[] };

export const INDEX_PATH = `${API_PREFIX}/${METRICS_ROUTE}`;
// The key goes in where the placeholder is, as docs/klipfolio.md shows (the X-API-Key header works too):
// the index never writes a key into a URL.
export const KEY_PLACEHOLDER = '<key>';

// `baseUrl`: where clients reach this service, e.g. https://kpi.example.com
export function klipIndex(baseUrl: string): KlipIndex {
  return {
    klips: KLIP_REGISTRY.map((entry) => ({
      route: entry.route,
      title: entry.title,
      label: entry.label,
      unit: entry.unit,
      kind: entry.kind,
      columns: dataColumns(entry.kind, entry.defaultGranularity),
      summary: summaryFields(entry.kind),
      defaultGranularity: entry.defaultGranularity,
      klipfolioUrl: `${baseUrl}/${INDEX_PATH}/${entry.route}?period=last_30_days&api_key=${KEY_PLACEHOLDER}`,
    })),
  };
}

// The scheme and host the request came to: a load balancer's X-Forwarded-Proto and -Host count when it
// is a trusted proxy (app.factory.ts), so the URLs are the public ones behind it.
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
