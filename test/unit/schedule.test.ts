// The cron table and the coordinator's slot rules: expressions stay out of the DST hours,
// node-cron's real fire sequence across spring-forward and fall-back days maps to exactly one
// slot per date, and catch-up picks the right slots per policy.
import cron from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JOB_NAMES, jobDefinitions, scheduleHelp, scheduleTable } from '../../jobs/schedule.js';
import { pollCounts } from '../../jobs/poll.js';
import { localParts } from '../../src/calendar/zone.js';
import { loadConfig } from '../../src/config.js';
import { cronHasSeconds, dueSlots, fireSlot, manualPollSlot, outOfDate, slotOfFire, slotsToCatchUp, type JobDefinition } from '../../src/runs/coordinator.js';

const TZ = 'America/Los_Angeles';
const config = loadConfig({});
const defs = jobDefinitions({ pool: undefined as never, config, openSession: () => Promise.reject(new Error('no sftp in unit tests')) });
const def = (name: string): JobDefinition => defs.find((d) => d.name === name)!;

/** The instants node-cron itself would fire `expr` at, starting just after `from` (at most `max`). */
function fires(expr: string, from: string, until: string, max = 400): Date[] {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(from));
  const task = cron.createTask(expr, () => undefined, { timezone: TZ });
  try {
    const out: Date[] = [];
    // getNextRuns walks from "now"; ask for more than enough and cut at `until`.
    for (const d of task.getNextRuns(max)) {
      if (d.getTime() > Date.parse(until)) break;
      out.push(d);
    }
    return out;
  } finally {
    void task.destroy();
    vi.useRealTimers();
  }
}

afterEach(() => vi.useRealTimers());

describe('the cron table', () => {
  it('has one entry per job, valid node-cron expressions, date slots fired between 03:00 and 23:59 local', () => {
    const table = scheduleTable(config);
    expect(table.map((e) => e.job).sort()).toEqual([...JOB_NAMES].sort());
    for (const e of table) expect(cron.validate(e.cron), `${e.job}: ${e.cron}`).toBe(true);
    expect(Object.fromEntries(table.map((e) => [e.job, [e.cron, e.catchUp]]))).toEqual({
      switches: ['5 0 * * *', 'current'],
      mif: ['30 6 15 * *', 'current'],
      csasf: ['45 6 15,28-31 * *', 'current'],
      'mini-mif': ['0 7 * * *', 'current'],
      'minimif-sla': ['15 7 * * *', 'current'],
      'missing-alert': ['0 8 6,11 * *', 'current'],
      retention: ['30 5 * * *', 'current'],
      poll: ['*/15 * * * * *', 'startup'],
      notify: ['*/5 * * * *', 'startup'],
    });
    for (const e of table.filter((x) => x.slotKind === 'date')) {
      const [minute, hour] = e.cron.split(' ');
      expect(minute, e.job).toMatch(/^\d+$/);
      expect(hour, e.job).toMatch(/^\d+$/);
      // 01:00-03:00 is where DST skips or repeats an hour
      expect(Number(hour) < 1 || Number(hour) >= 3, `${e.job} fires at ${hour}h`).toBe(true);
      expect(e.at).toBe(`${hour!.padStart(2, '0')}:${minute!.padStart(2, '0')}`);
    }
  });

  it('follows the settings: CSASF second day, alert days, poll frequency', () => {
    const t = scheduleTable({ ...config, CSASF_SECOND_RUN_DAY: 20, ON_TIME_LAST_DAY: 7, RESUBMISSION_LAST_DAY: 12, CSPRTF_ON_TIME_LAST_DAY: 12, POLL_CRON: '*/2 * * * *' });
    const by = Object.fromEntries(t.map((e) => [e.job, e.cron]));
    expect(by.csasf).toBe('45 6 15,20-31 * *');
    expect(by['missing-alert']).toBe('0 8 8,13 * *');
    // the day after the CSPRTF window is a digest day of its own when it differs
    const cs = scheduleTable({ ...config, CSPRTF_ON_TIME_LAST_DAY: 15 });
    expect(cs.find((e) => e.job === 'missing-alert')!.cron).toBe('0 8 6,11,16 * *');
    expect(by.poll).toBe('*/2 * * * *');
  });

  it('the planned switches fire at SWITCHES_AT (just after midnight by default), never in the hours a DST change skips or repeats', () => {
    expect(scheduleTable({ ...config, SWITCHES_AT: '00:30' }).find((e) => e.job === 'switches')).toMatchObject({ cron: '30 0 * * *', at: '00:30' });
    expect(jobDefinitions({ pool: undefined as never, config: loadConfig({ SWITCHES_AT: '04:10' }), openSession: () => Promise.reject(new Error('no sftp')) })
      .find((d) => d.name === 'switches')).toMatchObject({ cron: '10 4 * * *', at: '04:10', slotKind: 'date', catchUp: 'current' });
    for (const bad of ['01:30', '02:00', '24:00', '5:00', 'midnight']) expect(() => loadConfig({ SWITCHES_AT: bad }), bad).toThrow(/SWITCHES_AT/);
    expect(scheduleHelp(config)).toMatch(/switches\s+SWITCHES_AT \(00:05\) daily/);
  });
});

describe('cron fires → slots across DST (America/Los_Angeles)', () => {
  const daily = ['mini-mif', 'minimif-sla'];
  for (const [label, from, until, days] of [
    ['spring forward 2026-03-08', '2026-03-07T00:00:00-08:00', '2026-03-10T00:00:00-07:00', ['2026-03-07', '2026-03-08', '2026-03-09']],
    ['fall back 2026-11-01', '2026-10-31T00:00:00-07:00', '2026-11-03T00:00:00-08:00', ['2026-10-31', '2026-11-01', '2026-11-02']],
  ] as const) {
    it(`${label}: every daily job fires once per local date, never skipped or doubled`, () => {
      for (const name of daily) {
        const instants = fires(def(name).cron, from, until);
        const slots = instants.map((d) => slotOfFire(def(name), d, TZ));
        expect(slots, name).toEqual(days);
        for (const d of instants) {
          const h = localParts(d, TZ).hour;
          expect(h >= 3, `${name} at ${d.toISOString()}`).toBe(true);
        }
      }
    });
  }

  it('the planned switches (00:05) fire once per local date on DST days too, on that date', () => {
    for (const [from, until, days] of [
      ['2026-03-07T00:00:00-08:00', '2026-03-10T00:00:00-07:00', ['2026-03-07', '2026-03-08', '2026-03-09']],
      ['2026-10-31T00:00:00-07:00', '2026-11-03T00:00:00-08:00', ['2026-10-31', '2026-11-01', '2026-11-02']],
    ] as const) {
      const instants = fires(def('switches').cron, from, until);
      expect(instants.map((d) => slotOfFire(def('switches'), d, TZ))).toEqual(days);
      for (const d of instants) expect(localParts(d, TZ).time.slice(0, 5)).toBe('00:05');
    }
  });

  it('the monthly and twice-monthly jobs on DST-adjacent months: one slot per real slot day', () => {
    const mif = fires(def('mif').cron, '2026-03-01T00:00:00-08:00', '2026-12-01T00:00:00-08:00').map((d) => slotOfFire(def('mif'), d, TZ));
    expect(mif).toEqual(['2026-03-15', '2026-04-15', '2026-05-15', '2026-06-15', '2026-07-15', '2026-08-15', '2026-09-15', '2026-10-15', '2026-11-15']);
    // 28-31 fire in every month; the guard keeps the 29th, or the last day of February
    const csasf = fires(def('csasf').cron, '2027-02-01T00:00:00-08:00', '2027-04-01T00:00:00-07:00')
      .map((d) => slotOfFire(def('csasf'), d, TZ))
      .filter((s) => s !== null);
    expect(csasf).toEqual(['2027-02-15', '2027-02-28', '2027-03-15', '2027-03-29']);
    const alerts = fires(def('missing-alert').cron, '2026-10-01T00:00:00-07:00', '2026-12-01T00:00:00-08:00').map((d) => slotOfFire(def('missing-alert'), d, TZ));
    expect(alerts).toEqual(['2026-10-06', '2026-10-11', '2026-11-06', '2026-11-11']);
  });

  it('the poll (every 15 s by default): every fire on DST days is its own slot; no local second runs twice', () => {
    for (const [from, until] of [
      ['2026-11-01T00:00:00-07:00', '2026-11-01T04:00:00-08:00'],
      ['2026-03-08T00:00:00-08:00', '2026-03-08T04:00:00-07:00'],
    ] as const) {
      const instants = fires(def('poll').cron, from, until, 5 * 240);
      expect(instants.at(-1)!.getTime()).toBeGreaterThan(Date.parse(until) - 60_000); // the whole night, not cut short
      const slots = instants.map((d) => slotOfFire(def('poll'), d, TZ)!);
      expect(new Set(slots).size).toBe(slots.length);
      for (const s of slots) expect(s).toMatch(/^2026-\d\d-\d\dT\d\d:\d\d:(00|15|30|45)(-08:00)?$/);
      // node-cron walks local time: the repeated 01:xx hour of the fall-back day is fired once
      // (daylight time), so polling pauses for at most 65 minutes that night; the
      // spring-forward gap costs nothing (01:59 PST is followed by 03:00 PDT, a minute later).
      const gaps = instants.slice(1).map((d, i) => (d.getTime() - instants[i]!.getTime()) / 60_000);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(65);
    }
  });

  it('a five-field fire slot: plain local minute, offset only for the second 01:xx of a fall-back day', () => {
    expect(fireSlot(new Date('2026-11-04T17:03:20Z'), TZ, false)).toBe('2026-11-04T09:03');
    expect(fireSlot(new Date('2026-11-01T08:05:00Z'), TZ, false)).toBe('2026-11-01T01:05'); // PDT
    expect(fireSlot(new Date('2026-11-01T09:05:00Z'), TZ, false)).toBe('2026-11-01T01:05-08:00'); // PST, the repeat
    expect(fireSlot(new Date('2026-11-01T10:05:00Z'), TZ, false)).toBe('2026-11-01T02:05');
    expect(fireSlot(new Date('2026-03-08T09:55:00Z'), TZ, false)).toBe('2026-03-08T01:55');
    expect(fireSlot(new Date('2026-03-08T10:00:00Z'), TZ, false)).toBe('2026-03-08T03:00');
  });

  it('fire slots: to the second for a cron with a seconds field, to the minute (as ever) for five fields', () => {
    expect(cronHasSeconds('*/15 * * * * *')).toBe(true);
    expect(cronHasSeconds(' 0  */5 * * * * ')).toBe(true);
    expect(cronHasSeconds('* * * * *')).toBe(false);
    expect(cronHasSeconds('*/5 * * * *')).toBe(false);
    expect(fireSlot(new Date('2026-11-04T17:03:15Z'), TZ, true)).toBe('2026-11-04T09:03:15');
    expect(fireSlot(new Date('2026-11-04T17:03:15Z'), TZ, false)).toBe('2026-11-04T09:03');
    expect(fireSlot(new Date('2026-11-01T08:05:45Z'), TZ, true)).toBe('2026-11-01T01:05:45'); // PDT
    expect(fireSlot(new Date('2026-11-01T09:05:45Z'), TZ, true)).toBe('2026-11-01T01:05:45-08:00'); // PST, the repeat
    const pollOn = (cronExpr: string) => jobDefinitions({ pool: undefined as never, config: { ...config, POLL_CRON: cronExpr }, openSession: () => Promise.reject(new Error('no sftp')) }).find((d) => d.name === 'poll')!;
    // a poll every 15 s: the four fires of a minute are four slots
    const fast = pollOn('*/15 * * * * *');
    const minute = fires(fast.cron, '2026-11-30T09:59:59-08:00', '2026-11-30T10:00:59-08:00');
    expect(minute.map((d) => slotOfFire(fast, d, TZ))).toEqual(['2026-11-30T10:00:00', '2026-11-30T10:00:15', '2026-11-30T10:00:30', '2026-11-30T10:00:45']);
    // five-field crons keep their minute slots: the notify job, a poll every 5 minutes
    expect(slotOfFire(def('notify'), new Date('2026-11-30T18:05:00Z'), TZ)).toBe('2026-11-30T10:05');
    expect(slotOfFire(pollOn('*/5 * * * *'), new Date('2026-11-30T18:05:00Z'), TZ)).toBe('2026-11-30T10:05');
  });

  it('an operator\'s poll never takes the slot of the scheduler\'s poll fire at the same second', () => {
    const at = new Date('2026-11-30T18:00:15Z');
    expect(manualPollSlot(at, TZ)).toBe('2026-11-30T10:00:15 manual');
    expect(manualPollSlot(at, TZ)).not.toBe(slotOfFire(def('poll'), at, TZ));
  });

  it('a fire uses the plan-local date of its instant, whatever the UTC date', () => {
    // 07:00 PST on Nov 17 is 15:00Z; 23:30 PDT on Oct 31 is already Nov 1 in UTC
    expect(slotOfFire(def('mini-mif'), new Date('2026-11-17T15:00:00Z'), TZ)).toBe('2026-11-17');
    expect(slotOfFire(def('mini-mif'), new Date('2026-11-01T06:30:00Z'), TZ)).toBe('2026-10-31');
    expect(slotOfFire(def('mif'), new Date('2026-11-16T14:30:00Z'), TZ)).toBeNull();
  });
});

describe('catch-up policy', () => {
  const now = new Date('2026-11-17T16:00:00Z'); // 08:00 PST on the 17th

  it('due slots: within CATCH_UP_DAYS, only after their local fire time', () => {
    expect(dueSlots(def('mif'), now, TZ, 35)).toEqual(['2026-10-15', '2026-11-15']);
    expect(dueSlots(def('csasf'), now, TZ, 35)).toEqual(['2026-10-15', '2026-10-29', '2026-11-15']);
    expect(dueSlots(def('missing-alert'), now, TZ, 35)).toEqual(['2026-11-06', '2026-11-11']); // the window starts 2026-10-14
    expect(dueSlots(def('mini-mif'), now, TZ, 3)).toEqual(['2026-11-15', '2026-11-16', '2026-11-17']);
    // at 06:59 on the 17th, today's mini-MIF is not due yet
    expect(dueSlots(def('mini-mif'), new Date('2026-11-17T14:59:00Z'), TZ, 3)).toEqual(['2026-11-15', '2026-11-16']);
    expect(dueSlots(def('poll'), now, TZ, 35)).toEqual([]);
  });

  it('current: only the latest due slot, if it has not succeeded (a missed older slot is superseded, never sent); nothing while an instance is live; startup none', () => {
    const due = ['2026-10-15', '2026-10-29', '2026-11-15'];
    // the 10-29 CSASF was missed and the 11-15 one is due: only the 11-15 one is made up
    expect(slotsToCatchUp('current', due, new Map())).toEqual(['2026-11-15']);
    expect(slotsToCatchUp('current', due, new Map([['2026-10-29', { status: 'FAILED', stale: false }]]))).toEqual(['2026-11-15']);
    expect(slotsToCatchUp('current', due, new Map([['2026-11-15', { status: 'FAILED', stale: false }]]))).toEqual(['2026-11-15']);
    expect(slotsToCatchUp('current', due, new Map([['2026-11-15', { status: 'ABANDONED', stale: false }]]))).toEqual(['2026-11-15']);
    expect(slotsToCatchUp('current', due, new Map([['2026-11-15', { status: 'RUNNING', stale: true }]]))).toEqual(['2026-11-15']);
    expect(slotsToCatchUp('current', due, new Map([['2026-11-15', { status: 'SUCCEEDED', stale: false }]]))).toEqual([]);
    // another instance is live on one of the job's slots: leave the job to it until the next pass
    expect(slotsToCatchUp('current', due, new Map([['2026-10-29', { status: 'RUNNING', stale: false }]]))).toEqual([]);
    expect(slotsToCatchUp('startup', due, new Map())).toEqual([]);
  });

  it('digests and alerts are out of date after CATCH_UP_ALERT_DAYS; file slots never (the next slot supersedes them)', () => {
    const alerts = jobDefinitions({ pool: undefined as never, config: loadConfig({ CATCH_UP_ALERT_DAYS: '2' }), openSession: () => Promise.reject(new Error('no sftp')) });
    const alert = alerts.find((d) => d.name === 'missing-alert')!;
    // the 11th's digest (about October) on the 12th: still the current cycle; on the 13th or the 29th: out of date
    expect(outOfDate(alert, '2026-11-11', new Date('2026-11-12T20:00:00Z'), TZ)).toBe(false);
    expect(outOfDate(alert, '2026-11-11', new Date('2026-11-13T20:00:00Z'), TZ)).toBe(true);
    expect(outOfDate(alert, '2026-11-11', new Date('2026-11-29T16:00:00Z'), TZ)).toBe(true);
    expect(outOfDate(alerts.find((d) => d.name === 'minimif-sla')!, '2026-11-16', new Date('2026-11-17T14:00:00Z'), TZ)).toBe(false);
    expect(outOfDate(def('mif'), '2026-11-15', new Date('2026-12-14T16:00:00Z'), TZ)).toBe(false);
    expect(outOfDate(def('retention'), '2026-11-15', new Date('2026-12-14T16:00:00Z'), TZ)).toBe(false);
  });

});

describe('what a poll attempt processed (run history)', () => {
  it('counts per provider that had files, with outcomes; no file names', () => {
    const counts = pollCounts({
      providers: 3, files: 3, failedProviders: 1, failedFiles: 1,
      byProvider: [
        { provider: 'ACME', ready: 2, waiting: 0, processed: 2, failed: 0 },
        { provider: 'RIVAL', ready: 1, waiting: 0, processed: 0, failed: 1 },
        { provider: 'HOMEWAY', ready: 0, waiting: 0, processed: 0, failed: 0, error: 'folder unreadable' },
        { provider: 'MEALS', ready: 0, waiting: 1, processed: 0, failed: 0 },
      ],
      results: [
        { provider: 'ACME', file: 'RTF_ACME_202611.xlsx', outcome: 'ACCEPTED' },
        { provider: 'ACME', file: 'OTF_ACME_202611.xlsx', outcome: 'REJECTED' },
        { provider: 'RIVAL', file: 'RTF_RIVAL_202611.xlsx', error: 'connection reset' },
      ],
      recovered: [],
    });
    expect(counts).toEqual({
      providers: 3, files: 3, failedProviders: 1, failedFiles: 1,
      outcomes: { ACCEPTED: 1, REJECTED: 1 },
      byProvider: {
        ACME: { processed: 2, failed: 0, outcomes: { ACCEPTED: 1, REJECTED: 1 } },
        RIVAL: { processed: 0, failed: 1, outcomes: {} },
        HOMEWAY: { processed: 0, failed: 0, outcomes: {} },
      },
    });
    expect(JSON.stringify(counts)).not.toContain('.xlsx');
  });
});
