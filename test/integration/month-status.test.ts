// `status`, the month board, the missing-submission digest and the provider chart answer the
// same question ("what does this provider owe for the period, and what came?") and must agree:
// a reprocessed file is replaced by its new answer everywhere; a line with rows counting is in
// an accepted state whatever later files were refused; a file read and then declined is
// DECLINED; and a line the plan sent no members for owes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile, type Ingested } from '../../src/ingest/pipeline.js';
import { checkReprocess } from '../../src/ingest/reprocess.js';
import { respondOverSftp } from '../../src/ingest/respond.js';
import { findMissingSubmissions, EXPECTED_TYPES } from '../../src/reports/missing.js';
import { providerTrend } from '../../src/repositories/board.js';
import { periodStatus } from '../../src/repositories/status.js';
import { reprocessAsRun } from '../../src/runs/manual.js';
import { boardRows, type BoardRow } from '../../src/web/board.js';
import type { Viewer } from '../../src/web/layout.js';
import { rtf, rtfRow } from '../helpers/provider-files.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const OPS: Viewer = { userId: 1, email: 'ops@plan.example', role: 'ops', csrf: '' };
const CV_ROW = { mcpId: 'CV', mcpName: 'CalViva Health', cin: '91000004D', lastName: 'Delta', firstName: 'Dee', clientName: 'Dee Delta' };

async function answer(w: PlanWorld, provider: string, name: string, bytes: Buffer, at: string): Promise<Ingested> {
  const pool = w.db.pool;
  const done = await ingestFile({ pool, config: w.config }, { provider, originalName: name, bytes, receivedAt: new Date(at), source: 'cli' });
  const session = await w.sftp.openSession();
  try {
    await respondOverSftp({ pool, config: w.config }, session, done, null, new Date(at));
  } finally {
    await session.close();
  }
  return done;
}

const statusOf = async (w: PlanWorld, provider: string, type: string) =>
  (await periodStatus(w.db.pool, '2026-11-01', EXPECTED_TYPES)).find((r) => r.provider === provider && r.fileType === type);
const digestOf = async (w: PlanWorld, slot: string, provider: string) =>
  (await findMissingSubmissions(w.db.pool, w.config, slot as `${number}-${number}-${number}`)).find((r) => r.providerCode === provider);
const boardOf = async (w: PlanWorld): Promise<BoardRow[]> => (await boardRows(w.db.pool, OPS, '2026-11', {}, w.config.PLAN_TIME_ZONE)).rows;
const cell = (rows: BoardRow[], provider: string, lob: string, col: string) => rows.find((r) => r.provider === provider && r.lob === lob)?.cells[col];

describe('a file answered again by `reprocess` is replaced by the new answer, not added to', () => {
  let w: PlanWorld;
  beforeAll(async () => {
    w = await openPlanWorld('status-reprocess');
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
  });
  afterAll(() => closePlanWorld(w));

  it('status, board, digest and chart show the reprocessed answer once: accepted, linking to it', async () => {
    const pool = w.db.pool;
    // ACME's CalViva contract loaded late: its one-row CV RTF is rejected, then reprocessed
    await pool.query(`delete from provider_contracts where provider_code = 'ACME' and lob = 'CV'`);
    const first = await answer(w, 'ACME', 'RTF_ACME_202611.xlsx', await rtf([rtfRow(CV_ROW)]), '2026-12-02T17:00:00Z');
    expect(first.document.outcome).toBe('REJECTED');
    await pool.query(`insert into provider_contracts values ('ACME', 'CV', 'ECM')`);
    const c = await checkReprocess(pool, first.submissionId);
    const { result } = await reprocessAsRun({ pool, config: w.config, openSession: () => w.sftp.openSession(), now: () => new Date('2026-12-03T17:00:00Z') }, c, 'contract loaded late');
    const second = result.done.submissionId;
    expect(result.done.document.outcome).toBe('ACCEPTED');

    expect(await statusOf(w, 'ACME', 'RTF')).toMatchObject({
      state: 'ACCEPTED', submissions: 1, outcome: 'ACCEPTED', lastSubmissionId: second, rejectedFiles: 0, declinedFiles: 0,
    });
    const acme = await digestOf(w, '2026-12-06', 'ACME');
    expect(acme).toMatchObject({ missing: ['OTF'], missingLines: [{ type: 'RTF', lob: 'HN' }], rejected: {}, declined: {}, files: [] });
    const board = await boardOf(w);
    expect(cell(board, 'ACME', 'CV', 'RTF')).toMatchObject({ state: 'on-time', count: 1, href: `/submissions/${second}` });
    expect(cell(board, 'ACME', 'CV', 'RTF')!.detail).not.toMatch(/refused/);
    expect(cell(board, 'ACME', 'HN', 'RTF')).toMatchObject({ state: 'missing', count: 1, href: `/submissions/${second}` });
    expect(await providerTrend(pool, 'ACME', '2026-01-01')).toEqual([{ period: '2026-11', accepted: 1, rejected: 0 }]);
  });
});
