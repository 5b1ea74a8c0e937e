import { PinoLogger } from 'nestjs-pino';

// Every line logged inside `work`, across its awaits and in any module, carries `fields` (as a request's
// lines carry its id): how an ETL run's lines carry its runId. The command-line tasks log through Nest's
// console logger, without a pino root: there it just runs `work`.
export function withLogFields<T>(fields: Record<string, unknown>, work: () => T): T {
  if (!PinoLogger.root) return work();
  return new PinoLogger({}).runInContext(work, { bindings: fields });
}
