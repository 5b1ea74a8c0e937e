// What SQL that runs on both engines may use: the part of PostgreSQL's syntax tree that Amazon Redshift
// also runs on its compute nodes. Each entry names its page of AWS's Redshift Database Developer Guide
// (https://docs.aws.amazon.com/redshift/latest/dg/<page>.html); the refusals name the page or the
// section of ../shared/reference/redshift.md that rules them out. Anything not listed is refused: to use
// it, find its page and add it here.

// How a function may be called: `window` also with OVER, `frame` (ROWS) required when its OVER has ORDER BY,
// `withinGroup` only as WITHIN GROUP (ORDER BY …), `args` its [min, max] argument count on Redshift.
export type FunctionRule = {
  page: string;
  kind: 'scalar' | 'aggregate' | 'window';
  window?: 'frame' | 'no-frame';
  withinGroup?: boolean;
  args?: [number, number];
};

const scalar = (page: string, args?: [number, number]): FunctionRule => ({ page, kind: 'scalar', args });
const aggregate = (page: string): FunctionRule => ({ page, kind: 'aggregate', window: 'frame' });
const ranking = (page: string): FunctionRule => ({ page, kind: 'window', window: 'no-frame' });

export const FUNCTIONS: Record<string, FunctionRule> = {
  // aggregates, also as window aggregates (r_WF_SUM, r_WF_COUNT, …): ROWS frame required with ORDER BY
  avg: aggregate('r_AVG'),
  count: aggregate('r_COUNT'),
  max: aggregate('r_MAX'),
  min: aggregate('r_MIN'),
  sum: aggregate('r_SUM'),
  stddev: aggregate('r_STDDEV_functions'),
  stddev_samp: aggregate('r_STDDEV_functions'),
  stddev_pop: aggregate('r_STDDEV_functions'),
  variance: aggregate('r_VARIANCE_functions'),
  var_samp: aggregate('r_VARIANCE_functions'),
  var_pop: aggregate('r_VARIANCE_functions'),
  bool_and: { page: 'r_BOOL_AND', kind: 'aggregate' },
  bool_or: { page: 'r_BOOL_OR', kind: 'aggregate' },
  percentile_cont: { page: 'r_PERCENTILE_CONT', kind: 'aggregate', withinGroup: true },
  percentile_disc: { page: 'r_PERCENTILE_DISC', kind: 'aggregate', withinGroup: true },
  // ranking and offset window functions: Redshift takes no frame clause on them
  row_number: ranking('r_WF_ROW_NUMBER'),
  rank: ranking('r_WF_RANK'),
  dense_rank: ranking('r_WF_DENSE_RANK'),
  percent_rank: ranking('r_WF_PERCENT_RANK'),
  cume_dist: ranking('r_WF_CUME_DIST'),
  ntile: ranking('r_WF_NTILE'),
  lag: ranking('r_WF_LAG'),
  lead: ranking('r_WF_LEAD'),
  // value window functions: frame required with ORDER BY
  first_value: { page: 'r_WF_first_value', kind: 'window', window: 'frame' },
  last_value: { page: 'r_WF_last_value', kind: 'window', window: 'frame' },
  nth_value: { page: 'r_WF_NTH', kind: 'window', window: 'frame' },
  // date and time (AT TIME ZONE and EXTRACT parse as timezone() and extract())
  timezone: scalar('r_AT_TIME_ZONE', [2, 2]),
  extract: scalar('r_EXTRACT_function', [2, 2]),
  date_part: scalar('r_DATE_PART_function', [2, 2]),
  date_trunc: scalar('r_DATE_TRUNC', [2, 2]),
  to_char: scalar('r_TO_CHAR', [2, 2]),
  to_date: scalar('r_TO_DATE_function', [2, 2]),
  to_timestamp: scalar('r_TO_TIMESTAMP', [2, 2]),
  to_number: scalar('r_TO_NUMBER', [2, 2]),
  // strings (TRIM(…) parses as btrim, SUBSTRING(… FROM …) as substring, POSITION(… IN …) as position)
  btrim: scalar('r_BTRIM', [1, 2]),
  ltrim: scalar('r_LTRIM', [1, 2]),
  rtrim: scalar('r_RTRIM', [1, 2]),
  lower: scalar('r_LOWER'),
  upper: scalar('r_UPPER'),
  initcap: scalar('r_INITCAP'),
  length: scalar('r_LENGTH', [1, 1]),
  char_length: scalar('r_CHAR_LENGTH'),
  character_length: scalar('r_CHARACTER_LENGTH'),
  octet_length: scalar('r_OCTET_LENGTH'),
  left: scalar('r_LEFT'),
  right: scalar('r_RIGHT'),
  lpad: scalar('r_LPAD'),
  rpad: scalar('r_RPAD'),
  repeat: scalar('r_REPEAT'),
  replace: scalar('r_REPLACE'),
  reverse: scalar('r_REVERSE'),
  split_part: scalar('r_SPLIT_PART', [3, 3]),
  strpos: scalar('r_STRPOS'),
  position: scalar('r_POSITION'),
  substring: scalar('r_SUBSTRING', [2, 3]),
  substr: scalar('r_SUBSTRING', [2, 3]),
  // Redshift's CONCAT takes exactly two arguments; PostgreSQL's any number
  concat: scalar('r_CONCAT', [2, 2]),
  translate: scalar('r_TRANSLATE'),
  md5: scalar('r_MD5'),
  chr: scalar('r_CHR'),
  // the fourth argument is a position on Redshift but flags on PostgreSQL
  regexp_replace: scalar('REGEXP_REPLACE', [2, 3]),
  // mathematics
  abs: scalar('r_ABS'),
  ceil: scalar('r_CEILING_FLOOR'),
  ceiling: scalar('r_CEILING_FLOOR'),
  floor: scalar('r_FLOOR'),
  round: scalar('r_ROUND'),
  trunc: scalar('r_TRUNC'),
  mod: scalar('r_MOD'),
  power: scalar('r_POWER'),
  sqrt: scalar('r_SQRT'),
  exp: scalar('r_EXP'),
  ln: scalar('r_LN'),
  log: scalar('r_LOG', [1, 1]),
  sign: scalar('r_SIGN'),
};

// Functions that PostgreSQL has and Redshift refuses or runs on the leader node only (which fails once a
// query reads a table), and Redshift's own that the PostgreSQL stand-in lacks.
const LEADER_NODE = 'leader-node only on Redshift: fails once the query reads a table (c_sql-functions-leader-node)';
const UNSUPPORTED = 'not supported by Redshift (c_unsupported-postgresql-functions)';
const NOW = 'pass "now" in as a bind parameter (redshift.md §3.1 rule 1; c_sql-functions-leader-node)';
const NO_ARRAYS = 'Redshift has no arrays (c_unsupported-postgresql-features, c_unsupported-postgresql-functions)';
const NO_JSON = 'no JSON/JSONB in shared SQL: Redshift has SUPER instead (c_unsupported-postgresql-datatypes)';
const REDSHIFT_ONLY = 'Redshift-only: the PostgreSQL stand-in has no such function; put it behind the warehouse interface';

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

// Type names as PostgreSQL's parser writes them (INTEGER is int4, DOUBLE PRECISION float8, …).
export const TYPES: Record<string, string> = {
  int2: 'r_Numeric_types201',
  int4: 'r_Numeric_types201',
  int8: 'r_Numeric_types201',
  numeric: 'r_Numeric_types201',
  float4: 'r_Numeric_types201',
  float8: 'r_Numeric_types201',
  bool: 'r_Boolean_type',
  bpchar: 'r_Character_types',
  varchar: 'r_Character_types',
  date: 'r_Datetime_types',
  timestamp: 'r_Datetime_types',
  timestamptz: 'r_Datetime_types',
  time: 'r_Datetime_types',
  timetz: 'r_Datetime_types',
  // a literal only (INTERVAL '7 days'): never a column type (r_interval_literals)
  interval: 'r_interval_literals',
};

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

// Binary and unary operators (A_Expr of kind AEXPR_OP); LIKE, IN, BETWEEN and NULLIF are node kinds.
export const OPERATORS: Record<string, string> = {
  '=': 'r_comparison_condition',
  '<>': 'r_comparison_condition',
  '<': 'r_comparison_condition',
  '>': 'r_comparison_condition',
  '<=': 'r_comparison_condition',
  '>=': 'r_comparison_condition',
  '+': 'r_arithmetic_operators',
  '-': 'r_arithmetic_operators',
  '*': 'r_arithmetic_operators',
  '/': 'r_arithmetic_operators',
  '%': 'r_arithmetic_operators',
  '||': 'r_concat_op',
  '~': 'pattern-matching-conditions-posix',
  '~*': 'pattern-matching-conditions-posix',
  '!~': 'pattern-matching-conditions-posix',
  '!~*': 'pattern-matching-conditions-posix',
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
