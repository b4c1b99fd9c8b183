// Issue 17 finding 8: an OTF "Time Spent" the provider typed as `0:15` is a cell formatted as a
// time holding 15/1440 of a day. It was read as 0.0104 and rounded up to 1 minute with a
// warning; it is a duration, 15 minutes. The fixture is a real .xlsx written by exceljs
// (test/fixtures/generate.ts writeTimeCellsOtf) with built-in and custom time formats.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OTF } from '../../schemas/index.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { loadConfig } from '../../src/config.js';
import { validateFile } from '../../src/validate/file.js';
import { parseCell } from '../../src/validate/types.js';
import { durationText, isTimeFormat, readWorkbook } from '../../src/xlsx/reader.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { TIME_CELLS } from '../fixtures/generate.js';

const FILE = 'OTF_TIMECELLS_202611.xlsx';
const bytes = fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures', FILE));
const config = loadConfig({});
const minutesColumn = OTF.columns.find((c) => c.key === 'minutes')!;

describe('finding 8.4: a time-formatted OTF minutes cell is a duration', () => {
  it('the reader gives a time cell as the h:mm the provider typed, not the fraction of a day', async () => {
    const cells: CellValue[] = [];
    for await (const ev of readWorkbook(bytes, { recognise: (c) => (c[0] === 'Primary Payer (MCP) Identifier' ? true : null), maxRows: 100, maxColumns: 50 }))
      if (ev.type === 'row') cells.push(ev.cells[11] ?? null);
    expect(cells).toEqual(TIME_CELLS.map((t) => (t.numFmt === 'General' ? t.value : t.shown)));
  });

  it(`${FILE}: every row accepted with the minutes the provider meant`, async () => {
    const minutes: number[] = [];
    // the values the plan stores: what the validator hands each row to
    const v = await validateFile(bytes, FILE, {
      limits: config, types: INBOUND_TYPES.types, context: { config, receivedDate: '2026-12-03', expectedPeriod: '2026-11' },
      onRow: (row) => void minutes.push(row.values.minutes as number),
    });
    expect(v.fileErrors).toEqual([]);
    expect(v.rowsAccepted).toBe(TIME_CELLS.length);
    expect(minutes).toEqual(TIME_CELLS.map((t) => t.minutes));
    // only 0:20:30 (20.5 minutes) is rounded up, with the usual warning naming what was typed
    const rounded = v.issues.filter((i) => i.code === 'OTF_MINUTES_ROUNDED');
    expect(rounded).toHaveLength(1);
    expect(rounded[0]!.message).toContain('0:20:30');
    expect(rounded[0]!.message).toContain('21');
  });

  it.each([
    ['0:15', 15, undefined], ['1:30', 90, undefined], ['0:20:30', 21, 'OTF_MINUTES_ROUNDED'], ['12:00', 720, undefined], [' 0:05 ', 5, undefined],
    ['15', 15, undefined], [15, 15, undefined],
  ] as const)('minutes cell %j → %i', (cell, want, warning) => {
    const r = parseCell(minutesColumn, cell, config);
    expect(r).toMatchObject({ kind: 'ok', value: want });
    expect(r.kind === 'ok' ? r.warning?.code : 'bad').toBe(warning);
  });

  it.each([['0:60'], ['1:5'], ['0:15:75'], [':15'], ['0:00']] as const)('minutes cell %j is not a duration', (cell) => {
    expect(parseCell(minutesColumn, cell, config).kind).toBe('bad');
  });

  it.each([
    ['h:mm', true], ['[h]:mm', true], ['h:mm:ss', true], ['[h]:mm:ss', true], ['mm:ss', true], ['[mm]:ss', true], ['hh:mm', true], ['mm:ss.0', true],
    ['h:mm AM/PM', false], ['h:mm:ss A/P', false], ['mm/dd/yyyy', false], ['m/d/yy h:mm', false], ['General', false], ['0', false], ['0.00', false], ['@', false],
  ] as const)('isTimeFormat(%s) = %s', (code, want) => expect(isTimeFormat(code)).toBe(want));

  it.each([[15 / 1440, '0:15'], [90 / 1440, '1:30'], [(20 * 60 + 30) / 86400, '0:20:30'], [25 / 24, '25:00'], [0, '0:00']] as const)(
    'durationText(%d) = %s',
    (fraction, text) => expect(durationText(fraction)).toBe(text),
  );
});
