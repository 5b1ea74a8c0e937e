import type { Connections } from '../database/connections.js';
import type { SqlCatalog } from '../database/sql-catalog.js';
import type { SqlClient } from '../etl/warehouse/warehouse-session.js';
import { type MetricAnswer, MetricAnswers, type MetricRequest } from '../metrics/metric-answers.js';
import { MetricsRepository } from '../metrics/metrics.repository.js';
import { CHECK_SETTINGS, KNOWN_ANSWERS } from './known-answer.js';

type Compute = (request: MetricRequest) => Promise<Pick<MetricAnswer, 'summary' | 'data'>>;

// Every klip's answer as the service computes it (metrics.repository.ts runs sql/metrics/<klip>.sql),
// on the check's own connection and catalog. The repository hides a statement's error behind a generic
// one for HTTP clients; the check wants the statement's own words.
export function klipAnswers(client: SqlClient, sql: SqlCatalog): Compute {
  let lastError: Error | undefined;
  const warehouse = {
    query: async (text: string, params: unknown[]) => {
      try {
        return (await client.query(text, params)).rows;
      } catch (error) {
        lastError = error as Error;
        throw error;
      }
    },
  };
  const connections = { warehouseReady: true, warehouse } as unknown as Connections;
  const answers = new MetricAnswers(new MetricsRepository(connections, sql));
  return async (request) => {
    lastError = undefined;
    try {
      const { summary, data } = await answers.compute(request, CHECK_SETTINGS.timezone);
      return { summary, data };
    } catch (error) {
      throw lastError ?? error;
    }
  };
}

// The klips whose answers differ from the known answer, each with both.
export async function klipMismatches(compute: Compute): Promise<string[]> {
  const mismatches: string[] = [];
  for (const { request, answer } of KNOWN_ANSWERS) {
    const name = `${request.klip}${request.granularity ? ` by ${request.granularity}` : ''}`;
    let got: unknown;
    try {
      got = await compute(request);
    } catch (error) {
      mismatches.push(`${name} failed: ${(error as Error).message}`);
      continue;
    }
    if (JSON.stringify(got) !== JSON.stringify(answer))
      mismatches.push(`${name} answered ${JSON.stringify(got)}, expected ${JSON.stringify(answer)}`);
  }
  return mismatches;
}
