// Spec domain §4.9: "Mail is recorded as Telephonic/Electronic with 1 minute". A row whose
// Outreach Attempt Method names mail was read as method 2 with the minutes as reported (15, 30,
// or a blank "required" error): the 1-minute rule was not applied. Mail is the word by itself
// (`Mail`, `2 - Mail`); email is another kind of attempt and keeps its minutes.
import { describe, expect, it } from 'vitest';
import { OTF } from '../../schemas/index.js';
import { FILE_TYPES } from '../../src/filetypes/registry.js';
import { CrossRowChecker } from '../../src/validate/cross-row.js';
import type { CellValue } from '../../src/xlsx/types.js';
import { BASE, bound, run } from './validate-helpers.js';

const MAIL = 'OTF_MAIL_ONE_MINUTE';

describe('an OTF attempt by mail is recorded as method 2 with 1 minute', () => {
  // method cell, minutes cell → minutes recorded, the warning the row gets (none: undefined)
  it.each([
    ['Mail', 1, 1, undefined],
    ['Mail', '1', 1, undefined],
    ['Mail', 15, 1, MAIL],
    ['mail', 30, 1, MAIL],
    ['MAIL', 12.5, 1, MAIL],
    ['2 - Mail', 20, 1, MAIL],
    ['2-mail', 1, 1, undefined],
    [' Mail ', null, 1, MAIL],
    ['Mail', '', 1, MAIL],
    ['Mail', 0, 1, MAIL],
    ['Mail', '0:05', 1, MAIL],
    ['\u201CMail\u201D', 5, 1, MAIL],
    // not mail: the minutes as reported
    ['Email', 15, 15, undefined],
    ['e-mail', 15, 15, undefined],
    ['E-Mail', 1, 1, undefined],
    ['2', 15, 15, undefined],
    ['Telephonic/Electronic', 15, 15, undefined],
    ['Phone', 7, 7, undefined],
    ['1 - In-Person', 45, 45, undefined],
  ] as const)('method %j, minutes %j → %i minutes, warning %s', (method, minutes, recorded, warning) => {
    const r = run('OTF', { method, minutes });
    expect(r.accepted).toBe(true);
    expect(r.values.minutes).toBe(recorded);
    expect(r.issues.map((i) => i.code)).toEqual(warning ? [warning] : []);
  });

  it('mail is method 2, as the layout lists it', () => {
    for (const method of ['Mail', '2 - Mail', 'mail']) expect(run('OTF', { method, minutes: 9 }).values.method).toBe('2');
  });

  it('a blank minutes cell on a mail row is not "required"; on any other row it still is', () => {
    expect(run('OTF', { method: 'Mail', minutes: null }).issues.map((i) => i.code)).toEqual([MAIL]);
    expect(run('OTF', { method: 'Email', minutes: null }).issues.map((i) => i.code)).toEqual(['REQUIRED_BLANK']);
    expect(run('OTF', { method: '2', minutes: null }).accepted).toBe(false);
  });

  it('whatever the minutes cell holds, a mail attempt is 1 minute: no rounding, too-small, format or size error', () => {
    for (const minutes of [0.5, -3, 'ten', 5000, { error: '#REF!' }] as CellValue[]) {
      const r = run('OTF', { method: 'Mail', minutes });
      expect(r.accepted, JSON.stringify(minutes)).toBe(true);
      expect(r.values.minutes).toBe(1);
      expect(r.issues.map((i) => i.code)).toEqual([MAIL]);
    }
  });

  it('the warning states the rule and the minutes reported, on the minutes column, and names no member', () => {
    const [issue] = run('OTF', { method: 'Mail', minutes: 15 }).issues;
    expect(issue).toMatchObject({ code: MAIL, severity: 'warning', column: 'Time Spent Performing Outreach', value: '15', cin: '91234567A' });
    expect(issue!.message).toContain('15');
    expect(issue!.message).toMatch(/mail/i);
    expect(issue!.message).toContain('1 minute');
    expect(issue!.message).not.toContain('91234567A');
    expect(issue!.message).not.toContain(String(BASE.OTF.clientName));
    const [blank] = run('OTF', { method: 'Mail', minutes: null }).issues;
    expect(blank!.message).toContain('blank');
    expect(blank!.message).not.toMatch(/\{\w+\}/);
  });

  it('the possible-double-entry key uses the minutes recorded: two mail rows the same day are one attempt', () => {
    const checker = new CrossRowChecker(OTF, FILE_TYPES.OTF.crossRow);
    const check = (row: number, patch: Record<string, CellValue>) => {
      const cells = bound(OTF, { ...BASE.OTF, ...patch });
      const r = run('OTF', patch);
      const issues = checker.check('S', row, r.values, cells);
      if (r.accepted) checker.accept();
      return issues.map((i) => i.code);
    };
    expect(check(2, { method: 'Mail', minutes: 15 })).toEqual([]);
    // reported as 20 minutes, recorded as 1: the same member, date, method and minutes as row 2
    expect(check(3, { method: '2 - Mail', minutes: 20 })).toEqual(['OTF_DUPLICATE_ATTEMPT']);
    // an email the same day, 15 minutes: method 2 that day again, the attempt row 2 holds (member × date × method), with other minutes
    expect(check(4, { method: 'Email', minutes: 15 })).toEqual(['OTF_ATTEMPT_MINUTES_DIFFER']);
    // a 1-minute call the same day is stored just as the letter is (method 2, 1 minute): flagged, as README says
    expect(check(5, { method: 'Phone', minutes: 1 })).toEqual(['OTF_DUPLICATE_ATTEMPT']);
  });
});
