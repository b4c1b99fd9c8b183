// Case G: a month-start burst. One or two schedulers (the real command, `scheduler --jobs poll`
// with default POLL_CRON, SFTP_STABLE_SECONDS and POLL_RECHECK, each its own process) run
// against the bench's sFTP server and Postgres; once they are up, every burst provider uploads
// its RTF and its OTF in the same few seconds (each a temporary name renamed when complete).
// Measured: from the end of the last upload until the last response is in its provider's
// downloads/. Then checked in the database: every file answered once (one submission,
// RESPONDED, one response, moved once), and how the work was shared between the schedulers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { caseArgs, runCase } from '../lib/child.js';
import type { SftpArgs } from '../lib/sftp.js';

interface Args { url: string; dataDir: string; sftp: SftpArgs; sftpRoot: string; uploads: { code: string; files: string[] }[]; schedulers: number }

runCase(async () => {
  const a = caseArgs<Args>();
  const providers = a.uploads.map((u) => u.code);
  const pool = new pg.Pool({ connectionString: a.url, max: 2 });
  const schedulers: { child: ChildProcess; exited: Promise<number | null>; stderr: () => string }[] = [];
  for (let i = 0; i < a.schedulers; i++) {
    const child = spawn(process.execPath, ['bin/calaim-exchange.js', 'scheduler', '--jobs', 'poll', '--now', '2026-12-03T18:00:00Z'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env, DATABASE_URL: a.url, DATA_DIR: path.join(a.dataDir, `scheduler${i}`), LOG_LEVEL: 'warn', HEALTH_PORT: 'off',
        SFTP_HOST: a.sftp.host, SFTP_PORT: String(a.sftp.port), SFTP_USER: a.sftp.username, SFTP_PASSWORD: a.sftp.password, SFTP_HOST_KEY_SHA256: a.sftp.hostKeySha256,
      },
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    schedulers.push({ child, exited: new Promise((resolve) => child.on('close', resolve)), stderr: () => stderr });
  }
  const alive = () => {
    const dead = schedulers.find((s) => s.child.exitCode !== null);
    if (dead) throw new Error(`a scheduler exited: ${dead.stderr()}`);
  };
  const responses = (code: string) => fs.readdirSync(path.join(a.sftpRoot, code, 'downloads')).filter((f) => f.includes('_RESPONSE_')).length;
  try {
    // up: the start-up poll is in the run ledger (one scheduler's; the other found its minute taken)
    for (;;) {
      const r = await pool.query(`select 1 from runs where job = 'poll' and status = 'SUCCEEDED' limit 1`).catch(() => ({ rowCount: 0 }));
      if (r.rowCount) break;
      alive();
      await sleep(200);
    }
    await sleep(5000); // every scheduler past its start-up (module loading, its own start-up poll)
    alive();
    // The same moment of the cron minute for every run: the uploads end a few seconds before a
    // fire, so each run waits alike for the first listing and the stability window.
    const msToMinute = 60_000 - (Date.now() % 60_000);
    await sleep((msToMinute + 60_000 - 10_000) % 60_000);
    const t0 = performance.now();
    for (const { code, files } of a.uploads) {
      const uploads = path.join(a.sftpRoot, code, 'uploads');
      for (const file of files) {
        const name = path.basename(file);
        fs.copyFileSync(file, path.join(uploads, `.${name}.part`));
        fs.renameSync(path.join(uploads, `.${name}.part`), path.join(uploads, name));
      }
    }
    const uploaded = performance.now();
    const expected = 2; // an RTF and an OTF each
    let first: number | undefined;
    for (;;) {
      const done = providers.filter((code) => responses(code) >= expected).length;
      if (first === undefined && providers.some((code) => responses(code) > 0)) first = performance.now();
      if (done === providers.length) break;
      alive();
      if (performance.now() - uploaded > 30 * 60_000) throw new Error(`after 30 minutes ${done} of ${providers.length} providers answered`);
      await sleep(250);
    }
    const seconds = (performance.now() - uploaded) / 1000;

    // each file processed once, answered once, all of them RESPONDED. A response is in
    // downloads/ before its email is queued, its upload moved and its submission marked
    // RESPONDED: the last file's poll finishes those steps after the loop above has seen it.
    const want = providers.length * expected;
    const count = async () => (await pool.query<{ n: number; files: number; responded: number; accepted: number; rejected: number; read: number }>(
      `select count(*)::int n, count(distinct (provider_code, original_name))::int files, count(*) filter (where state = 'RESPONDED')::int responded,
              coalesce(sum(rows_accepted), 0)::int accepted, coalesce(sum(rows_rejected), 0)::int rejected, coalesce(sum(rows_read), 0)::int read
         from submissions where provider_code like 'BURST%'`)).rows[0]!;
    let subs = await count();
    for (const end = performance.now() + 120_000; subs.responded < want && performance.now() < end; subs = await count()) {
      alive();
      await sleep(250);
    }
    if (subs.n !== want || subs.files !== want || subs.responded !== want) throw new Error(`expected ${want} files answered once: ${JSON.stringify(subs)}`);
    for (const code of providers) {
      const moved = ['processed', 'failed'].flatMap((d) => (fs.existsSync(path.join(a.sftpRoot, code, 'uploads', d)) ? fs.readdirSync(path.join(a.sftpRoot, code, 'uploads', d)) : []));
      if (moved.length !== expected || responses(code) !== expected) throw new Error(`${code}: ${moved.length} moved, ${responses(code)} responses`);
    }
    const outcomes = Object.fromEntries((await pool.query<{ outcome: string; n: number }>(`select outcome, count(*)::int n from submissions where provider_code like 'BURST%' group by 1 order by 1`)).rows.map((r) => [r.outcome, r.n]));
    // the share of each scheduler: files its polls processed, from the run ledger (a poll
    // records its counts when it ends, shortly after its last response)
    const shares = () => pool.query<{ files: number }>(
      `select coalesce(sum((counts->>'files')::int), 0)::int files from runs where job = 'poll' group by owner order by 1 desc`).then((r) => r.rows.map((x) => x.files));
    let byOwner = await shares();
    for (const end = performance.now() + 120_000; byOwner.reduce((x, y) => x + y, 0) < want && performance.now() < end; byOwner = await shares()) await sleep(500);
    return {
      rows: subs.read,
      seconds,
      extra: {
        providers: providers.length, schedulers: a.schedulers, files: want, rowsAccepted: subs.accepted, rowsRejected: subs.rejected, outcomes,
        filesPerScheduler: byOwner, filesPerSecond: Math.round((want / seconds) * 100) / 100,
        secondsToFirstResponse: first === undefined ? null : Math.round((first - uploaded) / 10) / 100,
        uploadSeconds: Math.round((uploaded - t0) / 10) / 100,
      },
    };
  } finally {
    for (const s of schedulers) s.child.kill('SIGTERM');
    await Promise.all(schedulers.map((s) => s.exited));
    await pool.end();
  }
});
