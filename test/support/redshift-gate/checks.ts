import { FUNCTIONS, type FunctionRule, OPERATORS, TYPES } from './allow-list.js';
import { FORBIDDEN_FUNCTIONS, FORBIDDEN_OPERATORS, FORBIDDEN_PREFIXES, FORBIDDEN_TYPES } from './refusals.js';
import { CONSTRAINT_KINDS, EXPRESSION_KINDS, FORBIDDEN_EXPRESSION_KINDS, FRAME, SUBLINK_KINDS, TRANSACTION_KINDS } from './nodes.js';

// The checks of one node kind, beyond its being allowed at all: its clauses, functions, types and
// operators. `report` takes the construct, why it is refused, and optionally a byte offset.
export type Report = (construct: string, why: string, location?: number) => void;
type Node = Record<string, unknown>;
type Check = (node: Node, report: Report) => void;

const NOT_LISTED = "is not on the gate's allow-list: find it in AWS's SQL reference and add it to allow-list.ts with its page";
const NO_RETURNING = 'Redshift’s INSERT, UPDATE and DELETE have no RETURNING (r_INSERT_30, r_UPDATE, r_DELETE)';

export const CHECKS: Record<string, Check> = {
  SelectStmt: (node, report) => {
    const distinct = (node.distinctClause as unknown[] | undefined) ?? [];
    if (distinct.some((item) => Object.keys(item as object).length > 0))
      report('DISTINCT ON', 'not supported by Redshift: use ROW_NUMBER() … = 1 in a subquery (§3.1 rule 5)');
    if (node.lockingClause) report('FOR UPDATE/SHARE', 'Redshift has no row locks (r_SELECT_synopsis)');
    if (node.windowClause) report('WINDOW clause', 'named windows are not in r_SELECT_synopsis: write OVER (…) in full');
    if (node.limitOption === 'LIMIT_OPTION_WITH_TIES') report('FETCH … WITH TIES', 'not in r_SELECT_synopsis');
    if (node.groupDistinct) report('GROUP BY DISTINCT', 'not in r_GROUP_BY_clause');
  },
  InsertStmt: (node, report) => {
    if (node.onConflictClause) report('ON CONFLICT', 'Redshift’s INSERT has no ON CONFLICT (r_INSERT_30): delete, then insert');
    if (node.returningClause) report('RETURNING', NO_RETURNING);
    if (node.withClause) report('WITH … INSERT', 'Redshift takes WITH inside INSERT’s query only: INSERT … WITH … SELECT (r_INSERT_30)');
    if (node.override !== 'OVERRIDING_NOT_SET') report('OVERRIDING', 'not in r_INSERT_30');
  },
  UpdateStmt: (node, report) => {
    if (node.returningClause) report('RETURNING', NO_RETURNING);
  },
  DeleteStmt: (node, report) => {
    if (node.returningClause) report('RETURNING', NO_RETURNING);
  },
  CommonTableExpr: (node, report) => {
    if (node.ctematerialized !== 'CTEMaterializeDefault') report('AS MATERIALIZED', 'PostgreSQL-only CTE hint (r_WITH_clause)');
    const query = node.ctequery as Node;
    if (!query.SelectStmt) report('data-modifying CTE', 'a CTE is a SELECT on Redshift (r_WITH_clause)');
    else if ((query.SelectStmt as Node).withClause) report('nested WITH', 'a CTE cannot hold its own WITH on Redshift (r_WITH_clause)');
    if (node.search_clause || node.cycle_clause) report('SEARCH/CYCLE', 'not in r_WITH_clause');
  },
  RangeSubselect: (node, report) => {
    if (node.lateral) report('LATERAL', 'not in Redshift’s FROM grammar (r_FROM_clause30; §3.1 rule 9)');
  },
  SortBy: (node, report) => {
    if (node.useOp) report('ORDER BY … USING', 'not in r_ORDER_BY_clause');
  },
  FuncCall: checkFunction,
  TypeCast: (node, report) => checkType(node.typeName as Node, 'cast', report),
  ColumnDef: (node, report) => {
    checkType(node.typeName as Node, 'column', report);
    if (node.collClause) report('COLLATE', 'COLLATE differs per engine (r_collation_function)');
  },
  Constraint: (node, report) => {
    const kind = String(node.contype);
    if (kind === 'CONSTR_IDENTITY' || kind === 'CONSTR_GENERATED')
      report('IDENTITY/GENERATED column', 'Redshift’s IDENTITY(seed, step) is Redshift-only DDL (r_CREATE_TABLE_NEW)');
    else if (!CONSTRAINT_KINDS.has(kind)) report(`constraint ${kind}`, 'Redshift has no such constraint (r_CREATE_TABLE_NEW)');
  },
  CreateStmt: (node, report) => {
    if (node.oncommit !== 'ONCOMMIT_NOOP')
      report('ON COMMIT', 'temporary-table ON COMMIT actions are PostgreSQL-only (r_CREATE_TABLE_NEW)');
    if (node.relation && (node.relation as Node).relpersistence === 'u') report('UNLOGGED', 'not in r_CREATE_TABLE_NEW');
    for (const clause of ['options', 'partspec', 'inhRelations', 'tablespacename', 'accessMethod'])
      if (node[clause]) report(`CREATE TABLE … ${clause}`, 'PostgreSQL-only table option; table design is per-engine DDL (§3.1 rule 13)');
  },
  DropStmt: (node, report) => {
    if (node.removeType !== 'OBJECT_TABLE')
      report(`DROP ${String(node.removeType).replace('OBJECT_', '')}`, 'only DROP TABLE is on the allow-list');
  },
  // LOCK … IN … MODE is found in the tokens (gate.ts): the tree reads IN ACCESS EXCLUSIVE MODE as plain LOCK
  LockStmt: (node, report) => {
    if (node.nowait) report('LOCK … NOWAIT', 'not in r_LOCK');
  },
  TransactionStmt: (node, report) => {
    if (!TRANSACTION_KINDS.has(String(node.kind)))
      report(String(node.kind), 'Redshift has no savepoints or two-phase commit (c_unsupported-postgresql-features)');
    if (node.options) report('transaction options', 'isolation levels and modes differ per engine (r_BEGIN)');
  },
  A_Expr: (node, report) => {
    const kind = String(node.kind);
    const forbidden = FORBIDDEN_EXPRESSION_KINDS[kind];
    if (forbidden) report(forbidden[0], forbidden[1]);
    else if (!EXPRESSION_KINDS[kind]) report(kind, `${kind} ${NOT_LISTED}`);
    else if (kind === 'AEXPR_OP') checkOperator(names(node.name), report);
  },
  SubLink: (node, report) => {
    const kind = String(node.subLinkType);
    if (kind === 'ARRAY_SUBLINK') report('ARRAY(SELECT …)', 'Redshift has no arrays (c_unsupported-postgresql-features)');
    else if (!SUBLINK_KINDS.has(kind)) report(kind, `${kind} ${NOT_LISTED}`);
  },
  A_Const: (node, report) => {
    if (node.bsval) report('bit string', 'Redshift has no bit strings (c_unsupported-postgresql-datatypes)');
  },
};

function checkFunction(node: Node, report: Report): void {
  const parts = names(node.funcname);
  if (parts.length > 1) return report(`${parts.join('.')}()`, 'schema-qualified functions are engine-specific');
  const name = parts[0];
  if (node.agg_filter)
    report('FILTER (WHERE …)', 'Redshift has no aggregate FILTER: use SUM(CASE …) or COUNT(DISTINCT CASE …) (§3.1 rule 4)');
  if (node.agg_order) report('ORDER BY inside an aggregate', 'not in Redshift’s aggregate syntax (c_Aggregate_Functions)');
  if (node.func_variadic) report('VARIADIC', 'PostgreSQL-only call syntax');
  const forbidden = FORBIDDEN_FUNCTIONS[name] ?? FORBIDDEN_PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1];
  if (forbidden) return report(`${name}()`, forbidden);
  const rule = FUNCTIONS[name];
  if (!rule) return report(`${name}()`, `${name}() ${NOT_LISTED}`);
  const args = ((node.args as unknown[] | undefined) ?? []).length;
  if (rule.args && (args < rule.args[0] || args > rule.args[1]))
    report(`${name}() with ${args} arguments`, `Redshift’s ${name.toUpperCase()} takes ${rule.args.join(' to ')} (${rule.page})`);
  if (Boolean(node.agg_within_group) !== Boolean(rule.withinGroup))
    report(
      `${name}() WITHIN GROUP`,
      `${name.toUpperCase()} is called ${rule.withinGroup ? 'with' : 'without'} WITHIN GROUP (${rule.page})`,
    );
  if (node.over) checkWindow(name, rule, node, report);
}

function checkWindow(name: string, rule: FunctionRule, node: Node, report: Report): void {
  const over = node.over as Node;
  if (!rule.window) return report(`${name}() OVER`, `${name.toUpperCase()} is not a window function on Redshift (c_Window_functions)`);
  if (node.agg_distinct) report('DISTINCT window aggregate', 'COUNT(DISTINCT …) OVER runs on neither engine (r_WF_COUNT)');
  if (over.refname || over.name) report('named window', 'named windows are not in c_Window_functions: write OVER (…) in full');
  const frame = Number(over.frameOptions ?? 0);
  const explicit = (frame & FRAME.nondefault) !== 0;
  if (explicit && (frame & (FRAME.range | FRAME.groups)) !== 0)
    report('RANGE/GROUPS frame', 'Redshift has ROWS frames only (c_Window_functions)');
  if ((frame & FRAME.exclude) !== 0) report('frame EXCLUDE', 'not in c_Window_functions');
  if (rule.window === 'no-frame' && explicit)
    report('frame on a ranking function', `Redshift’s ${name.toUpperCase()} takes no frame clause (${rule.page})`);
  const ordered = ((over.orderClause as unknown[] | undefined) ?? []).length > 0;
  if (rule.window === 'frame' && ordered && !(explicit && (frame & FRAME.rows) !== 0))
    report(
      'window ORDER BY without a ROWS frame',
      'Redshift requires the frame, and PostgreSQL’s default is RANGE (c_Window_functions; §3.1 rule 6)',
    );
}

function checkType(typeName: Node, use: 'cast' | 'column', report: Report): void {
  const parts = names(typeName.names);
  const name = parts.at(-1)!;
  const label = parts.join('.').toUpperCase();
  if (typeName.arrayBounds) report('array type', `${label}[]: Redshift has no arrays (c_unsupported-postgresql-datatypes)`);
  if (parts.length > 1) return report(`${label} type`, 'schema-qualified types are engine-specific');
  if (FORBIDDEN_TYPES[name]) return report(`${label} type`, FORBIDDEN_TYPES[name]);
  if (!TYPES[name]) return report(`${label} type`, `${label} ${NOT_LISTED}`);
  if (name === 'interval' && use === 'column')
    report('INTERVAL column', 'INTERVAL cannot be a column type on Redshift (r_interval_literals)');
  const lengths = ((typeName.typmods as Node[] | undefined) ?? []).map(integerConstant);
  if (name === 'varchar' && use === 'column' && lengths.length === 0)
    report(
      'VARCHAR without a length',
      'VARCHAR is VARCHAR(256) on Redshift and unbounded on PostgreSQL: give the length in bytes (r_Character_types)',
    );
  if ((name === 'varchar' || name === 'bpchar') && lengths.some((length) => length > 65535))
    report(`${label} longer than 65535`, 'Redshift’s character types hold at most 65535 bytes (r_Character_types)');
  if (name === 'numeric' && lengths.some((precision, i) => i === 0 && precision > 38))
    report('NUMERIC precision over 38', 'Redshift’s DECIMAL holds at most 38 digits (r_Numeric_types201)');
}

function checkOperator(parts: string[], report: Report): void {
  const operator = parts.at(-1)!;
  if (parts.length > 1) report(`OPERATOR(${parts.join('.')})`, 'schema-qualified operators are PostgreSQL-only');
  else if (FORBIDDEN_OPERATORS[operator]) report(`operator ${operator}`, FORBIDDEN_OPERATORS[operator]);
  else if (!OPERATORS[operator]) report(`operator ${operator}`, `${operator} ${NOT_LISTED}`);
}

function integerConstant(node: Node): number {
  const constant = node.A_Const as Node | undefined;
  return Number((constant?.ival as Node | undefined)?.ival ?? Number.NaN);
}

// The names of a qualified name list ([{String: {sval}}]), without PostgreSQL's implicit pg_catalog.
function names(list: unknown): string[] {
  const parts = ((list as Node[] | undefined) ?? []).map((item) => String((item.String as Node | undefined)?.sval ?? ''));
  return parts[0] === 'pg_catalog' && parts.length > 1 ? parts.slice(1) : parts;
}
