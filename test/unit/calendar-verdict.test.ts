import { describe, expect, it } from 'vitest';
import {
  deadlinePolicyFromConfig, declinedParams, localDateTimeToInstant, nextSubmissionWindow, ordinal,
  submissionVerdict, submissionWindow, verdictLabel, type DeadlinePolicy, type Verdict,
} from '../../src/calendar/index.js';
import { loadConfig } from '../../src/config.js';
import { formatMessage } from '../../src/validate/catalogue.js';

const LA = 'America/Los_Angeles';
const accept: DeadlinePolicy = { onTimeLastDay: 5, resubmissionLastDay: 10, lateFirstSubmission: 'accept', csprtfOnTimeLastDay: 10 };
const decline: DeadlinePolicy = { ...accept, lateFirstSubmission: 'decline' };

/** A declined file's message as the pipeline makes it: the catalogue's template, filled from the policy. */
const declinedMessage = (...args: Parameters<typeof declinedParams>): string => formatMessage('DECLINED_LATE', declinedParams(...args));

type Row = [label: string, receivedAt: string, period: string, day: number, first: Verdict, again: Verdict, firstDecline: Verdict];

// One row per receipt instant: verdict for a first submission, for a resubmission, and for
// a first submission under lateFirstSubmission=decline.
const rows: Row[] = [
  ['1st 00:00 PDT', '2026-11-01T07:00:00.000Z', '2026-10', 1, 'ON_TIME', 'ON_TIME', 'ON_TIME'],
  ['fall back 01:30 PDT (first)', '2026-11-01T08:30:00.000Z', '2026-10', 1, 'ON_TIME', 'ON_TIME', 'ON_TIME'],
  ['fall back 01:30 PST (second)', '2026-11-01T09:30:00.000Z', '2026-10', 1, 'ON_TIME', 'ON_TIME', 'ON_TIME'],
  ['5th 23:59:59 PST', '2026-11-06T07:59:59.000Z', '2026-10', 5, 'ON_TIME', 'ON_TIME', 'ON_TIME'],
  ['6th 00:00 PST', '2026-11-06T08:00:00.000Z', '2026-10', 6, 'LATE_ACCEPTED', 'RESUBMISSION', 'DECLINED_LATE'],
  ['10th 23:30 PST (11th in UTC)', '2026-11-11T07:30:00.000Z', '2026-10', 10, 'LATE_ACCEPTED', 'RESUBMISSION', 'DECLINED_LATE'],
  ['10th 23:59:59.999 PST', '2026-11-11T07:59:59.999Z', '2026-10', 10, 'LATE_ACCEPTED', 'RESUBMISSION', 'DECLINED_LATE'],
  ['11th 00:00 PST', '2026-11-11T08:00:00.000Z', '2026-10', 11, 'DECLINED_LATE', 'DECLINED_LATE', 'DECLINED_LATE'],
  ['11th 00:30 PST', '2026-11-11T08:30:00.000Z', '2026-10', 11, 'DECLINED_LATE', 'DECLINED_LATE', 'DECLINED_LATE'],
  ['30th', '2026-11-30T20:00:00.000Z', '2026-10', 30, 'DECLINED_LATE', 'DECLINED_LATE', 'DECLINED_LATE'],
  ['spring forward 8th 03:30 PDT', '2026-03-08T10:30:00.000Z', '2026-02', 8, 'LATE_ACCEPTED', 'RESUBMISSION', 'DECLINED_LATE'],
  ['spring forward 1st, 5th edges', '2026-03-06T07:59:59.000Z', '2026-02', 5, 'ON_TIME', 'ON_TIME', 'ON_TIME'],
  ['year roll: 2027-01-03', '2027-01-03T18:00:00.000Z', '2026-12', 3, 'ON_TIME', 'ON_TIME', 'ON_TIME'],
  ['year roll: UTC Jan 1, local Dec 31', '2027-01-01T07:00:00.000Z', '2026-11', 31, 'DECLINED_LATE', 'DECLINED_LATE', 'DECLINED_LATE'],
  ['leap: 2028-03-01 answers Feb 2028', '2028-03-01T08:00:00.000Z', '2028-02', 1, 'ON_TIME', 'ON_TIME', 'ON_TIME'],
  ['leap day 2028-02-29', '2028-02-29T18:00:00.000Z', '2028-01', 29, 'DECLINED_LATE', 'DECLINED_LATE', 'DECLINED_LATE'],
];

describe('submissionVerdict (RTF and OTF windows; a file of unknown type)', () => {
  it.each(rows)('%s', (_label, iso, period, day, first, again, firstDecline) => {
    const receivedAt = new Date(iso);
    const v = (alreadySubmittedForPeriod: boolean, policy: DeadlinePolicy) =>
      submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod, policy, fileTypes: ['RTF'] });
    expect(v(false, accept)).toEqual({ verdict: first, period, day, accepted: first !== 'DECLINED_LATE' });
    expect(v(true, accept)).toEqual({ verdict: again, period, day, accepted: again !== 'DECLINED_LATE' });
    expect(v(false, decline).verdict).toBe(firstDecline);
    // a resubmission is never affected by the late-first-submission policy
    expect(v(true, decline).verdict).toBe(again);
  });

  it('follows the configured days', () => {
    const p: DeadlinePolicy = { onTimeLastDay: 3, resubmissionLastDay: 7, lateFirstSubmission: 'accept', csprtfOnTimeLastDay: 7 };
    const at = (d: string) => submissionVerdict({ receivedAt: localDateTimeToInstant(d, '12:00', LA), tz: LA, alreadySubmittedForPeriod: false, policy: p, fileTypes: ['RTF'] }).verdict;
    expect(at('2026-11-03')).toBe('ON_TIME');
    expect(at('2026-11-04')).toBe('LATE_ACCEPTED');
    expect(at('2026-11-07')).toBe('LATE_ACCEPTED');
    expect(at('2026-11-08')).toBe('DECLINED_LATE');
  });

  it('uses the plan zone, not UTC', () => {
    const receivedAt = new Date('2026-11-11T07:30:00Z');
    expect(submissionVerdict({ receivedAt, tz: 'UTC', alreadySubmittedForPeriod: true, policy: accept, fileTypes: ['OTF'] }).verdict).toBe('DECLINED_LATE');
    expect(submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod: true, policy: accept, fileTypes: ['OTF'] }).verdict).toBe('RESUBMISSION');
  });

  it('rejects an inconsistent policy', () => {
    const receivedAt = new Date('2026-11-02T12:00:00Z');
    expect(() => submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod: false, policy: { ...accept, onTimeLastDay: 11 }, fileTypes: ['RTF'] })).toThrow(RangeError);
  });

  it('reads the policy from the settings', () => {
    // the spec's defaults (src/config.ts holds them; no module repeats them)
    expect(deadlinePolicyFromConfig(loadConfig({}))).toEqual(accept);
    expect(deadlinePolicyFromConfig(loadConfig({ LATE_FIRST_SUBMISSION: 'decline', ON_TIME_LAST_DAY: '4' }))).toEqual({
      onTimeLastDay: 4, resubmissionLastDay: 10, lateFirstSubmission: 'decline', csprtfOnTimeLastDay: 10,
    });
    expect(deadlinePolicyFromConfig(loadConfig({ CSPRTF_ON_TIME_LAST_DAY: '8' })).csprtfOnTimeLastDay).toBe(8);
  });
});

describe('declinedMessage', () => {
  it('says when it arrived, where the updates go and when the next window opens', () => {
    const receivedAt = new Date('2026-11-11T08:30:00Z');
    const { period } = submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod: true, policy: accept, fileTypes: ['RTF'] });
    const msg = declinedMessage(period, receivedAt, LA, accept, ['RTF']);
    expect(msg).toBe(
      'Your file for reporting period 10/2026 was received on 11/11/2026 at 12:30 AM PST and has been declined: it was not processed. ' +
        'It arrived after the 10th of the month, the last day files for that period are accepted. ' +
        "Please include these updates in next month's file (reporting period 11/2026) instead. " +
        'The next submission window opens on 12/01/2026 and files are on time through 12/05/2026.',
    );
  });

  it('a file whose name suggests no type gives the next window of each type, not the latest of them as every file\'s', () => {
    const msg = declinedMessage('2026-11', new Date('2026-12-11T20:00:00Z'), LA, accept, []);
    expect(msg).toContain('The next submission window opens on 01/01/2027 and files are on time through 01/05/2027 for an RTF or OTF, 01/10/2027 for a CSPRTF.');
    // one window for every type: said once, as for a named type
    expect(declinedMessage('2026-11', new Date('2026-12-11T20:00:00Z'), LA, { ...accept, csprtfOnTimeLastDay: 5 }, []))
      .toContain('files are on time through 01/05/2027.');
    expect(declinedMessage('2026-11', new Date('2026-12-11T20:00:00Z'), LA, accept, ['CSPRTF'])).toContain('files are on time through 01/10/2027.');
  });

  it('rolls the year for a December receipt', () => {
    const msg = declinedMessage('2026-11', new Date('2026-12-15T20:00:00Z'), LA, accept, ['RTF']);
    expect(msg).toContain('received on 12/15/2026 at 12:00 PM PST');
    expect(msg).toContain('reporting period 12/2026');
    expect(msg).toContain('opens on 01/01/2027');
    expect(msg).toContain('through 01/05/2027');
  });

  it('explains a first submission declined by the lateFirstSubmission=decline policy', () => {
    const msg = declinedMessage('2026-10', new Date('2026-11-07T18:00:00Z'), LA, decline, ['RTF']);
    expect(msg).toContain('after the 5th of the month, and no file of this type had been submitted for that period');
    expect(msg).toContain('only resubmissions (through the 10th)');
    expect(msg).toContain('opens on 12/01/2026');
  });

  it.each([[1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [10, '10th'], [11, '11th'], [12, '12th'], [13, '13th'], [21, '21st'], [22, '22nd'], [23, '23rd']])(
    'ordinal(%i) = %s',
    (n, s) => expect(ordinal(n)).toBe(s),
  );

  it('nextSubmissionWindow', () => {
    expect(nextSubmissionWindow(new Date('2026-11-11T08:30:00Z'), LA, accept, ['RTF'])).toEqual({
      period: '2026-11', opens: '2026-12-01', onTimeUntil: '2026-12-05', acceptedUntil: '2026-12-10',
    });
    // 23:30 PST on Jan 31 2028 is already Feb 1 in UTC: the next window is February's, not March's
    expect(nextSubmissionWindow(new Date('2028-02-01T07:30:00Z'), LA, accept, ['RTF']).opens).toBe('2028-02-01');
  });
});

// Issue 17 finding 8.5: the CS pages say the CSPRTF is submitted "between the 5th through the
// 10th" (domain §2): days 1..CSPRTF_ON_TIME_LAST_DAY on time, a second file then a
// resubmission, later declined. A first CSPRTF on days 6-10 was labelled late.
describe('the CSPRTF window', () => {
  const at = (day: string, time = '12:00') => localDateTimeToInstant(`2026-12-${day}`, time, LA);
  const verdict = (receivedAt: Date, again: boolean, policy: DeadlinePolicy = accept, fileTypes: readonly string[] = ['CSPRTF']) =>
    submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod: again, policy, fileTypes }).verdict;

  it.each([
    // day, first, second file, first under lateFirstSubmission=decline
    ['01', 'ON_TIME', 'RESUBMISSION', 'ON_TIME'],
    ['05', 'ON_TIME', 'RESUBMISSION', 'ON_TIME'],
    ['06', 'ON_TIME', 'RESUBMISSION', 'ON_TIME'],
    ['10', 'ON_TIME', 'RESUBMISSION', 'ON_TIME'],
    ['11', 'DECLINED_LATE', 'DECLINED_LATE', 'DECLINED_LATE'],
    ['20', 'DECLINED_LATE', 'DECLINED_LATE', 'DECLINED_LATE'],
  ] as const)('December %s: first %s, again %s', (day, first, again, firstDecline) => {
    expect(verdict(at(day), false)).toBe(first);
    expect(verdict(at(day), true)).toBe(again);
    expect(verdict(at(day), false, { ...accept, lateFirstSubmission: 'decline' })).toBe(firstDecline);
  });

  it('the 10th at 23:59:59 plan time is on time, the 11th at 00:00 is declined', () => {
    expect(verdict(at('10', '23:59:59'), false)).toBe('ON_TIME');
    expect(verdict(at('11', '00:00'), false)).toBe('DECLINED_LATE');
  });

  it('follows CSPRTF_ON_TIME_LAST_DAY, and the RTF keeps its own window', () => {
    const p = { ...accept, csprtfOnTimeLastDay: 7 };
    expect(verdict(at('07'), false, p)).toBe('ON_TIME');
    expect(verdict(at('08'), true, p)).toBe('DECLINED_LATE');
    expect(verdict(at('08'), true, p, ['RTF'])).toBe('RESUBMISSION');
    expect(verdict(at('06'), false, accept, ['RTF'])).toBe('LATE_ACCEPTED');
    expect(verdict(at('06'), false, accept, ['OTF', 'RTF'])).toBe('LATE_ACCEPTED');
  });

  it('a file carrying a CSPRTF and an RTF takes the window that closes first', () => {
    expect(verdict(at('07'), false, accept, ['CSPRTF', 'RTF'])).toBe('LATE_ACCEPTED');
    expect(verdict(at('09'), false, { ...accept, csprtfOnTimeLastDay: 8 }, ['CSPRTF', 'RTF'])).toBe('DECLINED_LATE');
  });

  it('a file of unknown type (not read yet) is declined only after every window has closed', () => {
    const late = { ...accept, csprtfOnTimeLastDay: 15 };
    expect(submissionWindow(late, [])).toEqual({ onTimeLastDay: 15, acceptedLastDay: 15, resubmissionWhileOnTime: false });
    expect(verdict(at('12'), true, late, [])).not.toBe('DECLINED_LATE');
    expect(verdict(at('16'), true, late, [])).toBe('DECLINED_LATE');
    expect(verdict(at('11'), true, accept, [])).toBe('DECLINED_LATE');
  });

  it('the decline names the CSPRTF days, rendered from the policy', () => {
    const msg = declinedMessage('2026-11', at('11', '08:00'), LA, accept, ['CSPRTF']);
    expect(msg).toContain('It arrived after the 10th of the month, the last day files for that period are accepted.');
    expect(msg).toContain('opens on 01/01/2027 and files are on time through 01/10/2027');
    const seven = declinedMessage('2026-11', at('08'), LA, { ...accept, csprtfOnTimeLastDay: 7 }, ['CSPRTF']);
    expect(seven).toContain('after the 7th of the month, the last day');
    expect(seven).toContain('on time through 01/07/2027');
    expect(seven).not.toMatch(/resubmissions|5th|10th/);
  });

  it.each([
    [['CSPRTF'], 'ON_TIME', 'ON_TIME: received by the 10th'],
    [['CSPRTF'], 'RESUBMISSION', 'RESUBMISSION: a corrected file received by the 10th'],
    [['RTF'], 'ON_TIME', 'ON_TIME: received by the 5th'],
    [['RTF', 'OTF'], 'RESUBMISSION', 'RESUBMISSION: a corrected file received from the 6th through the 10th'],
    [['OTF'], 'LATE_ACCEPTED', 'LATE_ACCEPTED: a first file received from the 6th through the 10th; accepted, flagged late'],
    [['CSPRTF'], 'DECLINED_LATE', 'DECLINED_LATE: not processed'],
  ] as const)('verdictLabel(%j, %s)', (types, v, text) => expect(verdictLabel(v, accept, types)).toBe(text));

  it('verdictLabel follows the settings', () => {
    expect(verdictLabel('ON_TIME', { ...accept, csprtfOnTimeLastDay: 12 }, ['CSPRTF'])).toBe('ON_TIME: received by the 12th');
    expect(verdictLabel('LATE_ACCEPTED', { ...accept, onTimeLastDay: 3, resubmissionLastDay: 8 }, ['RTF'])).toContain('from the 4th through the 8th');
  });
});
