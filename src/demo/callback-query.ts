import { API_PREFIX, CALLBACK_ROUTE } from '../common/api-routes.js';

export const CALLBACK_PATH = `/${API_PREFIX}/${CALLBACK_ROUTE}`;

export type CallbackValue = string | number | null | undefined;
export type CallbackValues = Readonly<Record<string, CallbackValue>>;
// The values of one callback as layers, a later layer winning: the app's, the device's, the link's, the
// activity's own. Layers are shared between callbacks instead of being copied into each one (the copies
// were most of the generator's time).
export type ValueLayers = readonly CallbackValues[];

const PLACEHOLDER = /^\{[^{}]*\}$/;
const SAFE = /^[\w.-]*$/;

export function valueOf(layers: ValueLayers, key: string): CallbackValue {
  for (let i = layers.length - 1; i >= 0; i--) if (layers[i][key] !== undefined) return layers[i][key];
  return undefined;
}

// The query string Adjust sends for one activity: every key of the template, in order, with an empty
// value where the activity has no data (`idfa=` on Android, `event=` on a session); then the app's own
// SDK callback parameters. Values are percent-encoded (`::` → `%3A%3A`); a literal `{placeholder}`
// Adjust did not substitute is left as it is.
export function callbackQuery(template: readonly string[], layers: ValueLayers, appParams: readonly [string, string][] = []): string {
  const parts = template.map((key) => `${key}=${encodeValue(valueOf(layers, key))}`);
  for (const [key, value] of appParams) parts.push(`${key}=${encodeValue(value)}`);
  return parts.join('&');
}

function encodeValue(value: CallbackValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  if (SAFE.test(value) || PLACEHOLDER.test(value)) return value;
  return encodeURIComponent(value);
}
