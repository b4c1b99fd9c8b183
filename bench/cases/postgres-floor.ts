// Case B0, the Postgres floor under B: run on B's database once B's ingest is done, it times the
// work an ingest's one transaction cannot avoid, on one connection as the ingest has: the
// upload's bytes stored, every row of the file staged (the same COPY lines B wrote, in one COPY
// instead of fifty), and one new version of each of the provider's assignments (a bare update:
// no values to convert, no lineage, no merge, no member contacts), then the commit. No
// parsing, no validation, no response: whatever the Node side did, B could not be faster than
// this on the machine.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { putBlob } from '../../src/db/blobs.js';
import { stageRows } from '../../src/repositories/submission-store.js';
import { caseArgs, runCase, timed } from '../lib/child.js';

interface Args { url: string; file: string; provider: string }

runCase(async () => {
  const a = caseArgs<Args>();
  const pool = new pg.Pool({ connectionString: a.url, max: 1 });
  const c = await pool.connect();
  try {
    // as B found its database: B's own dead row versions vacuumed away (untimed)
    await c.query('vacuum ecm_assignments, submission_rows');
    const sheet = (await c.query<{ id: string; submission_id: string }>(
      `select s.id, s.submission_id from submission_sheets s join submissions u on u.id = s.submission_id where u.provider_code = $1 and s.layout = 'RTF' order by s.id desc limit 1`, [a.provider],
    )).rows[0];
    if (!sheet) throw new Error('B0 runs on the database of a finished B: no staged sheet found');
    // Another copy of the upload (random bytes of its size: a new hash, so really stored)
    const bytes = randomBytes(fs.statSync(a.file).size);

    await c.query('begin');
    const copy = await c.query<{ id: string }>(
      `insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, columns)
       select submission_id, sheet_name || ' (floor)', layout, provider_code, period, columns from submission_sheets where id = $1 returning id`, [sheet.id],
    );
    const newSheet = Number(copy.rows[0]!.id);
    // B's staged rows as COPY text lines, re-addressed to the new sheet (untimed)
    const chunks: Buffer[] = [];
    const out = c.query(copyTo(`copy (select ${newSheet}::bigint, row_number, cin, service_code, accepted, data from submission_rows where sheet_id = ${Number(sheet.id)} order by row_number) to stdout`));
    out.on('data', (b: Buffer) => chunks.push(b));
    await finished(out);
    const lines = Buffer.concat(chunks);
    const rows = out.rowCount;

    const blob = await timed(() => putBlob(c, bytes));
    const staged = await timed(() => stageRows(c, lines));
    const updated = await timed(() => c.query(`update ecm_assignments set updated_at = now() where provider_code = $1`, [a.provider]));
    const committed = await timed(() => c.query('commit'));
    const seconds = blob.seconds + staged.seconds + updated.seconds + committed.seconds;
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      rows,
      seconds,
      extra: {
        storeUploadSeconds: r3(blob.seconds), uploadBytes: bytes.length, stageRowsSeconds: r3(staged.seconds), stagedBytes: lines.length,
        updateAssignmentsSeconds: r3(updated.seconds), assignmentsUpdated: updated.value.rowCount, commitSeconds: r3(committed.seconds),
      },
    };
  } finally {
    c.release();
    await pool.end();
  }
});
