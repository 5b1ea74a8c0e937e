import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';

const SECRET_QUERY_PARAMS = /([?&](?:api_key|token)=)[^&]*/gi;
const QUIET_ROUTES = /^\/api\/v1\/(adjust\/callback|health)\b/;

// Query strings can carry the API key or the callback token: logs keep the parameter name only.
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}

const LOGGED = Symbol('logged');

function logOnce(req: IncomingMessage & { [LOGGED]?: true }): boolean {
  if (req[LOGGED]) return true;
  req[LOGGED] = true;
  return false;
}

type LoggedRequest = IncomingMessage & { id?: string | number; raw?: IncomingMessage & { keyFingerprint?: string } };

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Nest mounts the middleware twice when a path ('/') is excluded from the global prefix (once
            // for the wildcard, once for the excluded route): log each request once all the same
            autoLogging: { ignore: logOnce },
            // pretty, one line a record, when a person watches a terminal; JSON lines otherwise
            transport: process.stdout.isTTY
              ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
              : undefined,
            genReqId: (req, res) => {
              const incoming = req.headers['x-request-id'];
              const id = typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            // callbacks arrive thousands a second: their successes are logged at debug level only
            customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
              if (error || res.statusCode >= 500) return 'error';
              if (res.statusCode >= 400) return 'warn';
              return QUIET_ROUTES.test(req.url ?? '') ? 'debug' : 'info';
            },
            serializers: {
              req: (req: LoggedRequest) => ({ id: req.id, method: req.method, url: redactUrl(req.url), key: req.raw?.keyFingerprint }),
              res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
            },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
          },
        }),
      ],
    };
  }
}
