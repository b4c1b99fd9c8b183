// The plan's last days as Postgres evaluates them (src/repositories/last-day.ts), under the two
// names the queries use: a contract in force (provider_contracts.contract_end) and a member
// eligible (members.eligibility_end). On a day: not ended before it (the last day itself
// counts); for a reporting period: on its first day (the month it ends in still counts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodFirstDay } from '../../src/calendar/period.js';
import { memberEligible } from '../../src/repositories/members.js';
import { contractInForce } from '../../src/repositories/providers.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db?.drop());

type Case = [string | null, string, boolean];
const RULES: { name: string; rule: (alias: string, day: string) => string; alias: string; column: string; onDay: Case[]; forPeriod: Case[] }[] = [
  {
    name: 'contractInForce',
    rule: contractInForce,
    alias: 'c',
    column: 'contract_end',
    onDay: [
      [null, '2026-12-15', true],
      ['2026-11-30', '2026-11-15', true],
      ['2026-11-30', '2026-11-30', true],
      ['2026-11-30', '2026-12-01', false],
      ['2026-11-30', '2026-12-15', false],
      ['2026-12-15', '2026-12-15', true],
      ['2026-12-14', '2026-12-15', false],
    ],
    forPeriod: [
      [null, '2030-01', true],
      ['2026-11-30', '2026-11', true],
      ['2026-11-01', '2026-11', true],
      ['2026-11-30', '2026-12', false],
      ['2026-12-01', '2026-12', true],
      ['2026-10-31', '2026-11', false],
      ['2026-12-31', '2027-01', false],
    ],
  },
  {
    name: 'memberEligible',
    rule: memberEligible,
    alias: 'm',
    column: 'eligibility_end',
    onDay: [
      [null, '2026-12-15', true],
      ['2026-11-30', '2026-11-15', true],
      ['2026-11-30', '2026-11-30', true],
      ['2026-11-30', '2026-12-01', false],
      ['2026-12-14', '2026-12-15', false],
      ['2026-12-15', '2026-12-15', true],
    ],
    forPeriod: [
      [null, '2030-01', true],
      ['2026-11-30', '2026-11', true],
      ['2026-11-01', '2026-11', true],
      ['2026-11-30', '2026-12', false],
      ['2026-10-31', '2026-11', false],
    ],
  },
];

describe.each(RULES)('$name ($column), as a table', ({ rule, alias, column, onDay, forPeriod }) => {
  const holds = async (end: string | null, day: string) =>
    (await db.pool.query<{ v: boolean }>(`select ${rule(alias, '$2::date')} as v from (select $1::date as ${column}) ${alias}`, [end, day])).rows[0]!.v;

  it('on a day: not ended before it (the last day itself counts)', async () => {
    for (const [end, day, want] of onDay) expect(await holds(end, day), `${end} on ${day}`).toBe(want);
  });

  it('for a reporting period: on its first day (the month it ends in still counts)', async () => {
    for (const [end, period, want] of forPeriod) expect(await holds(end, periodFirstDay(period)), `${end} for ${period}`).toBe(want);
  });
});
