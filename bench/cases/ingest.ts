// Case B: the full ingest of the same file through the product path. The file is already in
// the provider's uploads/ folder on the sFTP server (served by the bench's parent process, as
// a remote server would be); `pollOnce` runs twice a minute apart (the stability check): the
// first listing only sees the file, the second takes it: download → parse → validate with the
// database context → stage and apply to Postgres → response workbook → publish → move. Its
// details give the download alone (the same bytes downloaded and hashed again, untimed).
import { pollOnce } from '../../src/ingest/poll.js';
import { caseArgs, runCase, timed } from '../lib/child.js';
import { productDeps, type SftpArgs } from '../lib/sftp.js';

interface Args { url: string; dataDir: string; sftp: SftpArgs; now: string }

runCase(async () => {
  const a = caseArgs<Args>();
  const deps = productDeps(a, { SFTP_STABLE_SECONDS: '0' });
  const { pool } = deps;
  const at = new Date(a.now);
  try {
    const first = await timed(() => pollOnce(deps, { now: new Date(at.getTime() - 60_000) }));
    if (first.value.files !== 0) throw new Error('the first listing must only see the file');
    const taking = await timed(() => pollOnce(deps, { now: at }));
    const r = taking.value.results[0];
    if (!r || r.error || taking.value.files !== 1) throw new Error(`ingest failed: ${JSON.stringify(taking.value.results)}`);
    const counts = (await pool.query(`select count(*)::int n from ecm_assignment_changes`)).rows[0] as { n: number };
    // (untimed) the upload's bytes downloaded and hashed again, as the taking poll does first
    const session = await deps.openSession();
    const download = await timed(() => session.download(r.movedTo!, { maxBytes: deps.config.MAX_FILE_BYTES })).finally(() => session.close());
    return {
      rows: r.rowsRead ?? 0,
      seconds: taking.seconds,
      cpuSeconds: taking.cpuSeconds,
      extra: {
        listingPollSeconds: first.seconds, outcome: r.outcome, verdict: r.verdict, rowsAccepted: r.rowsAccepted, rowsRejected: r.rowsRejected,
        assignmentsChanged: counts.n, response: r.response, movedTo: r.movedTo, downloadSeconds: Math.round(download.seconds * 1000) / 1000,
      },
    };
  } finally {
    await pool.end();
  }
});
