// One Jest run covers unit tests (libs/**/*.spec.ts, pure logic) and e2e tests
// (test/**/*.e2e-spec.ts, the real Nest app over HTTP against a real PostgreSQL
// and a real queue backend). The global setup starts the embedded PostgreSQL
// unless DATABASE_URL is set, and builds a migrated template database that each
// e2e file clones into a database of its own.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', require('./scripts/swc-options.cjs')],
  },
  // Nest 12 and a few of its dependencies ship ESM only; Jest compiles them.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|file-type|load-esm|strtok3|token-types|@tokenizer|uint8array-extras|@borewit)/)'],
  moduleNameMapper: {
    '^#libs/(.*)$': '<rootDir>/libs/$1/src',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // A test file fails on an unhandled rejection or uncaught exception (see the file).
  setupFilesAfterEnv: ['<rootDir>/test/support/no-unhandled-errors.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
