// Spec domain §4.9: mail is recorded as Telephonic/Electronic with 1 minute. An OTF whose Mail
// rows reported other minutes (or none) stored those minutes, or rejected the blank as required;
// through the whole ingest (a real .xlsx, staged, applied) the plan now stores 1 minute and says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { otf, otfRow } from '../helpers/provider-files.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let world: PlanWorld;
const d = (date: string) => ({ date });

beforeAll(async () => {
  world = await openPlanWorld('otf-mail');
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, world.deps);
});
afterAll(() => closePlanWorld(world));

describe('an OTF with attempts by mail', () => {
  it('stores each mail attempt as method 2 with 1 minute, warns where other minutes were reported, and keeps an email\'s minutes', async () => {
    const bytes = await otf([
      otfRow({ attemptDate: d('2026-11-03'), method: 'Mail', minutes: 15 }),
      otfRow({ attemptDate: d('2026-11-04'), method: '2 - Mail', minutes: null }),
      otfRow({ attemptDate: d('2026-11-05'), method: 'mail', minutes: 1 }),
      otfRow({ attemptDate: d('2026-11-06'), method: 'Email', minutes: 15 }),
    ]);
    const at = '2026-12-02T17:00:00Z';
    const done = await ingestFile(
      { pool: world.db.pool, config: world.config, now: () => new Date(at) },
      { provider: 'ACME', originalName: 'OTF_ACME_202611_mail.xlsx', bytes, receivedAt: new Date(at), source: 'cli' },
    );
    expect(done.document).toMatchObject({ rowsRead: 4, rowsAccepted: 4 });
    const warned = done.document.issues.filter((i) => i.code === 'OTF_MAIL_ONE_MINUTE');
    expect(warned.map((i) => [i.row, i.severity])).toEqual([[2, 'warning'], [3, 'warning']]);
    expect(warned[0]!.message).toContain('15');
    expect(warned[1]!.message).toContain('blank');
    const stored = await world.db.pool.query(
      `select a.attempt_date::text date, a.method, a.minutes from current_outreach_attempts a join submission_sheets s on s.id = a.sheet_id
        where s.submission_id = $1 order by a.attempt_date`,
      [done.submissionId],
    );
    expect(stored.rows).toEqual([
      { date: '2026-11-03', method: 2, minutes: 1 },
      { date: '2026-11-04', method: 2, minutes: 1 },
      { date: '2026-11-05', method: 2, minutes: 1 },
      { date: '2026-11-06', method: 2, minutes: 15 },
    ]);
  });
});
