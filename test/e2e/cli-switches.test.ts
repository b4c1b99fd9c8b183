// Ops asking "which moves has the plan scheduled, and which did not happen?": `calaim-exchange
// switches` lists the planned ECM switches (the member, who holds them until the day, the
// provider the extract named, the day, the extract's row and file) and, with --not-applied, the
// ones their day's run did not apply, with the plain reason. The extract of November 20th moves
// Ann (91000001A) and Cy (91000003C) to RIVAL from December 20th; a referral approved December
// 4th keeps Cy with ACME.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM } from '../../schemas/upstream.js';
import { expectUsageError, runCli } from '../helpers/cli.js';
import { closeCliWorld, openCliWorld, type CliWorld } from '../helpers/world.js';

let w: CliWorld;
const extract = (name: string, kind: 'ecm-assignments' | 'referrals', rows: string[]) => {
  const file = path.join(w.dataDir, name);
  fs.writeFileSync(file, [UPSTREAM[kind].columns.join(','), ...rows, ''].join('\n'));
  return file;
};

beforeAll(async () => {
  w = await openCliWorld('cli-switches');
  const nov = await runCli(['import', 'ecm-assignments', extract('assignments-nov.csv', 'ecm-assignments',
    ['91000001A,RIVAL,HN,1,2026-12-20,,,,,,', '91000003C,RIVAL,HN,1,2026-12-20,,,,,,']), '--now', '2026-11-20T08:00:00-08:00'], w.env);
  expect(nov.code, nov.stderr).toBe(0);
  const dec = await runCli(['import', 'referrals', extract('referrals-dec.csv', 'referrals', ['R-CY-1,91000003C,ACME,HN,2026-12-04']), '--now', '2026-12-05T08:00:00-08:00'], w.env);
  expect(dec.code, dec.stderr).toBe(0);
});
afterAll(() => closeCliWorld(w));

describe('calaim-exchange switches', () => {
  it('lists the planned switches with the members, their provider until the day and the provider named', async () => {
    const r = await runCli(['switches', '--json', '--now', '2026-12-10T08:00:00-08:00'], w.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual([
      expect.objectContaining({ status: 'planned', cin: '91000001A', lob: 'HN', provider: 'ACME', to: 'RIVAL', day: '2026-12-20', row: 2, file: 'assignments-nov.csv', reason: null }),
      expect.objectContaining({ status: 'planned', cin: '91000003C', lob: 'HN', provider: 'ACME', to: 'RIVAL', day: '2026-12-20', row: 3, file: 'assignments-nov.csv', reason: null }),
    ]);
  });

  it('a planned switch whose day has come and that no run applied yet is shown as due, not as the old holder\'s for good', async () => {
    const r = await runCli(['switches', '--json', '--now', '2026-12-20T00:01:00-08:00'], w.env);
    expect(r.code, r.stderr).toBe(0);
    expect((r.json as { status: string }[]).map((x) => x.status)).toEqual(['due', 'due']);
  });

  it('--not-applied: after the day\'s run, the one not applied with its reason (and the CIN, for ops)', async () => {
    const run = await runCli(['scheduler', '--fire', 'switches', '--now', '2026-12-20T00:05:00-08:00', '--json'], w.env);
    expect(run.code, run.stderr).toBe(0);
    const r = await runCli(['switches', '--not-applied', '--json'], w.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual([expect.objectContaining({
      status: 'not-applied', cin: '91000003C', lob: 'HN', provider: 'ACME', to: 'RIVAL', day: '2026-12-20', row: 3, file: 'assignments-nov.csv',
      reason: expect.stringMatching(/referral/), checkedAt: expect.stringMatching(/^2026-12-20T00:05/),
    })]);
    const text = await runCli(['switches'], w.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/not-applied\s+91000003C\s+HN\s+ACME\s+RIVAL\s+2026-12-20/);
    expect(await w.one(`select provider_code from ecm_assignments where cin = '91000001A' and lob = 'HN'`)).toEqual({ provider_code: 'RIVAL' });
  });

  it('a bad flag is a usage error: exit 2, no stack trace', async () => {
    expectUsageError(await runCli(['switches', '--limit', '0'], w.env), /--limit takes a whole number/);
    expectUsageError(await runCli(['switches', '--bogus'], w.env), /unknown option/);
  });
});
