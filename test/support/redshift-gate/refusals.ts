// What SQL shared by both engines must not use, and why: the functions, types and operators that
// PostgreSQL has and Redshift refuses (or runs on its leader node only), and Redshift's own that the
// PostgreSQL stand-in lacks. Each reason names the page of AWS's Redshift Database Developer Guide or the
// rule of the project's portable SQL subset (§3.1) that rules it out. Unlisted names are refused all the
// same, as not on the allow-list (allow-list.ts); a refusal here says why.

// Functions that PostgreSQL has and Redshift refuses or runs on the leader node only (which fails once a
// query reads a table), and Redshift's own that the PostgreSQL stand-in lacks.
export const LEADER_NODE = 'leader-node only on Redshift: fails once the query reads a table (c_sql-functions-leader-node)';
export const UNSUPPORTED = 'not supported by Redshift (c_unsupported-postgresql-functions)';
export const NOW = 'pass "now" in as a bind parameter (redshift.md §3.1 rule 1; c_sql-functions-leader-node)';
export const NO_ARRAYS = 'Redshift has no arrays (c_unsupported-postgresql-features, c_unsupported-postgresql-functions)';
export const NO_JSON = 'no JSON/JSONB in shared SQL: Redshift has SUPER instead (c_unsupported-postgresql-datatypes)';
export const REDSHIFT_ONLY = 'Redshift-only: the PostgreSQL stand-in has no such function; put it behind the warehouse interface';

export const FORBIDDEN_FUNCTIONS: Record<string, string> = {
  generate_series: `${UNSUPPORTED}: use a calendar table or SELECT DISTINCT day (§3.1 rule 3)`,
  generate_subscripts: UNSUPPORTED,
  now: NOW,
  clock_timestamp: NOW,
  statement_timestamp: NOW,
  transaction_timestamp: NOW,
  timeofday: NOW,
  age: LEADER_NODE,
  isfinite: LEADER_NODE,
  ascii: LEADER_NODE,
  to_ascii: LEADER_NODE,
  current_schema: LEADER_NODE,
  current_schemas: LEADER_NODE,
  has_table_privilege: LEADER_NODE,
  has_schema_privilege: LEADER_NODE,
  has_database_privilege: LEADER_NODE,
  string_agg: `${UNSUPPORTED}; Redshift has LISTAGG, PostgreSQL only STRING_AGG (§3)`,
  array_agg: NO_ARRAYS,
  every: UNSUPPORTED,
  corr: UNSUPPORTED,
  covar_pop: UNSUPPORTED,
  covar_samp: UNSUPPORTED,
  div: UNSUPPORTED,
  width_bucket: UNSUPPORTED,
  setseed: UNSUPPORTED,
  overlay: UNSUPPORTED,
  bit_length: UNSUPPORTED,
  format: UNSUPPORTED,
  encode: UNSUPPORTED,
  convert: UNSUPPORTED,
  convert_from: UNSUPPORTED,
  convert_to: UNSUPPORTED,
  quote_nullable: UNSUPPORTED,
  regexp_matches: UNSUPPORTED,
  regexp_split_to_array: NO_ARRAYS,
  regexp_split_to_table: UNSUPPORTED,
  justify_days: UNSUPPORTED,
  justify_hours: UNSUPPORTED,
  justify_interval: UNSUPPORTED,
  pg_sleep: UNSUPPORTED,
  unnest: NO_ARRAYS,
  array_length: NO_ARRAYS,
  array_to_string: NO_ARRAYS,
  string_to_array: NO_ARRAYS,
  cardinality: NO_ARRAYS,
  to_json: NO_JSON,
  to_jsonb: NO_JSON,
  row_to_json: NO_JSON,
  json_build_object: NO_JSON,
  jsonb_build_object: NO_JSON,
  json_agg: NO_JSON,
  jsonb_agg: NO_JSON,
  nextval: 'Redshift has no sequences (c_unsupported-postgresql-functions); use IDENTITY in Redshift-only DDL',
  currval: 'Redshift has no sequences (c_unsupported-postgresql-functions)',
  setval: 'Redshift has no sequences (c_unsupported-postgresql-functions)',
  lastval: 'Redshift has no sequences (c_unsupported-postgresql-functions)',
  make_interval: 'PostgreSQL-only: Redshift lacks it; use ± INTERVAL (§3.1 rule 2)',
  date_bin: 'PostgreSQL-only: Redshift lacks it; use DATE_TRUNC',
  gen_random_uuid: 'PostgreSQL-only: Redshift has no UUID (c_unsupported-postgresql-datatypes)',
  getdate: `${NOW}; ${REDSHIFT_ONLY}`,
  dateadd: `${REDSHIFT_ONLY}; use ± INTERVAL (§3.1 rule 2)`,
  datediff: `${REDSHIFT_ONLY}; use EXTRACT or date subtraction (§3.1 rule 2)`,
  listagg: REDSHIFT_ONLY,
  nvl: `${REDSHIFT_ONLY}; use COALESCE`,
  nvl2: REDSHIFT_ONLY,
  decode: `${REDSHIFT_ONLY} (PostgreSQL's decode() is a different function); use CASE`,
  median: REDSHIFT_ONLY,
  convert_timezone: REDSHIFT_ONLY,
  pg_last_copy_id: `${REDSHIFT_ONLY} (PG_LAST_COPY_ID)`,
};

// The families whose every member is refused, by name prefix.
export const FORBIDDEN_PREFIXES: [prefix: string, why: string][] = [
  ['array_', NO_ARRAYS],
  ['json', NO_JSON],
  ['regr_', UNSUPPORTED],
  ['txid_', UNSUPPORTED],
  ['pg_', `${UNSUPPORTED} (system and administration functions)`],
  ['hll', REDSHIFT_ONLY],
];

const NO_TYPE = 'Redshift has no such type (c_unsupported-postgresql-datatypes)';
export const FORBIDDEN_TYPES: Record<string, string> = {
  text: 'Redshift reads TEXT as VARCHAR(256) (r_Character_types); write VARCHAR(n)',
  json: NO_JSON,
  jsonb: NO_JSON,
  serial: 'Redshift has no SERIAL types (c_unsupported-postgresql-datatypes); IDENTITY is Redshift-only DDL',
  bigserial: 'Redshift has no SERIAL types (c_unsupported-postgresql-datatypes); IDENTITY is Redshift-only DDL',
  smallserial: 'Redshift has no SERIAL types (c_unsupported-postgresql-datatypes); IDENTITY is Redshift-only DDL',
  uuid: NO_TYPE,
  bytea: NO_TYPE,
  inet: NO_TYPE,
  cidr: NO_TYPE,
  money: NO_TYPE,
  xml: NO_TYPE,
  oid: NO_TYPE,
  regclass: NO_TYPE,
  tsvector: NO_TYPE,
  int4range: NO_TYPE,
  tsrange: NO_TYPE,
  daterange: NO_TYPE,
  super: REDSHIFT_ONLY,
  hllsketch: REDSHIFT_ONLY,
  varbyte: REDSHIFT_ONLY,
};

export const FORBIDDEN_OPERATORS: Record<string, string> = {
  '->': NO_JSON,
  '->>': NO_JSON,
  '#>': NO_JSON,
  '#>>': NO_JSON,
  '@>': `${NO_JSON}; ${NO_ARRAYS}`,
  '<@': `${NO_JSON}; ${NO_ARRAYS}`,
  '?': NO_JSON,
  '?|': NO_JSON,
  '?&': NO_JSON,
  '#-': NO_JSON,
  '@?': NO_JSON,
  '@@': 'Redshift has no text search (c_unsupported-postgresql-functions)',
  '&&': NO_ARRAYS,
};
