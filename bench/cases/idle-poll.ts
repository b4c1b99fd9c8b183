// Case E: one poll over 500 provider folders with nothing to take, on one sFTP session.
// Two polls: the first lists every folder for the first time (poll state created), the second
// is the steady state of the scheduler's every-five-minutes poll.
import { pollOnce } from '../../src/ingest/poll.js';
import { caseArgs, runCase, timed } from '../lib/child.js';
import { productDeps, type SftpArgs } from '../lib/sftp.js';

runCase(async () => {
  const a = caseArgs<{ url: string; dataDir: string; sftp: SftpArgs }>();
  const deps = productDeps(a);
  const { pool } = deps;
  try {
    const first = await timed(() => pollOnce(deps, { now: new Date('2026-12-03T18:00:00Z') }));
    const second = await timed(() => pollOnce(deps, { now: new Date('2026-12-03T18:05:00Z') }));
    for (const r of [first.value, second.value])
      if (r.providers !== 500 || r.failedProviders || r.files) throw new Error(`idle poll: ${JSON.stringify({ ...r, byProvider: undefined })}`);
    return { rows: second.value.providers, seconds: Math.max(first.seconds, second.seconds), cpuSeconds: Math.max(first.cpuSeconds, second.cpuSeconds), extra: { firstPollSeconds: first.seconds, steadyPollSeconds: second.seconds } };
  } finally {
    await pool.end();
  }
});
