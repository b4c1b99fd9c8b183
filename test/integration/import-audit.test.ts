// The upstream imports as the plan's data team meets them: extracts saved by other tools, and a
// member's story told across several extracts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpstream, ImportFileError } from '../../src/import/upstream.js';
import { closePlanWorld, importExtract, MEMBERS_HEADER, openPlanWorld, type PlanWorld } from '../helpers/world.js';

let w: PlanWorld;
beforeAll(async () => {
  w = await openPlanWorld('import-audit');
});
afterAll(async () => {
  await closePlanWorld(w);
});

const AT = '2026-11-20T17:00:00Z';
const one = async (sql: string, params: unknown[] = []) => (await w.db.pool.query(sql, params)).rows[0];
const ANN = '91000001A,M1,Alpha,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N';

describe('upstream extracts as other tools save them', () => {
  it('refuses a header naming a column twice as a whole, naming the column, where the last one silently won', async () => {
    // a second cin column (a lookup pasted beside the extract): which one is the member's?
    const err = await importExtract(w, 'members', 'dup-header.csv', [`${ANN},92222222B`], AT, `${MEMBERS_HEADER},cin`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/cin/);
    expect((err as Error).message).toMatch(/more than once/);
    expect((err as Error).message).not.toMatch(/92222222B/);
  });

  it('refuses a row that is not UTF-8 text (Excel\'s plain "CSV" on Windows), by row and code, where its name was stored with a replacement character', async () => {
    // Windows-1252: ñ is the one byte F1, no UTF-8 character
    const file = path.join(w.dataDir, 'cp1252.csv');
    fs.writeFileSync(file, Buffer.concat([
      Buffer.from(`${MEMBERS_HEADER}\r\n`),
      Buffer.from('91000001A,M1,Pe'), Buffer.from([0xf1]), Buffer.from('a,Ann,1980-02-14,F,English,1 A St,Fresno,CA,93701,5595551001,Fresno,N\r\n'),
      Buffer.from('91000002B,M2,Bravo,Ben,1975-03-05,M,Spanish,2 B St,Fresno,CA,93702,5595551002,Fresno,N\r\n'),
    ]));
    const s = await importUpstream(w.db.pool, 'members', file, { now: new Date(AT) });
    expect(s).toMatchObject({ rowsRead: 2, rowsImported: 1, rowsRejected: 1 });
    expect(s.rejects).toEqual([{ row: 2, code: 'csv-encoding', message: expect.stringMatching(/UTF-8/) }]);
    expect(JSON.stringify(s.rejects)).not.toMatch(/Pe|Ann|91000001A/);
    expect((await one("select last_name from members where cin = '91000001A'")).last_name).toBe('Alpha');
  });
});
