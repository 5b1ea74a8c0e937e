// The steps of npm run warehouse:check, in order, each with the usual causes of its failure and the AWS
// page to read (the Redshift developer guide, or its management guide for connections).
export const CHECK_STEPS = [
  'connection',
  'session settings',
  'privileges',
  'time zone',
  'scratch schema',
  'stage',
  'copy',
  'merge and rollups',
  'klips',
  'clean-up',
] as const;
export type CheckStep = (typeof CHECK_STEPS)[number];

const DG = 'https://docs.aws.amazon.com/redshift/latest/dg';

export const STEP_HELP: Record<CheckStep, { causes: string; read: string }> = {
  connection: {
    causes:
      'a wrong host, port (Redshift listens on 5439), database, user or password in WAREHOUSE_URL; a password with unencoded # @ / ? %; a paused cluster; a security group or network ACL that does not let this host in; TLS to a DNS alias of your own (use the endpoint name AWS gives)',
    read: 'https://docs.aws.amazon.com/redshift/latest/mgmt/troubleshooting-connections.html',
  },
  'session settings': {
    causes:
      'a connection pooler or proxy between the service and the warehouse that drops session settings; a parameter group that forbids them',
    read: `${DG}/cm_chap_ConfigurationRef.html`,
  },
  privileges: {
    causes:
      'the user lacks CREATE or TEMP on the database (GRANT CREATE, TEMP ON DATABASE …), or schema stg exists and belongs to another user (the service must own it: LOCK, VACUUM and ANALYZE need the owner); see docs/production.md, "the service\'s database user"',
    read: `${DG}/r_GRANT.html`,
  },
  'time zone': {
    causes: "REPORT_TIMEZONE is not in the warehouse's own zone list (SELECT pg_timezone_names();), or spelled in another case",
    read: `${DG}/time-zone-names.html`,
  },
  'scratch schema': {
    causes: 'the user lacks CREATE on the database; a DDL difference of this engine version (the message names the statement)',
    read: `${DG}/r_CREATE_SCHEMA.html`,
  },
  stage: {
    causes:
      "STAGE_URL names a bucket that does not exist or that the service's AWS credentials may not write (s3:PutObject on <prefix>/runs/*); no AWS credentials in the default chain; AWS_REGION is not the bucket's region; S3_ENDPOINT wrong; a local stage folder that is not writable",
    read: `${DG}/t_uploading-data-to-S3.html`,
  },
  copy: {
    causes:
      'Redshift: REDSHIFT_IAM_ROLE not associated with the cluster or namespace, its trust policy not allowing redshift.amazonaws.com, its policy not allowing s3:GetObject and s3:ListBucket on the stage prefix, a bucket in another region (set AWS_REGION), or ASSUMEROLE revoked; PostgreSQL: a column or type of stg.adjust that the staged text does not fit (the message names it)',
    read: `${DG}/copy-parameters-authorization.html`,
  },
  'merge and rollups': {
    causes:
      'a statement this engine version refuses (the message names it), a lock held by another session, the statement timeout (WAREHOUSE_STATEMENT_TIMEOUT)',
    read: `${DG}/merge-replacing-existing-rows.html`,
  },
  klips: {
    causes:
      'a klip statement this engine refuses, or numbers that differ from the known answer (an engine difference in the SQL: report it with this output)',
    read: `${DG}/c_redshift-and-postgres-sql.html`,
  },
  'clean-up': {
    causes:
      'the connection was lost, or the user may not drop what it created; drop the schema and delete the staged files the line names by hand',
    read: `${DG}/r_DROP_SCHEMA.html`,
  },
};

export type StepResult = { step: CheckStep; status: 'passed' | 'failed' | 'skipped'; detail: string };

// Runs the steps one by one, prints each as it ends, and remembers whether all passed.
export class CheckReport {
  readonly results: StepResult[] = [];

  constructor(private readonly print: (line: string) => void) {}

  get passed(): boolean {
    return this.results.length === CHECK_STEPS.length && this.results.every((result) => result.status === 'passed');
  }

  // The step's value, or undefined when it failed (the failure is printed with its causes).
  async step<T>(step: CheckStep, work: () => Promise<{ value: T; detail: string }>): Promise<T | undefined> {
    try {
      const { value, detail } = await work();
      this.record({ step, status: 'passed', detail });
      return value;
    } catch (error) {
      this.record({ step, status: 'failed', detail: (error as Error).message });
      return undefined;
    }
  }

  skip(step: CheckStep, because: string): void {
    this.record({ step, status: 'skipped', detail: `not run: ${because}` });
  }

  summary(): string {
    const passed = this.results.filter((result) => result.status === 'passed').length;
    const failed = this.results.find((result) => result.status === 'failed');
    const verdict = this.passed
      ? 'the warehouse is ready for the service'
      : `fix "${failed?.step ?? 'the first failure'}" first and run it again`;
    return `${passed} of ${CHECK_STEPS.length} steps passed: ${verdict}`;
  }

  private record(result: StepResult): void {
    this.results.push(result);
    const label = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' }[result.status];
    this.print(`  ${label}  ${result.step.padEnd(18)} ${result.detail}`);
    if (result.status !== 'failed') return;
    const help = STEP_HELP[result.step];
    this.print(`        usual causes: ${help.causes}`);
    this.print(`        read: ${help.read}`);
  }
}
