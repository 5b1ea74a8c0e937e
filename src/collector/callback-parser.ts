import { createHash } from 'node:crypto';
import {
  DECIMAL_FIELDS,
  INTEGER_FIELDS,
  LOWERCASE_FIELDS,
  OPTIONAL_TIMESTAMP_FIELDS,
  TEXT_FIELDS,
  asLowerCase,
  asText,
  canonicalParams,
  isPlausibleEpoch,
  normaliseParams,
  toBoolean,
  toDate,
  toDecimal,
  toEpochSeconds,
  toInteger,
  type Params,
} from './adjust-fields.js';

type Typed<Names extends readonly string[], Value> = { [Name in Names[number]]: Value | null };

// One parsed callback: a row of mob.adjust. The field tables of adjust-fields.ts name the typed columns.
export type AdjustActivity = {
  dedup_key: Buffer;
  activity_kind: string;
  created_at: Date;
  adid: string | null;
  is_organic: boolean | null;
  extra: Record<string, string>; // every other parameter, never dropped
} & Typed<typeof TEXT_FIELDS, string> &
  Typed<typeof LOWERCASE_FIELDS, string> &
  Typed<typeof OPTIONAL_TIMESTAMP_FIELDS, Date> &
  Typed<typeof INTEGER_FIELDS, number> &
  Typed<typeof DECIMAL_FIELDS, number>;

export type ParseResult = { kind: 'activity'; activity: AdjustActivity } | { kind: 'rejected'; reason: string };

// Column order of sql/collector/insert-activities.sql (a test holds the two together).
export const ACTIVITY_COLUMNS: readonly (keyof AdjustActivity)[] = Object.freeze([
  'dedup_key',
  'activity_kind',
  'created_at',
  'adid',
  ...TEXT_FIELDS,
  ...LOWERCASE_FIELDS,
  ...OPTIONAL_TIMESTAMP_FIELDS,
  ...INTEGER_FIELDS,
  ...DECIMAL_FIELDS,
  'is_organic',
  'extra',
]);

// Kinds that are not tied to an SDK device, so they legitimately arrive without adid.
export const ACTIVITIES_WITHOUT_DEVICE: ReadonlySet<string> = new Set([
  'click',
  'impression',
  'cost_updated',
  'sk_install',
  'sk_event',
  'sk_qualifier',
  'sk_install_direct',
  'sk_cv_update',
  'san_click',
  'san_impression',
]);

const MAX_QUOTED_CHARS = 40;
// Parts are JSON strings, which escape every control character, so this cannot occur inside one.
const SEPARATOR = '\u001f';

// Keys are deleted from `rest` as typed fields consume them; what is left ends up in extra.
type Reader = { rest: Params; extra: Record<string, string> };

export function parseCallback(params: Record<string, unknown>): ParseResult {
  try {
    return parseParams(normaliseParams(params));
  } catch {
    // Only a hostile getter or proxy gets here; the controller must still answer 4xx, never 500.
    return reject('callback could not be parsed');
  }
}

function parseParams(params: Params): ParseResult {
  const reader: Reader = { rest: new Map(params), extra: Object.create(null) as Record<string, string> };
  const kind = read(reader, 'activity_kind', asLowerCase);
  if (kind === null) return reject('activity_kind is missing');
  const createdAt = readCreatedAt(reader);
  if (typeof createdAt === 'string') return reject(createdAt);
  const adid = read(reader, 'adid', asText);
  if (adid === null && !ACTIVITIES_WITHOUT_DEVICE.has(kind)) {
    return reject(`adid is missing for activity_kind ${quote(kind)}`);
  }
  return { kind: 'activity', activity: buildActivity(reader, kind, createdAt, adid, params) };
}

function buildActivity(reader: Reader, kind: string, createdAt: Date, adid: string | null, params: Params): AdjustActivity {
  const text = readAll(reader, TEXT_FIELDS, asText);
  const app = text.app_token ?? text.app_id ?? text.app_name;
  const event = kind === 'event' ? text.event : null;
  const keyParts = [app, kind, adid, String(createdAt.getTime() / 1000), event];
  return {
    dedup_key: dedupKey(keyParts, adid === null ? canonicalParams(params) : null),
    activity_kind: kind,
    created_at: createdAt,
    adid,
    ...text,
    ...readAll(reader, OPTIONAL_TIMESTAMP_FIELDS, toDate),
    ...readAll(reader, LOWERCASE_FIELDS, asLowerCase),
    ...readAll(reader, INTEGER_FIELDS, toInteger),
    ...readAll(reader, DECIMAL_FIELDS, toDecimal),
    is_organic: read(reader, 'is_organic', toBoolean),
    extra: collectExtra(reader), // last: it takes whatever no field consumed
  };
}

// A value that fails conversion stays in extra under its own name, so nothing is lost.
function read<T>(reader: Reader, key: string, convert: (raw: string) => T | null): T | null {
  const param = reader.rest.get(key);
  if (param === undefined) return null;
  reader.rest.delete(key);
  const typed = param.value === null ? null : convert(param.value);
  const kept = param.overflow ?? (typed === null ? param.value : null);
  if (kept !== null) reader.extra[key] = kept;
  return typed;
}

function readAll<K extends string, T>(reader: Reader, keys: readonly K[], convert: (raw: string) => T | null): Record<K, T | null> {
  return Object.fromEntries(keys.map((key) => [key, read(reader, key, convert)])) as Record<K, T | null>;
}

function readCreatedAt(reader: Reader): Date | string {
  const raw = read(reader, 'created_at', asText);
  if (raw === null) return 'created_at is missing';
  const seconds = toEpochSeconds(raw);
  if (seconds === null) return `created_at must be Unix seconds, got ${quote(raw)}`;
  if (!isPlausibleEpoch(seconds)) {
    return `created_at must be between 2000-01-01 and 2100-01-01, got ${quote(raw)}`;
  }
  return new Date(seconds * 1000);
}

function collectExtra(reader: Reader): Record<string, string> {
  for (const [key, param] of reader.rest) {
    const kept = param.overflow ?? param.value;
    if (kept !== null) reader.extra[key] = kept;
  }
  return reader.extra;
}

// Without adid nothing identifies the activity, so only byte-for-byte repeats may collapse.
function dedupKey(parts: readonly (string | null)[], canonical: string | null): Buffer {
  const encoded = parts.map((part) => JSON.stringify(part ?? ''));
  if (canonical !== null) encoded.push(canonical);
  const digest = createHash('sha256').update(encoded.join(SEPARATOR)).digest();
  return Buffer.from(digest.subarray(0, 16));
}

function quote(value: string): string {
  // Counted in code points so a cut never splits an emoji into a lone surrogate.
  const head = Array.from(value.slice(0, MAX_QUOTED_CHARS * 2))
    .slice(0, MAX_QUOTED_CHARS)
    .join('');
  return JSON.stringify(head.length < value.length ? `${head}…` : head);
}

function reject(reason: string): ParseResult {
  return { kind: 'rejected', reason };
}
