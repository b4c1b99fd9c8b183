// A planned switch the day's check does not apply, and the day it takes effect. The extract
// loaded November 20th (assignments-nov.csv) moves three members to RIVAL from December 20th:
// Ann (91000001A, HN, ACME's: applied), Cy (91000003C, HN: ACME's episode from a referral approved
// December 4th, after the extract, keeps him) and Dee (91000004D, CV: RIVAL's CalViva contract
// ends December 15th, before the day). Those two are not applied on their day; until now only a
// log line (counts) said so. Now the record is kept (ops list it with the CINs), and the
// liaisons of both providers' ECM contracts in the line are told once (no CINs, no names), even
// when the mail server is down on the day (the outbox: the notify job sends it later).
// The day's switches are applied by a scheduler job just after plan-local midnight
// (SWITCHES_AT), not by whichever run happens to come first that day.
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDefinitions } from '../../jobs/schedule.js';
import { generate } from '../../src/generate/run.js';
import { deliverDue } from '../../src/notify/mailer.js';
import { Coordinator } from '../../src/runs/coordinator.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { closePlanWorld, importExtract, onSlotDay, openPlanWorld, type PlanWorld } from '../helpers/world.js';

const ANN = '91000001A';
const CY = '91000003C';
const DEE = '91000004D';
const ED = '91000005E';
/** The members' CINs and names: never in a liaison's email. */
const PHI = /9100000\d[A-Z]|Alpha|Ann\b|Charlie|Cy\b|Delta|Dee\b|Echo|Ed\b/;

let w: PlanWorld;
let sink: SmtpSink;
/** A port nothing listens on: the mail server is down. */
let downPort: number;

const holder = async (cin: string, lob: string) =>
  (await w.db.pool.query(`select provider_code from ecm_assignments where cin = $1 and lob = $2`, [cin, lob])).rows[0]?.provider_code;
const notices = async () => (await w.db.pool.query(
  `select recipients, subject, body, status, dedupe_key from notifications where kind = 'switch-not-applied' order by id`)).rows;

beforeAll(async () => {
  w = await openPlanWorld('switch-not-applied', { settings: { SFTP_STABLE_SECONDS: '0' } });
  await w.db.pool.query(`insert into provider_contracts (provider_code, lob, program) values ('RIVAL', 'CV', 'ECM')`);
  await w.db.pool.query(`update providers set liaison_email = lower(provider_code) || '-liaison@plan.example'`);
  sink = await startSmtpSink();
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  downPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(async () => {
  await sink?.stop();
  await closePlanWorld(w);
});

describe('a planned switch not applied on its day', () => {
  it('the extract of November 20th plans three moves to RIVAL from December 20th; a referral keeps Cy with ACME, and RIVAL\'s CalViva contract ends first', async () => {
    const s = await importExtract(w, 'ecm-assignments', 'assignments-nov.csv',
      [`${ANN},RIVAL,HN,1,2026-12-20,,,,,,`, `${CY},RIVAL,HN,1,2026-12-20,,,,,,`, `${DEE},RIVAL,CV,1,2026-12-20,,,,,,`], '2026-11-20T16:00:00Z');
    expect(s.warnings.map((x) => x.code)).toEqual(['planned-switch', 'planned-switch', 'planned-switch']);
    await importExtract(w, 'referrals', 'referrals-dec.csv', [`R-CY-1,${CY},ACME,HN,2026-12-04`], '2026-12-05T16:00:00Z');
    // (as the providers extract with contract_end records it)
    await w.db.pool.query(`update provider_contracts set contract_end = '2026-12-15' where provider_code = 'RIVAL' and lob = 'CV' and program = 'ECM'`);
  });

  it('the scheduler\'s job just after midnight of December 20th applies the day\'s switches: Ann is RIVAL\'s from the start of the day', async () => {
    const config = { ...w.config, SMTP_URL: `smtp://127.0.0.1:${downPort}` };
    const at = new Date('2026-12-20T08:05:00Z'); // 00:05 PST
    const coordinator = new Coordinator(jobDefinitions({ pool: w.db.pool, config, openSession: () => Promise.reject(new Error('no sftp')) }, ['switches']), {
      pool: w.db.pool, config, now: () => at,
    });
    const fired = await coordinator.fire('switches', at);
    expect(fired).toMatchObject({ job: 'switches', slot: '2026-12-20', status: 'ran', counts: { applied: 1, notApplied: 2 } });
    expect(await holder(ANN, 'HN')).toBe('RIVAL');
    expect(await holder(CY, 'HN')).toBe('ACME');
    expect(await holder(DEE, 'CV')).toBe('ACME');
  });

  it('the two not applied are on record, with the members (for ops), the providers, the extract\'s row and file, the day and a plain reason', async () => {
    const rows = (await w.db.pool.query(
      `select cin, lob, from_provider, to_provider, assigned_date, row_number, file_name, reason from ecm_switches_not_applied order by row_number`)).rows;
    expect(rows).toEqual([
      { cin: CY, lob: 'HN', from_provider: 'ACME', to_provider: 'RIVAL', assigned_date: '2026-12-20', row_number: 3, file_name: 'assignments-nov.csv', reason: expect.stringMatching(/referral.*ACME.*2026-12-04/) },
      { cin: DEE, lob: 'CV', from_provider: 'ACME', to_provider: 'RIVAL', assigned_date: '2026-12-20', row_number: 4, file_name: 'assignments-nov.csv', reason: expect.stringMatching(/RIVAL's ECM contract for CV ended on 2026-12-15/) },
    ]);
    expect((await w.db.pool.query('select count(*)::int n from ecm_assignment_pending')).rows[0].n).toBe(0);
  });

  it('the liaisons of both providers\' contracts in the line hear of it once, kept in the outbox while the mail server is down, without CINs or names', async () => {
    const pending = await notices();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'PENDING', recipients: ['acme-liaison@plan.example', 'rival-liaison@plan.example'] });
    expect(pending[0].subject).toMatch(/2 planned switch\(es\) not applied/);
    expect(pending[0].body).toMatch(/row 3 of assignments-nov\.csv: ACME to RIVAL in HN from 2026-12-20: not applied: .*referral/);
    expect(pending[0].body).toMatch(/row 4 of assignments-nov\.csv: ACME to RIVAL in CV from 2026-12-20: not applied: .*contract/);
    expect(pending[0].body).not.toMatch(PHI);
    // the mail server is back: the notify job's pass sends it, once
    const up = { ...w.config, SMTP_URL: sink.url };
    await w.db.pool.query(`update notifications set next_attempt_at = now() where kind = 'switch-not-applied'`);
    expect(await deliverDue(up, w.db.pool, new Date('2026-12-20T09:00:00Z'))).toMatchObject({ sent: 1 });
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]!.to.sort()).toEqual(['acme-liaison@plan.example', 'rival-liaison@plan.example']);
    expect(sink.messages[0]!.data).not.toMatch(PHI);
  });

  it('the day\'s later runs find nothing more: no second record, no second email', async () => {
    await generate('mini-mif', onSlotDay('2026-12-20'), { ...w.deps, config: { ...w.config, SMTP_URL: sink.url } });
    await importExtract(w, 'referrals', 'referrals-none.csv', [], '2026-12-21T16:00:00Z');
    expect((await w.db.pool.query('select count(*)::int n from ecm_switches_not_applied')).rows[0].n).toBe(2);
    expect(await notices()).toHaveLength(1);
    expect(sink.messages.filter((m) => /planned switch/.test(m.subject))).toHaveLength(1);
  });

  it('an import that meets a due switch it cannot apply records it and alerts at once (here to the outbox)', async () => {
    // Ed (RIVAL's) moved to ACME from January 10th; ACME's Health Net contract ends January 5th
    await importExtract(w, 'ecm-assignments', 'assignments-jan.csv', [`${ED},ACME,HN,1,2027-01-10,,,,,,`], '2026-12-28T16:00:00Z');
    await w.db.pool.query(`update provider_contracts set contract_end = '2027-01-05' where provider_code = 'ACME' and lob = 'HN' and program = 'ECM'`);
    await importExtract(w, 'referrals', 'referrals-jan.csv', [], '2027-01-10T17:00:00Z');
    expect(await holder(ED, 'HN')).toBe('RIVAL');
    expect((await w.db.pool.query(`select cin, from_provider, to_provider, row_number, file_name from ecm_switches_not_applied where cin = $1`, [ED])).rows)
      .toEqual([{ cin: ED, from_provider: 'RIVAL', to_provider: 'ACME', row_number: 2, file_name: 'assignments-jan.csv' }]);
    const n = (await notices()).at(-1)!;
    expect(n).toMatchObject({ status: 'SENT', recipients: ['acme-liaison@plan.example', 'rival-liaison@plan.example'] });
    expect(n.body).toMatch(/row 2 of assignments-jan\.csv: RIVAL to ACME in HN from 2027-01-10/);
    const eml = (await w.db.pool.query(`select location from notifications where kind = 'switch-not-applied' order by id desc limit 1`)).rows[0].location;
    expect(fs.readFileSync(eml, 'utf8')).not.toMatch(PHI);
  });
});
