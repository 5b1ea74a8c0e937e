import { API_PREFIX, CALLBACK_ROUTE } from '../common/api-routes.js';
import { ACTIVITY_COLUMNS } from './callback-parser.js';

// The URL to paste into Adjust's callback settings: every placeholder the collector stores in a column.
// Adjust substitutes `{name}` itself; the README shows this URL and a test keeps the two identical.
export function callbackUrlTemplate(baseUrl: string, withToken: boolean): string {
  const placeholders = ACTIVITY_COLUMNS.filter((column) => column !== 'dedup_key' && column !== 'extra').map((name) => `${name}={${name}}`);
  const token = withToken ? ['token=<CALLBACK_TOKEN>'] : [];
  return `${baseUrl}/${API_PREFIX}/${CALLBACK_ROUTE}?${[...token, ...placeholders].join('&')}`;
}
