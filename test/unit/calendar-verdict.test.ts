import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEADLINE_POLICY, deadlinePolicyFromConfig, declinedMessage, localDateTimeToInstant, nextSubmissionWindow, ordinal,
  submissionVerdict, type DeadlinePolicy, type Verdict,
} from '../../src/calendar/index.js';
import { loadConfig } from '../../src/config.js';

const LA = 'America/Los_Angeles';
const accept: DeadlinePolicy = { onTimeLastDay: 5, resubmissionLastDay: 10, lateFirstSubmission: 'accept' };
const decline: DeadlinePolicy = { ...accept, lateFirstSubmission: 'decline' };

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

describe('submissionVerdict (RTF, OTF, CSPRTF share the windows)', () => {
  it.each(rows)('%s', (_label, iso, period, day, first, again, firstDecline) => {
    const receivedAt = new Date(iso);
    const v = (alreadySubmittedForPeriod: boolean, policy: DeadlinePolicy) =>
      submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod, policy });
    expect(v(false, accept)).toEqual({ verdict: first, period, day, accepted: first !== 'DECLINED_LATE' });
    expect(v(true, accept)).toEqual({ verdict: again, period, day, accepted: again !== 'DECLINED_LATE' });
    expect(v(false, decline).verdict).toBe(firstDecline);
    // a resubmission is never affected by the late-first-submission policy
    expect(v(true, decline).verdict).toBe(again);
  });

  it('follows the configured days', () => {
    const p: DeadlinePolicy = { onTimeLastDay: 3, resubmissionLastDay: 7, lateFirstSubmission: 'accept' };
    const at = (d: string) => submissionVerdict({ receivedAt: localDateTimeToInstant(d, '12:00', LA), tz: LA, alreadySubmittedForPeriod: false, policy: p }).verdict;
    expect(at('2026-11-03')).toBe('ON_TIME');
    expect(at('2026-11-04')).toBe('LATE_ACCEPTED');
    expect(at('2026-11-07')).toBe('LATE_ACCEPTED');
    expect(at('2026-11-08')).toBe('DECLINED_LATE');
  });

  it('uses the plan zone, not UTC', () => {
    const receivedAt = new Date('2026-11-11T07:30:00Z');
    expect(submissionVerdict({ receivedAt, tz: 'UTC', alreadySubmittedForPeriod: true, policy: accept }).verdict).toBe('DECLINED_LATE');
    expect(submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod: true, policy: accept }).verdict).toBe('RESUBMISSION');
  });

  it('rejects an inconsistent policy', () => {
    const receivedAt = new Date('2026-11-02T12:00:00Z');
    expect(() => submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod: false, policy: { ...accept, onTimeLastDay: 11 } })).toThrow(RangeError);
  });

  it('reads the policy from the settings', () => {
    expect(deadlinePolicyFromConfig(loadConfig({}))).toEqual(DEFAULT_DEADLINE_POLICY);
    expect(deadlinePolicyFromConfig(loadConfig({ LATE_FIRST_SUBMISSION: 'decline', ON_TIME_LAST_DAY: '4' }))).toEqual({
      onTimeLastDay: 4, resubmissionLastDay: 10, lateFirstSubmission: 'decline',
    });
  });
});

describe('declinedMessage', () => {
  it('says when it arrived, where the updates go and when the next window opens', () => {
    const receivedAt = new Date('2026-11-11T08:30:00Z');
    const { period } = submissionVerdict({ receivedAt, tz: LA, alreadySubmittedForPeriod: true, policy: accept });
    const msg = declinedMessage(period, receivedAt, LA, accept);
    expect(msg).toBe(
      'Your file for reporting period 10/2026 was received on 11/11/2026 at 12:30 AM PST and has been declined: it was not processed. ' +
        'It arrived after the 10th of the month, the last day files for that period are accepted. ' +
        "Please include these updates in next month's file (reporting period 11/2026) instead. " +
        'The next submission window opens on 12/01/2026 and files are on time through 12/05/2026.',
    );
  });

  it('rolls the year for a December receipt', () => {
    const msg = declinedMessage('2026-11', new Date('2026-12-15T20:00:00Z'), LA, accept);
    expect(msg).toContain('received on 12/15/2026 at 12:00 PM PST');
    expect(msg).toContain('reporting period 12/2026');
    expect(msg).toContain('opens on 01/01/2027');
    expect(msg).toContain('through 01/05/2027');
  });

  it('explains a first submission declined by the lateFirstSubmission=decline policy', () => {
    const msg = declinedMessage('2026-10', new Date('2026-11-07T18:00:00Z'), LA, decline);
    expect(msg).toContain('after the 5th of the month, and no file of this type had been submitted for that period');
    expect(msg).toContain('only resubmissions (through the 10th)');
    expect(msg).toContain('opens on 12/01/2026');
  });

  it.each([[1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [10, '10th'], [11, '11th'], [12, '12th'], [13, '13th'], [21, '21st'], [22, '22nd'], [23, '23rd']])(
    'ordinal(%i) = %s',
    (n, s) => expect(ordinal(n)).toBe(s),
  );

  it('nextSubmissionWindow', () => {
    expect(nextSubmissionWindow(new Date('2026-11-11T08:30:00Z'), LA, accept)).toEqual({
      period: '2026-11', opens: '2026-12-01', onTimeUntil: '2026-12-05', acceptedUntil: '2026-12-10',
    });
    // 23:30 PST on Jan 31 2028 is already Feb 1 in UTC: the next window is February's, not March's
    expect(nextSubmissionWindow(new Date('2028-02-01T07:30:00Z'), LA, accept).opens).toBe('2028-02-01');
  });
});
