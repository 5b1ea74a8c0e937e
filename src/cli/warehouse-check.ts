import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { OperatorError } from '../common/operator-error.js';
import { loadConfig } from '../config/app-config.js';
import { writeOwnerOnly } from '../database/data-dir.js';
import { loadDotEnv } from '../startup.js';
import { runWarehouseCheck } from '../warehouse-check/warehouse-check.js';

// npm run warehouse:check: for the operator's first day. Against the configured WAREHOUSE_URL,
// STAGE_URL and REDSHIFT_IAM_ROLE (or the embedded default), runs the service's load path on a small
// known file in a scratch schema and prints each step; exits 0 only when every step passed.
const USAGE = `Usage: npm run warehouse:check
  Checks the warehouse, the stage and the COPY role of this configuration (the environment and .env)
  in a scratch schema it creates and drops. Exits 0 when every step passed, 1 otherwise.`;

if (process.argv.length > 2) {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
} else {
  try {
    writeOwnerOnly();
    loadDotEnv();
    // the steps print what went wrong; the repository's own warnings would say it twice
    Logger.overrideLogger(['error']);
    const passed = await runWarehouseCheck(loadConfig(process.env), (line) => process.stdout.write(`${line}\n`));
    process.exitCode = passed ? 0 : 1;
  } catch (error) {
    process.stderr.write(`${error instanceof OperatorError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  }
}
