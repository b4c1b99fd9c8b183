// The missing-submission digest counts files as the database has them: one workbook carrying an
// RTF and an OTF tab (as real providers send them) is one declined or rejected file, not two,
// in the email body and in the attachment's columns; its detail still names both types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTF, RTF } from '../../schemas/index.js';
import { generate } from '../../src/generate/run.js';
import { digestSheets, digestTableLine, findMissingSubmissions } from '../../src/reports/missing.js';
import { otfRow, rtfRow, workbook } from '../helpers/provider-files.js';
import { answerUpload, closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('digest-counts');
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, w.deps);
});
afterAll(() => closePlanWorld(w));

describe('missing-submission digest counts', () => {
  it('an RTF + OTF workbook declined on the 11th and one rejected whole: one file each, as in submissions', async () => {
    const late = await answerUpload(w, 'ACME', 'RTF_OTF_ACME_202611.xlsx', await workbook([[RTF, [rtfRow()]], [OTF, [otfRow()]]]), '2026-12-11T17:00:00Z');
    expect(late.document.verdict).toBe('DECLINED_LATE');
    const bad = await answerUpload(w, 'ACME', 'RTF_OTF_ACME_202611_b.xlsx', await workbook([[RTF, [rtfRow({ ecmStatus: '9' })]], [OTF, [otfRow({ cin: 'X' })]]]), '2026-12-03T17:00:00Z');
    expect(bad.document.outcome).toBe('REJECTED');
    const db = (await w.db.pool.query(`select count(*) filter (where verdict = 'DECLINED_LATE')::int declined, count(*) filter (where outcome = 'REJECTED' and verdict is distinct from 'DECLINED_LATE')::int rejected
      from submissions where provider_code = 'ACME'`)).rows[0];
    expect(db).toEqual({ declined: 1, rejected: 1 });

    const acme = (await findMissingSubmissions(w.db.pool, w.config, '2026-12-11')).find((r) => r.providerCode === 'ACME')!;
    const sheet = digestSheets([acme], '2026-12-11', w.config)[0]!;
    const row = (sheet.rows as readonly (readonly unknown[])[])[0]!;
    const col = (label: string) => row[sheet.columns.findIndex((c) => c.label === label)];
    expect([col('Declined (Late) Files'), col('Rejected Files')]).toEqual([db.declined, db.rejected]);
    expect(digestTableLine(acme)).toMatch(/ 1 {8,}1$/);
    // the detail still says what the rejected file held, type by type
    expect(String(col('Detail'))).toMatch(/^OTF rejected: every row had errors \(received 12\/03\/2026\)\nRTF rejected: every row had errors \(received 12\/03\/2026\)$/m);
  });
});
