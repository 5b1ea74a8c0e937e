import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { Logger, LoggerModule, type Params, PinoLogger } from 'nestjs-pino';
import { API_PREFIX, CALLBACK_ROUTE, HEALTH_ROUTE, PROMETHEUS_ROUTE } from '../common/api-routes.js';
import { redactQuery } from '../common/secret-params.js';
import type { AppConfig } from '../config/app-config.js';

// callbacks, load balancers' health checks and Prometheus's scrapes (every few seconds, at the root)
const QUIET_ROUTES = [...[CALLBACK_ROUTE, HEALTH_ROUTE].map((route) => `/${API_PREFIX}/${route}`), `/${PROMETHEUS_ROUTE}`];
// callback URLs reach 1 MB; a log line keeps the start
const MAX_LOGGED_URL = 2048;

// Logs keep the start of a URL, without secret values.
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const shown = url.slice(0, MAX_LOGGED_URL);
  const query = shown.indexOf('?');
  const redacted = query < 0 ? shown : `${shown.slice(0, query + 1)}${redactQuery(shown.slice(query + 1))}`;
  return url.length > MAX_LOGGED_URL ? `${redacted}… (${url.length} characters)` : redacted;
}

// Request ids: a sane incoming X-Request-Id (set by a proxy) is kept, otherwise a new UUID.
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

type LoggedRequest = IncomingMessage & { id?: string | number };
type KeyedRequest = IncomingMessage & { keyFingerprint?: string };

// The one pino set-up: the request log, and every line the application writes.
function pinoParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      // pretty, one line a record, when a person watches a terminal; JSON lines otherwise
      transport: process.stdout.isTTY
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
        : undefined,
      // callbacks arrive thousands a second: their successes are logged at debug level only;
      // a 503 (overload, database unavailable) is expected and retried by Adjust: a warning;
      // refused keys and limits are logged once a minute by their guards: per request, anyone
      // could fill the log
      customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
        if (res.statusCode === 401 || res.statusCode === 429) return 'debug';
        if (res.statusCode === 503) return 'warn';
        if (error || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        return QUIET_ROUTES.some((route) => req.url?.startsWith(route)) ? 'debug' : 'info';
      },
      // Nest mounts the logging middleware twice on a route kept out of the global prefix (/metrics, as
      // `/metrics` and `/metrics/`): such a request is logged once
      autoLogging: { ignore: (req: IncomingMessage & { allLogs?: unknown[] }) => (req.allLogs?.length ?? 0) > 1 },
      // which key made the request (its fingerprint, set by the key guard): read when the request is
      // logged at its end; the `req` binding is serialised at its start, before any guard ran
      customProps: (req: KeyedRequest) => (req.keyFingerprint ? { key: req.keyFingerprint } : {}),
      serializers: {
        req: (req: LoggedRequest) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
    },
  };
}

// The application's logger from its first line on: with Nest's bufferLogs, the start-up lines waited for
// the module's logger and all carried the moment they were flushed, not the moment each thing happened.
export function startupLogger(config: AppConfig): Logger {
  const params = pinoParams(config);
  return new Logger(new PinoLogger(params), params);
}

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: LoggingModule, imports: [LoggerModule.forRoot(pinoParams(config))] };
  }
}
