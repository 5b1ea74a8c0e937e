// The values the fuzz suite (fuzz-requests.ts) draws from: what careless and hostile callers send.

export const DATES = [
  '2026-11-01',
  '2026-11-20',
  '2000-01-01',
  '2099-12-31',
  '1999-12-31',
  '2100-01-01',
  '9999-12-31',
  '0000-01-15',
  '+010000-01-01',
  '2026-02-30',
  '',
  '20261101',
  '2026-11-01T00:00:00Z',
  '-1',
  '9'.repeat(40),
];
export const TEXTS = [
  '',
  ' ',
  'ios',
  'IOS',
  'de',
  'Organic',
  'com.example.fitapp',
  '=HYPERLINK("http://x")',
  "' OR 1=1 --",
  '\u0000',
  '\u202e',
  '\u{1F600}',
  '{app_name}',
  '__proto__',
  'a'.repeat(300),
  '1e400',
  '-0',
];
// already on the wire: broken percent-encoding, raw bytes, separators
export const RAW = ['%', '%ff', '%E0%A4%A', '%00', '%uD800', 'a%2526b', '&&&', '==', '[]', '%5B%5D', '+', 'é'];
export const METRIC_PARAMS = ['from', 'to', 'period', 'granularity', 'app', 'os', 'country', 'channel', 'format'];
export const PERIODS = ['today', 'last_7_days', 'last_90_days', 'year_to_date', 'fortnight', ''];
export const ODD_NAMES = ['foo', 'toString', '__proto__', 'constructor', 'from[]', 'app[]', 'APP', 'a'.repeat(200)];
export const STATIC_PATHS = [
  '/',
  '/index.html',
  '/assets/dashboard.css',
  '/assets/js/main.js',
  '/assets/vendor/chart.umd.min.js',
  '/assets/vendor/../../package.json',
  '/assets/%2e%2e/%2e%2e/package.json',
  '/..%2f..%2fetc%2fpasswd',
  '/docs',
  '/docs/',
  '/docs-json',
  '/docs/swagger-ui-init.js',
  '/docs/%ff',
  '/favicon.ico',
  '//',
  '/%00',
];
