import { NO_ARRAYS, NO_JSON } from './refusals.js';

// The node kinds of PostgreSQL's syntax tree (libpg_query's JSON) that SQL shared by both engines may
// hold, with the Redshift page of each; and the ones refused, with why. A kind in neither list is
// refused as unknown: look it up in AWS's SQL reference before adding it here.

export const NODES: Record<string, string> = {
  // statements
  SelectStmt: 'r_SELECT_synopsis',
  InsertStmt: 'r_INSERT_30',
  UpdateStmt: 'r_UPDATE',
  DeleteStmt: 'r_DELETE',
  CreateStmt: 'r_CREATE_TABLE_NEW',
  DropStmt: 'r_DROP_TABLE',
  LockStmt: 'r_LOCK',
  // ALTER TABLE … RENAME TO (a repair's swap)
  RenameStmt: 'r_ALTER_TABLE',
  TransactionStmt: 'r_BEGIN',
  // clauses
  RangeVar: 'r_FROM_clause30',
  RangeSubselect: 'r_FROM_clause30',
  JoinExpr: 'r_FROM_clause30',
  CommonTableExpr: 'r_WITH_clause',
  ResTarget: 'r_SELECT_list',
  SortBy: 'r_ORDER_BY_clause',
  ColumnDef: 'r_CREATE_TABLE_NEW',
  Constraint: 'r_CREATE_TABLE_NEW',
  TableLikeClause: 'r_CREATE_TABLE_NEW',
  List: 'r_DROP_TABLE',
  // expressions
  ColumnRef: 'r_expressions',
  A_Star: 'r_SELECT_list',
  ParamRef: 'r_PREPARE',
  A_Const: 'r_Literals',
  String: 'r_Literals',
  Integer: 'r_Literals',
  A_Expr: 'r_conditions',
  BoolExpr: 'r_logical_condition',
  NullTest: 'r_null_condition',
  SubLink: 'r_subquery_expressions',
  CaseExpr: 'r_CASE_function',
  CaseWhen: 'r_CASE_function',
  CoalesceExpr: 'r_NVL_function',
  MinMaxExpr: 'r_GREATEST_LEAST',
  TypeCast: 'r_CAST_function',
  FuncCall: 'c_SQL_functions',
  SetToDefault: 'r_INSERT_30',
};

const NOT_IN_TRANSACTION = 'commits by itself on Redshift (redshift.md §2.2); Redshift-only maintenance';

export const FORBIDDEN_NODES: Record<string, string> = {
  SQLValueFunction:
    'CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIME…: pass "now" in as a bind parameter (§3.1 rule 1); most are leader-node only (c_sql-functions-leader-node)',
  A_ArrayExpr: NO_ARRAYS,
  A_Indirection: `${NO_ARRAYS} (subscripts)`,
  A_Indices: `${NO_ARRAYS} (subscripts)`,
  RangeFunction: 'functions in FROM are not in Redshift’s FROM grammar (r_FROM_clause30); generate_series and unnest are unsupported',
  IndexStmt: 'Redshift has no indexes (c_unsupported-postgresql-features)',
  CreateSeqStmt: 'Redshift has no sequences (c_unsupported-postgresql-features)',
  AlterSeqStmt: 'Redshift has no sequences (c_unsupported-postgresql-features)',
  CreateFunctionStmt: 'functions are engine-specific; keep them in migrations per engine',
  CreateTrigStmt: 'Redshift has no triggers (c_unsupported-postgresql-features)',
  TruncateStmt: `${NOT_IN_TRANSACTION}; use DELETE`,
  VacuumStmt: NOT_IN_TRANSACTION,
  CopyStmt: 'COPY differs per engine (Redshift reads S3 only: r_COPY); keep it in the engine folders',
  JsonObjectConstructor: NO_JSON,
  JsonArrayConstructor: NO_JSON,
  JsonParseExpr: NO_JSON,
  JsonScalarExpr: NO_JSON,
  JsonFuncExpr: NO_JSON,
  JsonIsPredicate: NO_JSON,
  JsonTable: NO_JSON,
  CollateClause: 'COLLATE differs per engine (r_collation_function)',
  XmlExpr: 'Redshift has no XML (c_unsupported-postgresql-functions)',
  RowExpr: 'row constructors are not in Redshift’s expression grammar (r_expressions)',
  NamedArgExpr: 'named arguments (name => value) are PostgreSQL-only',
  NotifyStmt: 'Redshift has no LISTEN/NOTIFY (c_unsupported-postgresql-features)',
  ListenStmt: 'Redshift has no LISTEN/NOTIFY (c_unsupported-postgresql-features)',
};

// A_Expr kinds (AEXPR_OP is checked against OPERATORS).
export const EXPRESSION_KINDS: Record<string, string> = {
  AEXPR_OP: 'r_comparison_condition',
  AEXPR_IN: 'r_in_condition',
  AEXPR_LIKE: 'r_patternmatching_condition_like',
  AEXPR_ILIKE: 'r_patternmatching_condition_like',
  AEXPR_NULLIF: 'r_NULLIF_function',
  AEXPR_BETWEEN: 'r_range_condition',
  AEXPR_NOT_BETWEEN: 'r_range_condition',
};

export const FORBIDDEN_EXPRESSION_KINDS: Record<string, [construct: string, why: string]> = {
  AEXPR_OP_ANY: ['ANY(…)/ALL(…) of an array', `${NO_ARRAYS}; write IN (…) with one parameter per value`],
  AEXPR_OP_ALL: ['ANY(…)/ALL(…) of an array', `${NO_ARRAYS}; write IN (…) with one parameter per value`],
  AEXPR_DISTINCT: ['IS DISTINCT FROM', 'unsupported (c_unsupported-postgresql-functions); write a COALESCE/CASE comparison'],
  AEXPR_NOT_DISTINCT: ['IS DISTINCT FROM', 'unsupported (c_unsupported-postgresql-functions); write a COALESCE/CASE comparison'],
};

// SubLink kinds: IN (SELECT …), EXISTS, = ANY (SELECT …) and scalar subqueries are Redshift's.
export const SUBLINK_KINDS = new Set(['EXISTS_SUBLINK', 'ANY_SUBLINK', 'ALL_SUBLINK', 'EXPR_SUBLINK']);

// Constraint kinds of CREATE TABLE: PRIMARY KEY, UNIQUE and REFERENCES are informational on Redshift.
export const CONSTRAINT_KINDS = new Set([
  'CONSTR_NULL',
  'CONSTR_NOTNULL',
  'CONSTR_DEFAULT',
  'CONSTR_PRIMARY',
  'CONSTR_UNIQUE',
  'CONSTR_FOREIGN',
]);

export const TRANSACTION_KINDS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START', 'TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK']);

// The window frame bits of PostgreSQL's parsenodes.h (FRAMEOPTION_*).
export const FRAME = {
  nondefault: 0x1,
  range: 0x2,
  rows: 0x4,
  groups: 0x8,
  exclude: 0x8000 | 0x10000 | 0x20000,
};
