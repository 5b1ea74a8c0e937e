import { isSecretParam } from '../common/secret-params.js';

// Field table and value normalisation for Adjust callback parameters. Pure: no I/O, never throws
// except where a caller's getter or proxy throws (parseCallback guards that).

export const TEXT_FIELDS = [
  'gps_adid',
  'idfa',
  'idfv',
  'android_id',
  'app_token',
  'app_id',
  'app_name',
  'app_version',
  'environment',
  'store',
  'tracker',
  'tracker_name',
  'network_name',
  'campaign_name',
  'adgroup_name',
  'creative_name',
  'os_version',
  'device_type',
  'device_name',
  'event',
  'event_name',
  'currency',
  'reporting_currency',
] as const;
export const LOWERCASE_FIELDS = ['country', 'os_name'] as const;
export const OPTIONAL_TIMESTAMP_FIELDS = ['installed_at', 'click_time', 'reattributed_at', 'last_session_time'] as const;
export const INTEGER_FIELDS = ['last_time_spent', 'time_spent', 'session_count', 'lifetime_session_count'] as const;
export const DECIMAL_FIELDS = ['revenue', 'revenue_float', 'revenue_usd', 'reporting_revenue'] as const;

// value: the first (or only) value, typed later; overflow: the whole array as JSON when a key repeated
type Param = { value: string | null; overflow: string | null };
export type Params = Map<string, Param>;

// Assigning this key to a plain object would change its prototype downstream; it is never an Adjust field.
const UNSAFE_KEY = '__proto__';
const PLACEHOLDER = /^\{[^{}]*\}$/;
const NUL = '\u0000';

const EARLIEST_EPOCH = Date.UTC(2000, 0, 1) / 1000;
const LATEST_EPOCH = Date.UTC(2100, 0, 1) / 1000;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

// Patterns are unambiguous so that a 100 kB digit string cannot make them backtrack quadratically.
const EPOCH = /^-?\d+(?:\.\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

// PostgreSQL refuses NUL in text and lone UTF-16 surrogates in jsonb.
export function cleanText(text: string): string {
  return (text.includes(NUL) ? text.replaceAll(NUL, '') : text).toWellFormed();
}

export function normaliseParams(input: unknown): Params {
  const params: Params = new Map();
  if (typeof input !== 'object' || input === null) return params;
  const source = input as Record<string, unknown>;
  for (const rawKey of Object.keys(source)) {
    const key = cleanText(rawKey);
    // A key that only differs by NULs from an earlier one loses: first one wins.
    // the callback token (or an API key sent by mistake) is never data
    if (isSecretParam(key) || key === UNSAFE_KEY || params.has(key)) continue;
    params.set(key, normaliseParam(source[rawKey]));
  }
  return params;
}

function normaliseParam(raw: unknown): Param {
  if (!Array.isArray(raw)) return { value: normaliseValue(raw), overflow: null };
  const values: (string | null)[] = raw.map(normaliseValue);
  const repeated = raw.length > 1 && values.some((value) => value !== null);
  return { value: values[0] ?? null, overflow: repeated ? toJson(raw) : null };
}

function normaliseValue(raw: unknown): string | null {
  switch (typeof raw) {
    case 'string':
      return cleanString(raw);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(raw);
    case 'object':
      return raw === null ? null : toJson(raw);
    default:
      return null;
  }
}

// Only strings can be placeholders: the JSON text of {"a":1} also looks like "{…}".
function cleanString(raw: string): string | null {
  const text = cleanText(raw);
  const trimmed = text.trim();
  return trimmed === '' || PLACEHOLDER.test(trimmed) ? null : text;
}

function toJson(raw: unknown): string | null {
  try {
    return JSON.stringify(raw, withoutNul) ?? null;
  } catch {
    return null; // cycles, BigInt, throwing toJSON: nothing sensible to keep
  }
}

function withoutNul(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (!keys.some((key) => key.includes(NUL))) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [cleanText(key), record[key]]));
}

export function canonicalParams(params: Params): string {
  const keys = [...params.keys()].sort();
  return JSON.stringify(keys.map((key) => [key, params.get(key)?.value, params.get(key)?.overflow]));
}

export function asText(raw: string): string {
  return raw;
}

export function asLowerCase(raw: string): string {
  return raw.trim().toLowerCase();
}

// Unix seconds; a decimal is floored. Range is checked separately so callers can say why.
export function toEpochSeconds(raw: string): number | null {
  const text = raw.trim();
  return EPOCH.test(text) ? Math.floor(Number(text)) : null;
}

export function isPlausibleEpoch(seconds: number): boolean {
  return seconds >= EARLIEST_EPOCH && seconds <= LATEST_EPOCH;
}

export function toDate(raw: string): Date | null {
  const seconds = toEpochSeconds(raw);
  return seconds !== null && isPlausibleEpoch(seconds) ? new Date(seconds * 1000) : null;
}

export function toInteger(raw: string): number | null {
  const text = raw.trim();
  if (!INTEGER.test(text)) return null;
  const value = Number(text);
  return value >= INT_MIN && value <= INT_MAX ? value + 0 : null; // + 0 turns -0 into 0
}

export function toDecimal(raw: string): number | null {
  const text = raw.trim();
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value + 0 : null;
}

export function toBoolean(raw: string): boolean | null {
  const text = raw.trim().toLowerCase();
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  return null;
}
