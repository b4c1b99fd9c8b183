// Every workbook the service writes says, in its own properties, when it was made on the clock
// of the run that made it (one clock, injected): a response, the liaison's digest. A replayed or
// late run's workbook must not carry the machine's date instead (the outbound files' own test is
// in outbound-year.test.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { missingSubmissionDigest } from '../../src/reports/missing.js';
import { notificationAttachments } from '../../src/repositories/notifications.js';
import { enrolledRow, rtf } from '../helpers/provider-files.js';
import { OPENPYXL } from '../helpers/workbook.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;

beforeAll(async () => {
  w = await openPlanWorld('workbook-created');
});
afterAll(() => closePlanWorld(w));

/** The workbook's created time as openpyxl reads it (UTC, no zone). */
function createdOf(bytes: Buffer, name: string): string {
  const file = path.join(w.dataDir, name);
  fs.writeFileSync(file, bytes);
  return execFileSync(OPENPYXL, ['-c', 'import sys, openpyxl; print(openpyxl.load_workbook(sys.argv[1]).properties.created.isoformat())', file], { encoding: 'utf8' }).trim();
}

describe("a workbook's created time is its run's clock", () => {
  it('the response to an upload', async () => {
    const at = new Date('2026-12-02T17:05:00Z');
    const done = await ingestFile({ pool: w.db.pool, config: w.config, now: () => at }, {
      provider: 'ACME', originalName: 'RTF_ACME_202611.xlsx', bytes: await rtf([enrolledRow()]), receivedAt: new Date('2026-12-02T17:00:00Z'), source: 'cli',
    });
    expect(createdOf(done.response.bytes, 'response.xlsx')).toBe('2026-12-02T17:05:00');
  });

  it("the liaison's missing-submission digest", async () => {
    // November's MIFs make the RTFs owed; none came by the 10th
    await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
    const r = await missingSubmissionDigest(w.db.pool, w.config, '2026-12-11', new Date('2026-12-11T16:00:00Z'));
    expect(r.digests).toBeGreaterThan(0);
    const id = (await w.db.pool.query<{ id: string }>(`select id from notifications where kind = 'missing-submissions' order by id limit 1`)).rows[0]!.id;
    const [attachment] = await notificationAttachments(w.db.pool, Number(id));
    expect(createdOf(attachment!.content, 'digest.xlsx')).toBe('2026-12-11T16:00:00');
  });
});
