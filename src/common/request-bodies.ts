import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { parse as parseForm } from 'fast-querystring';
import { DomainError } from './domain-error.js';
import { parameterCount } from './http-limits.js';

// No Adjust callback nests at all; the ETL's body is flat too.
export const MAX_JSON_DEPTH = 32;

// JSON and form bodies are measured before they are parsed: a 1 MiB body can hold 100,000 members, whose
// parsing, storing and logging would cost the server far more than sending them cost the client, or arrays
// nested so deep that recursing through them overflows the stack.
export function useBoundedBodyParsers(app: NestFastifyApplication, bodyLimit: number, maxParameters: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    const text = body.toString('utf8');
    const problem = jsonProblem(text, maxParameters);
    if (problem) done(problem, undefined);
    else parseJson(request, text, done);
  });
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit }, (_request, body, done) => {
    const text = body.toString('utf8');
    if (parameterCount(text) > maxParameters) return done(tooManyMembers(maxParameters), undefined);
    const fields = parseForm(text) as Record<string, unknown>;
    // fast-querystring's object has no prototype, so "__proto__" is an ordinary key there, and would
    // replace the prototype of an object it is copied onto: removed, as in a JSON body
    delete fields['__proto__'];
    done(null, fields);
  });
}

// Why a JSON text is refused, read in one pass without parsing it (string contents skipped): nested
// deeper than MAX_JSON_DEPTH, or more members in its outermost object or array than allowed.
export function jsonProblem(text: string, maxMembers: number): DomainError | undefined {
  let depth = 0;
  let members = 1;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) at = endOfString(text, at);
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) return new DomainError('INVALID_REQUEST', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
    else if (code === COMMA && depth === 1 && ++members > maxMembers) return tooManyMembers(maxMembers);
  }
  return undefined;
}

// The index of the quote that closes the string opening at `start` (or the end of the text).
function endOfString(text: string, start: number): number {
  for (let at = start + 1; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === BACKSLASH) at++;
    else if (code === QUOTE) return at;
  }
  return text.length;
}

const tooManyMembers = (max: number) =>
  new DomainError('PAYLOAD_TOO_LARGE', `The body carries more than ${max.toLocaleString('en')} parameters`);

const [QUOTE, BACKSLASH, COMMA] = ['"', '\\', ','].map((character) => character.charCodeAt(0));
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = ['{', '}', '[', ']'].map((character) => character.charCodeAt(0));
