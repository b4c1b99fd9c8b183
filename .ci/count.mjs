// CI's counting step: reads vitest's JSON report and prints the plain closing line
// "N passed, N failed[, N skipped]". Exits non-zero when anything failed, a test file errored,
// nothing ran, the report is missing, or the runner itself exited non-zero (argv[3]): the
// closing line and the exit status never disagree, whatever the runner's own status was.
import fs from 'node:fs';
import process from 'node:process';

const say = (line) => process.stdout.write(`${line}\n`);

const [reportPath, runnerStatusArg] = process.argv.slice(2);
const runnerStatus = Number(runnerStatusArg ?? 0);
let report;
try {
  report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
} catch {
  say('0 passed, 1 failed');
  process.stderr.write(`no test report at ${reportPath}: the test command did not get to run the tests\n`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
let failed = report.numFailedTests ?? 0;
// A test file that fails to load has no failed test of its own: count it as one.
for (const file of report.testResults ?? []) {
  const failedTests = (file.assertionResults ?? []).filter((a) => a.status === 'failed').length;
  if (file.status === 'failed' && failedTests === 0) failed += 1;
}
// Errors outside tests (unhandled rejections, a failing global setup) fail the runner only.
if (failed === 0 && runnerStatus !== 0) failed = 1;
const total = report.numTotalTests ?? 0;
if (total === 0 && failed === 0) failed = 1; // ran no test: not a pass
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
say(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed > 0 || report.success === false ? 1 : 0);
