import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { ACCESS_KEY, type AccessLevel } from './access.decorator.js';
import { fingerprint, KeyRing } from './api-keys.js';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly readers: KeyRing;
  private readonly admins: KeyRing;
  private readonly callbackToken?: KeyRing;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.readers = new KeyRing([...config.auth.apiKeys, ...config.auth.adminApiKeys]);
    this.admins = new KeyRing(config.auth.adminApiKeys);
    if (config.auth.callbackToken) this.callbackToken = new KeyRing([config.auth.callbackToken]);
  }

  canActivate(context: ExecutionContext): boolean {
    const level = this.reflector.getAllAndOverride<AccessLevel>(ACCESS_KEY, [context.getHandler(), context.getClass()]) ?? 'admin';
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (level === 'public') return true;
    if (level === 'callback') return this.checkCallbackToken(request);
    const key = presentedKey(request);
    if (key === undefined) {
      throw new DomainError(
        'UNAUTHORIZED',
        'API key missing: send it in the X-API-Key header, as Authorization: Bearer <key>, or as the api_key query parameter',
      );
    }
    // the request log shows which key was used, never the key
    (request.raw as KeyedRequest).keyFingerprint = fingerprint(key);
    if (!this.readers.has(key)) throw new DomainError('UNAUTHORIZED', 'API key not recognised');
    if (level === 'admin' && !this.admins.has(key)) throw new DomainError('FORBIDDEN', 'This route needs a key from ADMIN_API_KEYS');
    return true;
  }

  private checkCallbackToken(request: FastifyRequest): boolean {
    if (!this.callbackToken) return true;
    // the token travels in the callback URL; a POST callback may carry it in its form or JSON body instead
    const token =
      (request.query as Record<string, unknown> | undefined)?.token ?? (request.body as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !this.callbackToken.has(token)) {
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
