import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CALAIM_TEST_INCLUDE lets the test-gate regression test run a fixture that fails on purpose
    // through this very configuration (global setup included); nothing else sets it.
    include: [process.env.CALAIM_TEST_INCLUDE ?? 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/deprecations.ts'],
    // Two cores: integration files each get their own database, but run two at a time.
    maxWorkers: 2,
    // Generous on purpose: a busy 2-core machine may be several times slower than an idle one.
    // Tests wait for signals (a row, a file, a log line), never for time; these only catch hangs.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default'],
    // HEALTH_PORT 0: schedulers the tests start (several at once) each take a free port instead
    // of all wanting the default one; a test that needs a known port sets its own.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', HEALTH_PORT: process.env.HEALTH_PORT ?? '0' },
  },
});
