// What SQL that runs on both engines may use: the part of PostgreSQL's syntax tree that Amazon Redshift
// also runs on its compute nodes. Each entry names its page of AWS's Redshift Database Developer Guide
// (https://docs.aws.amazon.com/redshift/latest/dg/<page>.html). Anything not listed is refused (with
// the reason of refusals.ts when it has one): to use it, find its page and add it here.

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
