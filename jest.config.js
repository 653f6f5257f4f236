// One runner, three tiers chosen by folder: test/unit (pure rules), test/integration (the real
// app against real MariaDB, Redis, SMTP, SoftHSM2), test/browser (real Chromium).
// test/support/global-setup.ts migrates one schema per jest worker before any test runs.
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(__dirname + '/.swcrc', 'utf8'));
delete swc.$schema;

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/per-file.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // A bound on a hung test, not a speed check (speed is measured by `npm run bench`): the browser
  // walks and the CLI specs start many processes, and a loaded 2-core machine needs the room.
  testTimeout: 120000,
  maxWorkers: process.env.JEST_MAX_WORKERS ? Number(process.env.JEST_MAX_WORKERS) : 2,
};
