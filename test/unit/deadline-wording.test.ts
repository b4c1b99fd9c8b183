// Every deadline day a provider or liaison reads is rendered from the one deadline policy built
// from the settings (src/calendar/deadlines.ts), never written into a message: a table of the
// wording under different settings, and the catalogue's DECLINED_LATE and Codes-sheet texts.
import { describe, expect, it } from 'vitest';
import {
  byDay, dayList, dayRange, deadlinePolicyFromConfig, declinedParams, declineRule, dueForPeriod, ordinal, verdictLabel, windowClosedBefore, windowWording,
} from '../../src/calendar/index.js';
import { loadConfig } from '../../src/config.js';
import { responseToBuffer } from '../../src/reports/response.js';
import { codeMeaning, formatMessage, ISSUE_CODES } from '../../src/validate/catalogue.js';
import { readWorkbook } from '../../src/xlsx/reader.js';
import type { CellValue } from '../../src/xlsx/types.js';

const policyOf = (env: Record<string, string>) => deadlinePolicyFromConfig(loadConfig(env));
const LA = 'America/Los_Angeles';

describe('the wording of the deadline days', () => {
  it.each([
    [1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [11, '11th'], [12, '12th'], [13, '13th'], [21, '21st'], [22, '22nd'], [23, '23rd'], [28, '28th'],
  ])('ordinal(%i) = %s', (n, s) => expect(ordinal(n)).toBe(s));

  it('days, ranges and lists', () => {
    expect(byDay(5)).toBe('by the 5th');
    expect(dayRange(6, 10)).toBe('the 6th through the 10th');
    expect(dayRange(10, 10)).toBe('the 10th');
    expect(dayList([6, 11])).toBe('the 6th and the 11th');
    expect(dayList([6, 11, 16])).toBe('the 6th, the 11th and the 16th');
  });

  // settings → RTF window, CSPRTF window, the RTF due line of an outbound-file email (period 11/2026), a late first RTF's verdict
  it.each([
    [{}, ['by the 5th', 'the 6th through the 10th', 'the 10th'], 'by the 10th', 'by 12/05/2026 (corrections through 12/10/2026)',
      'LATE_ACCEPTED: a first file received from the 6th through the 10th; accepted, flagged late'],
    [{ ON_TIME_LAST_DAY: '7', RESUBMISSION_LAST_DAY: '12' }, ['by the 7th', 'the 8th through the 12th', 'the 12th'], 'by the 10th',
      'by 12/07/2026 (corrections through 12/12/2026)', 'LATE_ACCEPTED: a first file received from the 8th through the 12th; accepted, flagged late'],
    [{ ON_TIME_LAST_DAY: '1', RESUBMISSION_LAST_DAY: '2', CSPRTF_ON_TIME_LAST_DAY: '3' }, ['by the 1st', 'the 2nd', 'the 2nd'], 'by the 3rd',
      'by 12/01/2026 (corrections through 12/02/2026)', 'LATE_ACCEPTED: a first file received from the 2nd; accepted, flagged late'],
    [{ ON_TIME_LAST_DAY: '21', RESUBMISSION_LAST_DAY: '23', CSPRTF_ON_TIME_LAST_DAY: '22' }, ['by the 21st', 'the 22nd through the 23rd', 'the 23rd'], 'by the 22nd',
      'by 12/21/2026 (corrections through 12/23/2026)', 'LATE_ACCEPTED: a first file received from the 22nd through the 23rd; accepted, flagged late'],
    [{ ON_TIME_LAST_DAY: '8', RESUBMISSION_LAST_DAY: '8' }, ['by the 8th', null, 'the 8th'], 'by the 10th', 'by 12/08/2026', null],
  ] as const)('%j', (env, [onTimeBy, lateDays, lastAccepted], csprtfBy, ecmDue, lateLabel) => {
    const policy = policyOf(env);
    expect(windowWording(policy, ['RTF'])).toEqual({ onTimeBy, lateDays, lastAccepted });
    expect(windowWording(policy, ['CSPRTF']).onTimeBy).toBe(csprtfBy);
    expect(dueForPeriod(policy, ['RTF', 'OTF'], '2026-11')).toBe(`for reporting period 11/2026 ${ecmDue}`);
    // (the CSPRTF has no corrections window: its day alone, in the month after the period)
    expect(dueForPeriod(policy, ['CSPRTF'], '2026-11')).toBe(`for reporting period 11/2026 by 12/${csprtfBy.replace(/\D/g, '').padStart(2, '0')}/2026`);
    if (lateLabel) expect(verdictLabel('LATE_ACCEPTED', policy, ['RTF'])).toBe(lateLabel);
  });

  // a file asking for a period's answer, going out on `today`: the window's last day when it has closed before, else null
  it.each([
    [{}, ['RTF', 'OTF'], '2026-11', '2026-12-10', null],
    [{}, ['RTF', 'OTF'], '2026-11', '2026-12-11', '2026-12-10'],
    [{}, ['CSPRTF'], '2026-11', '2026-12-11', '2026-12-10'],
    [{ RESUBMISSION_LAST_DAY: '12' }, ['RTF', 'OTF'], '2026-11', '2026-12-11', null],
    [{ CSPRTF_ON_TIME_LAST_DAY: '8' }, ['CSPRTF'], '2026-12', '2027-01-09', '2027-01-08'],
    [{}, ['RTF', 'OTF'], '2026-12', '2026-12-15', null],
  ] as const)('windowClosedBefore %j %j %s on %s: %s', (env, types, period, today, closed) => {
    expect(windowClosedBefore(policyOf(env), types, period, today)).toBe(closed);
  });

  it('the rule a declined file broke, for the Codes sheet, under both late-first-submission policies', () => {
    expect(declineRule(policyOf({}))).toBe('An RTF or OTF is on time by the 5th and accepted through the 10th; a CSPRTF is accepted by the 10th. Later files are declined.');
    expect(declineRule(policyOf({ ON_TIME_LAST_DAY: '7', RESUBMISSION_LAST_DAY: '12', CSPRTF_ON_TIME_LAST_DAY: '9', LATE_FIRST_SUBMISSION: 'decline' }))).toBe(
      'An RTF or OTF is on time by the 7th; from the 8th through the 12th only a corrected file is accepted; a CSPRTF is accepted by the 9th. Later files are declined.',
    );
  });
});

describe('DECLINED_LATE', () => {
  it('the message fills every placeholder with the configured days', () => {
    const policy = policyOf({ ON_TIME_LAST_DAY: '7', RESUBMISSION_LAST_DAY: '12' });
    const late = formatMessage('DECLINED_LATE', declinedParams('2026-11', new Date('2026-12-13T20:00:00Z'), LA, policy, ['RTF']));
    expect(late).toBe(
      'Your file for reporting period 11/2026 was received on 12/13/2026 at 12:00 PM PST and has been declined: it was not processed. ' +
        'It arrived after the 12th of the month, the last day files for that period are accepted. ' +
        "Please include these updates in next month's file (reporting period 12/2026) instead. " +
        'The next submission window opens on 01/01/2027 and files are on time through 01/07/2027.',
    );
    const first = formatMessage('DECLINED_LATE', declinedParams('2026-11', new Date('2026-12-09T20:00:00Z'), LA, { ...policy, lateFirstSubmission: 'decline' }, ['OTF']));
    expect(first).toContain('It arrived after the 7th of the month, and no file of this type had been submitted for that period; after the 7th the plan accepts only resubmissions (through the 12th).');
  });
});

describe('the Codes sheet', () => {
  it('no code is explained with a raw placeholder', () => {
    for (const code of ISSUE_CODES) expect(codeMeaning(code), code).not.toMatch(/[{}]/);
    expect(codeMeaning('TEXT_TOO_LONG')).toBe('The column is longer than … characters. Shorten it.');
    expect(codeMeaning('COLUMN_DUPLICATE')).toBe('Column "…" repeats the column; only the first one was read. Remove the repeat.');
  });

  it('the response workbook, read back, shows no placeholder and says the configured days for DECLINED_LATE', async () => {
    const deadlines = policyOf({ ON_TIME_LAST_DAY: '7', RESUBMISSION_LAST_DAY: '12', CSPRTF_ON_TIME_LAST_DAY: '9' });
    const bytes = await responseToBuffer({
      file: 'RTF_ACME_202611.xlsx', size: 10, sha256: 'x', outcome: 'REJECTED', layouts: [], rowsRead: 0, rowsAccepted: 0, rowsRejected: 0,
      warnings: 0, sheets: [], fileErrors: [], issues: [], countsByCode: {},
    }, { deadlines });
    const rows: CellValue[][] = [];
    for await (const ev of readWorkbook(bytes, { recognise: (cells) => (cells[0] === 'Code' ? cells : null), maxRows: 10_000, maxColumns: 10 }))
      if (ev.type === 'row' && ev.sheet === 'Codes') rows.push(ev.cells);
    expect(rows.map((r) => r[0])).toEqual(ISSUE_CODES);
    expect(rows.filter((r) => /\{\w*\}/.test(String(r[3])))).toEqual([]);
    const declined = String(rows.find((r) => r[0] === 'DECLINED_LATE')![3]);
    expect(declined).toContain('on time by the 7th and accepted through the 12th; a CSPRTF is accepted by the 9th');
  });
});
