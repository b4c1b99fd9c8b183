// Spec §6: an OTF attempt is keyed member × date × method, and the same attempt counts once.
// Two rows of one file with that key but other minutes were both accepted, and the merge kept
// only the later one: the earlier row, "accepted", silently did not count. The later row is now
// rejected, naming the row that holds the attempt; the same minutes again stay a possible double
// entry (a warning, layouts OTF), and a later file with other minutes is the correction (updated).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/run.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { otf, otfRow, workbook } from '../helpers/provider-files.js';
import { OTF } from '../../schemas/index.js';
import { closePlanWorld, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let world: PlanWorld;
const d = (date: string) => ({ date });

beforeAll(async () => {
  world = await openPlanWorld('otf-same-attempt');
  await generate('mif', { date: '2026-11-15', now: new Date('2026-11-15T14:30:00Z') }, world.deps);
});
afterAll(() => closePlanWorld(world));

const upload = (name: string, bytes: Buffer, at: string) =>
  ingestFile({ pool: world.db.pool, config: world.config, now: () => new Date(at) }, { provider: 'ACME', originalName: name, bytes, receivedAt: new Date(at), source: 'cli' });
const counting = async (submissionId: number) => (await world.db.pool.query(
  `select a.row_number "row", a.attempt_date::text date, a.method, a.minutes from current_outreach_attempts a join submission_sheets s on s.id = a.sheet_id
    where s.submission_id = $1 order by a.attempt_date, a.method, a.row_number`,
  [submissionId],
)).rows;

describe('one attempt (member, date, method) twice in an OTF with other minutes', () => {
  let first: number;

  it('rejects the later row with a reason naming the row that holds the attempt; the same minutes again stay a warning', async () => {
    const done = await upload('OTF_ACME_202611.xlsx', await otf([
      otfRow({ attemptDate: d('2026-11-03'), method: '2', minutes: 15 }),
      otfRow({ attemptDate: d('2026-11-03'), method: '2', minutes: 20 }),
      // another method the same day is another attempt
      otfRow({ attemptDate: d('2026-11-03'), method: '1', minutes: 30 }),
      // the attempt of row 2 again, its minutes too: a possible double entry, counted once
      otfRow({ attemptDate: d('2026-11-03'), method: '2', minutes: 15 }),
    ]), '2026-12-02T17:00:00Z');
    first = done.submissionId;
    expect(done.document.issues.map((i) => [i.row, i.code, i.severity])).toEqual([
      [3, 'OTF_ATTEMPT_MINUTES_DIFFER', 'error'],
      [5, 'OTF_DUPLICATE_ATTEMPT', 'warning'],
    ]);
    expect(done.document).toMatchObject({ outcome: 'PARTIALLY_ACCEPTED', rowsRead: 4, rowsAccepted: 3, rowsRejected: 1 });
    const reason = done.document.issues[0]!.message;
    expect(reason).toMatch(/^Row 2 already reports/);
    // no PHI in the reason: neither the member's CIN nor name, nor the cells' values
    for (const phi of ['91000001A', 'Ann', 'Alpha', '2026', '15', '20']) expect(reason).not.toContain(phi);
    expect(await counting(first)).toEqual([
      { row: 4, date: '2026-11-03', method: 1, minutes: 30 },
      { row: 5, date: '2026-11-03', method: 2, minutes: 15 },
    ]);
  });

  it('across two OTF tabs of one file the later tab\'s row is the one rejected, naming the sheet of the first', async () => {
    const done = await upload('OTF_ACME_202611_tabs.xlsx', await workbook([
      [OTF, [otfRow({ attemptDate: d('2026-11-07'), minutes: 10 })], 'OTF A'],
      [OTF, [otfRow({ attemptDate: d('2026-11-07'), minutes: 25 })], 'OTF B'],
    ]), '2026-12-03T17:00:00Z');
    const issue = done.document.issues.find((i) => i.code === 'OTF_ATTEMPT_MINUTES_DIFFER');
    expect(issue).toMatchObject({ sheet: 'OTF B', row: 2, severity: 'error' });
    expect(issue!.message).toMatch(/^Row 2 of sheet "OTF A" already reports/);
    expect(done.document).toMatchObject({ rowsRead: 2, rowsAccepted: 1, rowsRejected: 1 });
  });

  it('a later file with other minutes for the attempt is its correction: accepted, and the response says it updated the earlier row', async () => {
    const done = await upload('OTF_ACME_202611_fix.xlsx', await otf([otfRow({ attemptDate: d('2026-11-03'), method: '2', minutes: 20 })]), '2026-12-04T17:00:00Z');
    expect(done.document).toMatchObject({ outcome: 'ACCEPTED', rowsRead: 1, rowsAccepted: 1 });
    expect(done.document.merge).toEqual([expect.objectContaining({ lob: 'HN', updated: 1, added: 0, updatedFrom: [{ submissionId: first, rows: 1 }] })]);
    expect(await counting(done.submissionId)).toEqual([{ row: 2, date: '2026-11-03', method: 2, minutes: 20 }]);
    expect(await counting(first)).toEqual([{ row: 4, date: '2026-11-03', method: 1, minutes: 30 }]);
  });
});
