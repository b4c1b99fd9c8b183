// An upstream extract saved as .xlsx whose worksheet part was cut short (then zipped again, a
// valid zip) is refused whole with the reader's plain error: not the rows before the cut
// imported as if they were the whole extract. (The import reads workbooks with the same reader
// as provider uploads: src/import/read-table.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM } from '../../schemas/upstream.js';
import { importUpstream, ImportFileError } from '../../src/import/upstream.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { withPartEdited } from '../helpers/workbook.js';

const SHEET = 'xl/worksheets/sheet1.xml';
const ROWS = 68;
let db: TestDb;
let dir: string;

beforeAll(async () => {
  db = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truncated-import-'));
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const members = async () => Number((await db.pool.query<{ n: string }>('select count(*) n from members')).rows[0]!.n);

/** A members extract as .xlsx, its worksheet part replaced by what `sheet` makes of it, zipped again. */
async function extract(name: string, sheet: (xml: string) => string): Promise<string> {
  const columns = UPSTREAM.members.columns.map((label) => ({ label }));
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const cin = `9${String(1000000 + i).padStart(7, '0')}A`;
    return [cin, `HN${i}`, `Last${i}`, `First${i}`, '1980-02-14', 'F', 'English', '1 A St', 'Fresno', 'CA', '93701', '5595551001', 'Fresno', 'N'];
  });
  const file = path.join(dir, name);
  fs.writeFileSync(file, await withPartEdited(await writeWorkbookToBuffer([{ name: 'members', columns, rows }]), SHEET, sheet));
  return file;
}

describe('an upstream members extract (.xlsx) cut short', () => {
  it('is refused whole with a plain error, nothing imported, where the rows before the cut were imported', async () => {
    const cut = await extract('members-cut.xlsx', (xml) => xml.slice(0, xml.indexOf('<row r="11"')));
    const err = await importUpstream(db.pool, 'members', cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/could not be read: it is damaged/);
    expect((err as Error).message).not.toMatch(/91000000A|Last\d|First\d/);
    expect(await members()).toBe(0);
  });

  it('(the same extract whole imports every row: the control)', async () => {
    const whole = await extract('members-whole.xlsx', (xml) => xml);
    expect(await importUpstream(db.pool, 'members', whole)).toMatchObject({ rowsRead: ROWS, rowsImported: ROWS, rowsRejected: 0 });
    expect(await members()).toBe(ROWS);
  });
});
