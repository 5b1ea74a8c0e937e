/**
 * Jest runs the TypeScript sources as ES modules through ts-jest (NestJS 12 is ESM-only).
 *
 * Four tiers, one project each (`npm run test:<tier>`; `npm test` runs them all):
 * - unit: pure logic, with recording fakes where code talks to the outside; no server, no build needed;
 * - medium: SQL on a real PostgreSQL, S3 on a real S3-protocol server, Prometheus's promtool;
 * - e2e: the whole application over HTTP, and its command-line tools as processes;
 * - browser: the dashboard page in Debian's Chromium.
 * The three outer tiers share one PostgreSQL server for the run (test/support/global-setup.mjs).
 */
const typescript = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }] },
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-logs.ts'],
};

const withPostgres = {
  ...typescript,
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
};

export default {
  testTimeout: 60_000,
  maxWorkers: 2,
  // each test file loads the application anew and a worker keeps every file's modules: past this size a
  // worker is replaced between files, before its garbage collection costs more than the tests
  workerIdleMemoryLimit: '1GB',
  projects: [
    { ...typescript, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...withPostgres, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.spec.ts', '<rootDir>/test/ops/**/*.spec.ts'] },
    { ...withPostgres, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
    { ...withPostgres, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'] },
  ],
};
