import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { ACCESS_KEY, type AccessLevel } from './access.decorator.js';
import { fingerprint, KeyRing } from './api-keys.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly readers: KeyRing;
  private readonly admins: KeyRing;
  private readonly callbackToken?: KeyRing;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AppConfig) config: AppConfig,
    @Inject(FailedAuthLimiter) private readonly failures: FailedAuthLimiter,
  ) {
    this.readers = new KeyRing([...config.auth.apiKeys, ...config.auth.adminApiKeys]);
    this.admins = new KeyRing(config.auth.adminApiKeys);
    if (config.auth.callbackToken) this.callbackToken = new KeyRing([config.auth.callbackToken]);
  }

  canActivate(context: ExecutionContext): boolean {
    const level = this.reflector.getAllAndOverride<AccessLevel>(ACCESS_KEY, [context.getHandler(), context.getClass()]) ?? 'admin';
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (level === 'public') return true;
    if (level === 'callback') return this.checkCallbackToken(request);
    this.refuseWhileBlocked(request, http.getResponse<FastifyReply>());
    const key = presentedKey(request);
    if (key === undefined) {
      this.failures.recordFailure(request.ip, 'no API key');
      throw new DomainError(
        'UNAUTHORIZED',
        'API key missing: send it in the X-API-Key header, as Authorization: Bearer <key>, or as the api_key query parameter',
      );
    }
    // the request log shows which key was used, never the key
    (request.raw as KeyedRequest).keyFingerprint = fingerprint(key);
    if (!this.readers.has(key)) {
      this.failures.recordFailure(request.ip, `unknown API key ${fingerprint(key)}`);
      throw new DomainError('UNAUTHORIZED', 'API key not recognised');
    }
    if (level === 'admin' && !this.admins.has(key)) throw new DomainError('FORBIDDEN', 'This route needs a key from ADMIN_API_KEYS');
    return true;
  }

  // An address past the limit of failed attempts waits, whatever key it sends now: otherwise its 401s
  // and 200s would go on telling wrong keys from right ones.
  private refuseWhileBlocked(request: FastifyRequest, reply: FastifyReply): void {
    const retryAfter = this.failures.retryAfter(request.ip);
    if (retryAfter === 0) return;
    reply.header('Retry-After', String(retryAfter));
    throw new DomainError('TOO_MANY_REQUESTS', `Too many failed authentications from this address; retry after ${retryAfter} s`);
  }

  // Callbacks are never refused for other callbacks' failures: Adjust sends every callback from the same
  // few addresses, and one app's outdated URL must not cost another app's callbacks. Failures are logged
  // once a minute per address all the same.
  private checkCallbackToken(request: FastifyRequest): boolean {
    if (!this.callbackToken) return true;
    // the token travels in the callback URL; a POST callback may carry it in its form or JSON body instead
    const token =
      (request.query as Record<string, unknown> | undefined)?.token ?? (request.body as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !this.callbackToken.has(token)) {
      this.failures.recordFailure(request.ip, 'callback token missing or wrong');
      throw new DomainError('UNAUTHORIZED', 'Callback token missing or wrong: the callback URL must carry token=<CALLBACK_TOKEN>');
    }
    return true;
  }
}

type KeyedRequest = FastifyRequest['raw'] & { keyFingerprint?: string };

// Who is asking, for per-caller limits: the fingerprint of the key that this guard accepted (the address
// when there was none), never the key itself.
export function callerOf(request: FastifyRequest): string {
  return (request.raw as KeyedRequest).keyFingerprint ?? request.ip;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  const query = (request.query as Record<string, unknown> | undefined)?.api_key;
  return typeof query === 'string' && query !== '' ? query : undefined;
}
