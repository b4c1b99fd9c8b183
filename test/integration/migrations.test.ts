import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import fs from 'node:fs';
import { runner } from 'node-pg-migrate';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.js';

const adminUrl = inject('adminDatabaseUrl');
const name = `m_${randomBytes(5).toString('hex')}`;
let pool: pg.Pool;

afterAll(async () => {
  await pool?.end();
  const a = new pg.Client({ connectionString: adminUrl });
  await a.connect();
  await a.query(`drop database if exists ${name} with (force)`);
  await a.end();
});

describe('migrations', () => {
  it('apply on an empty database, and re-running them is a no-op', async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`create database ${name}`);
    await a.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    pool = new pg.Pool({ connectionString: u.toString() });
    // (as test/helpers/db.ts: pool.end() resolves before its clients' sockets close, and the drop
    // WITH (FORCE) in afterAll can kill one still closing; unheard, the pool's 'error' was an
    // uncaught exception that failed the run on a loaded machine)
    pool.on('error', () => undefined);
    const first = await migrate(pool);
    expect(first.applied.length).toBeGreaterThan(0);
    expect((await migrate(pool)).applied).toEqual([]);
    const tables = (await pool.query<{ t: string }>("select table_name t from information_schema.tables where table_schema = 'public'")).rows.map((r) => r.t);
    for (const t of ['providers', 'provider_contracts', 'members', 'ecm_assignments', 'ecm_referrals', 'cs_authorizations', 'outbound_files',
      'outbound_file_rows', 'submissions', 'submission_sheets', 'submission_rows', 'submission_issues', 'outreach_attempts', 'cs_engagements',
      'runs', 'run_units', 'poll_folders', 'poll_files', 'file_blobs']) expect(tables).toContain(t);
    // staged row values: positional arrays (with their sheet's columns) and older objects read alike
    const values = await pool.query(`select submission_row_object(array['cin','acuity','pof'], '["91234567A", null, ["A"]]'::jsonb) a, submission_row_object(null, '{"cin":"91234567A"}'::jsonb) o`);
    expect(values.rows[0]).toEqual({ a: { cin: '91234567A', pof: ['A'] }, o: { cin: '91234567A' } });
  });

  it('constraints do real work', async () => {
    await pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('P1','1234567893','123456789','P one','P1'), ('P2','1558598797','123456780','P two','P2')`);
    await pool.query(`insert into provider_contracts values ('P1','HN','CS'), ('P2','HN','CS')`);
    await pool.query(`insert into members (cin, last_name, first_name, dob) values ('91234567A','X','Y','1980-01-01')`);
    await expect(pool.query(`insert into members (cin, last_name, first_name, dob) values ('1234','X','Y','1980-01-01')`)).rejects.toThrow(/check/);
    await pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type) values ('91234567A','HTN','P1','HN','POTENTIAL')`);
    // one provider per member x service
    await expect(pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type) values ('91234567A','HTN','P2','HN','POTENTIAL')`)).rejects.toThrow(/unique/);
    // a potential member has no authorization status
    await expect(pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status) values ('91234567A','HD','P1','HN','POTENTIAL','Approved')`)).rejects.toThrow(/check/);
    await expect(pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type) values ('91234567A','XX','P1','HN','POTENTIAL')`)).rejects.toThrow(/check/);
    await expect(pool.query(`insert into provider_contracts values ('NOPE','HN','CS')`)).rejects.toThrow(/foreign key/);
    // every row ends accepted or rejected
    await pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('a',64), 1, '\\x00')`);
    await expect(pool.query(`insert into submissions (provider_code, original_name, sha256, size, received_at, rows_read, rows_accepted, rows_rejected)
      values ('P1','x.xlsx',repeat('a',64),1,now(),3,1,1)`)).rejects.toThrow(/check/);
  });

  it('0013 (run attempts) goes down to one row per slot (the latest attempt) and up again', async () => {
    await pool.query(`insert into runs (job, slot, status, owner, attempt) values ('mif', '2026-11-15', 'SUCCEEDED', 'a', 1), ('mif', '2026-11-15', 'SUCCEEDED', 'b', 2)`);
    const undone = await downTo('0013_');
    expect((await pool.query(`select owner, attempt from runs where job = 'mif'`)).rows).toEqual([{ owner: 'b', attempt: 2 }]);
    await expect(pool.query(`insert into runs (job, slot, status, owner) values ('mif', '2026-11-15', 'FAILED', 'c')`)).rejects.toThrow(/unique/);
    expect((await migrate(pool)).applied).toEqual(undone);
    await pool.query(`insert into runs (job, slot, status, owner, attempt) values ('mif', '2026-11-15', 'FAILED', 'c', 3)`);
  });

  it('0029 gives rows loaded before it their per-field as-of, the referral episode they are in and who the extract named', async () => {
    const undone = await downTo('0029_');
    // the extract said P1, status 4 on Oct 1; a referral moved the member to P2 on Nov 3
    await pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, upstream_values, upstream_as_of)
      values ('91234567A', 'HN', 'P1', 4, '2026-07-01', '{"status": "4", "pof": null}', '2026-10-01T16:00:00Z')`);
    await pool.query(`insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, referral_id, changed_at)
      select id, null, 2, a, 'REFERRAL', 'R1', '2026-11-03T16:00:00Z' from ecm_assignments a where cin = '91234567A'`);
    await pool.query(`update ecm_assignments set provider_code = 'P2', status = 1, assigned_date = '2026-11-03' where cin = '91234567A'`);
    expect((await migrate(pool)).applied).toEqual(undone);
    const a = (await pool.query(`select upstream_values, upstream_field_as_of, episode_started_at from ecm_assignments where cin = '91234567A'`)).rows[0];
    expect(a.episode_started_at).toEqual(new Date('2026-11-03T16:00:00Z'));
    expect(a.upstream_values).toEqual({ status: '4', pof: null, provider_code: 'P1', assigned_date: '2026-07-01' });
    expect(Object.keys(a.upstream_field_as_of).sort()).toEqual(['assigned_date', 'pof', 'provider_code', 'status']);
    for (const t of Object.values(a.upstream_field_as_of)) expect(Date.parse(t as string)).toBe(Date.parse('2026-10-01T16:00:00Z'));
    await pool.query(`delete from ecm_assignments where cin = '91234567A'`);
  });

  it('0032 marks again, by the rule in force, the referrals the older rule marked as sent', async () => {
    const undone = await downTo('0032_');
    const file = async (lob: string, createdAt: string) => {
      const id = (await pool.query<{ id: string }>(`insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count, published_at, created_at)
        values ('MIF', 'mif', '2026-11-15', 'P1', $1, 'PUBLISHED', $2, repeat('a', 64), 1, $3, $3) returning id`, [lob, `${lob}_MIF_P1_20261115.xlsx`, createdAt])).rows[0]!.id;
      await pool.query(`insert into outbound_file_rows (outbound_file_id, row_number, cin, ecm_status) values ($1, 2, '91234567A', 3)`, [id]);
      return Number(id);
    };
    const hn = await file('HN', '2026-11-15T15:00:00Z');
    const cv = await file('CV', '2026-11-15T15:05:00Z');
    // all three marked sent on the HN MIF by the older rule
    await pool.query(`insert into ecm_referrals (referral_id, cin, provider_code, lob, approved_date, mini_mif_file_id, episode_started_at) values
      ('R-HN', '91234567A', 'P1', 'HN', '2026-11-10', $1, null),
      ('R-CV', '91234567A', 'P1', 'CV', '2026-11-10', $1, null),
      ('R-LATE', '91234567A', 'P1', 'HN', '2026-11-10', $1, '2026-11-16T00:00:00Z')`, [hn]);
    expect((await migrate(pool)).applied).toEqual(undone);
    const marked = (await pool.query(`select referral_id, mini_mif_file_id::int f from ecm_referrals order by referral_id`)).rows;
    // the HN MIF sent the HN referral; the CV MIF the CV one; the episode that started after the MIF, nothing yet
    expect(marked).toEqual([{ referral_id: 'R-CV', f: cv }, { referral_id: 'R-HN', f: hn }, { referral_id: 'R-LATE', f: null }]);
    await pool.query(`delete from ecm_referrals`);
    // (no cascade: the rows' foreign key went in 0022)
    await pool.query(`delete from outbound_file_rows where outbound_file_id = any($1)`, [[hn, cv]]);
    await pool.query(`delete from outbound_files where id = any($1)`, [[hn, cv]]);
  });

  it('0034 gives every existing contract its provider\'s contact and liaison emails, and goes down again', async () => {
    const undone = await downTo('0034_');
    expect(undone[0]).toMatch(/^0034_contract_contacts$/);
    await pool.query(`update providers set contact_email = 'files@p1.example', liaison_email = 'Liaison@Plan.example' where provider_code = 'P1'`);
    await pool.query(`insert into provider_contracts values ('P1','CV','CS')`);
    expect((await migrate(pool)).applied).toEqual(undone);
    const rows = (await pool.query(`select provider_code, lob, program, contact_email, liaison_email from provider_contracts where provider_code in ('P1', 'P2') order by 1, 2`)).rows;
    expect(rows).toEqual([
      { provider_code: 'P1', lob: 'CV', program: 'CS', contact_email: 'files@p1.example', liaison_email: 'Liaison@Plan.example' },
      { provider_code: 'P1', lob: 'HN', program: 'CS', contact_email: 'files@p1.example', liaison_email: 'Liaison@Plan.example' },
      // a provider with no addresses: its contracts have none either (the provider's stand in)
      { provider_code: 'P2', lob: 'HN', program: 'CS', contact_email: null, liaison_email: null },
    ]);
    await downTo('0034_');
    expect((await pool.query(`select column_name from information_schema.columns where table_name = 'provider_contracts' and column_name like '%email'`)).rows).toEqual([]);
    await migrate(pool);
  });

  it('0035 gives every provider on file its current NPI and TIN as history, keeps it on any change of them, and goes down again', async () => {
    const undone = await downTo('0035_');
    expect(undone[0]).toBe('0035_provider_identity_history');
    // written while the schema had no history: a new provider, and P1's NPI changed by hand
    await pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder, updated_at) values ('P3','1245678903','333444555','P three','P3','2026-10-01T16:00:00Z')`);
    await pool.query(`update providers set npi = '1345678902', updated_at = '2026-10-02T16:00:00Z' where provider_code = 'P1'`);
    expect((await migrate(pool)).applied).toEqual(undone);
    const history = async () => (await pool.query(
      `select provider_code, npi, tin, valid_from, valid_to from provider_identities where provider_code in ('P1', 'P2', 'P3') order by provider_code, id`)).rows;
    const updatedAt = async (code: string) => (await pool.query(`select updated_at from providers where provider_code = $1`, [code])).rows[0]!.updated_at as Date;
    // one current pair each, current since the row was last written; what came before is not on record
    expect(await history()).toEqual([
      { provider_code: 'P1', npi: '1345678902', tin: '123456789', valid_from: new Date('2026-10-02T16:00:00Z'), valid_to: null },
      { provider_code: 'P2', npi: '1558598797', tin: '123456780', valid_from: await updatedAt('P2'), valid_to: null },
      { provider_code: 'P3', npi: '1245678903', tin: '333444555', valid_from: new Date('2026-10-01T16:00:00Z'), valid_to: null },
    ]);

    // a change that sets updated_at (as the import does, with its clock) happened then
    await pool.query(`update providers set tin = '999888777', updated_at = '2026-11-20T17:00:00Z' where provider_code = 'P3'`);
    // one that does not (a fix by hand) happened on the database's clock
    const before = (await pool.query(`select now() t`)).rows[0]!.t as Date;
    await pool.query(`update providers set npi = '1234567893' where provider_code = 'P2'`);
    // a write that leaves the NPI and TIN as they are adds nothing
    await pool.query(`update providers set name = 'P one again', npi = npi, updated_at = '2026-11-21T17:00:00Z' where provider_code = 'P1'`);
    const rows = await history();
    expect(rows.filter((r) => r.provider_code === 'P3')).toEqual([
      { provider_code: 'P3', npi: '1245678903', tin: '333444555', valid_from: new Date('2026-10-01T16:00:00Z'), valid_to: new Date('2026-11-20T17:00:00Z') },
      { provider_code: 'P3', npi: '1245678903', tin: '999888777', valid_from: new Date('2026-11-20T17:00:00Z'), valid_to: null },
    ]);
    const p2 = rows.filter((r) => r.provider_code === 'P2');
    expect(p2.map((r) => [r.npi, r.valid_to === null])).toEqual([['1558598797', false], ['1234567893', true]]);
    expect(p2[0]!.valid_to.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(p2[1]!.valid_from).toEqual(p2[0]!.valid_to);
    expect(rows.filter((r) => r.provider_code === 'P1')).toHaveLength(1);
    // one current pair per provider
    await expect(pool.query(`insert into provider_identities (provider_code, npi, tin, valid_from) values ('P3', '1245678903', '333444555', now())`)).rejects.toThrow(/provider_identities_current_uq/);
    // a provider removed takes its history with it
    await pool.query(`delete from providers where provider_code = 'P3'`);
    expect((await history()).filter((r) => r.provider_code === 'P3')).toEqual([]);

    await downTo('0035_');
    expect((await pool.query(`select to_regclass('provider_identities') t`)).rows[0]).toEqual({ t: null });
    await pool.query(`update providers set npi = '1558598797' where provider_code = 'P2'`);
    await migrate(pool);
    expect((await history()).map((r) => [r.provider_code, r.npi, r.valid_to])).toEqual([['P1', '1345678902', null], ['P2', '1558598797', null]]);
  });

  it('0037 gives every contract on file no end (open-ended, as before it), and goes down again', async () => {
    const ends = async () => (await pool.query<{ contract_end: Date | null }>(`select contract_end from provider_contracts`)).rows.map((r) => r.contract_end);
    expect((await ends()).length).toBeGreaterThan(1);
    expect(new Set(await ends())).toEqual(new Set([null]));
    await pool.query(`update provider_contracts set contract_end = '2026-11-30' where provider_code = 'P1'`);
    const undone = await downTo('0037_');
    expect(undone[0]).toBe('0037_contract_end');
    expect((await pool.query(`select column_name from information_schema.columns where table_name = 'provider_contracts' and column_name = 'contract_end'`)).rows).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(new Set(await ends())).toEqual(new Set([null]));
  });

  it('0038 gives every member on file no eligibility end (eligible, as before it), and goes down again', async () => {
    const ends = async () => (await pool.query<{ eligibility_end: Date | null }>(`select eligibility_end from members`)).rows.map((r) => r.eligibility_end);
    expect((await ends()).length).toBeGreaterThan(0);
    expect(new Set(await ends())).toEqual(new Set([null]));
    await pool.query(`update members set eligibility_end = '2026-11-30' where cin = '91234567A'`);
    const undone = await downTo('0038_');
    expect(undone[0]).toBe('0038_member_eligibility_end');
    expect((await pool.query(`select column_name from information_schema.columns where table_name = 'members' and column_name = 'eligibility_end'`)).rows).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(new Set(await ends())).toEqual(new Set([null]));
  });

  it('0039 knows nothing of what the extract said of the members on file (the next extract is taken, as before it), and goes down again', async () => {
    const said = async () => (await pool.query<{ upstream_contact: unknown }>(`select upstream_contact from members`)).rows.map((r) => r.upstream_contact);
    expect((await said()).length).toBeGreaterThan(0);
    expect(new Set(await said())).toEqual(new Set([null]));
    const undone = await downTo('0039_');
    expect(undone[0]).toBe('0039_member_upstream_contact');
    expect((await pool.query(`select column_name from information_schema.columns where table_name = 'members' and column_name = 'upstream_contact'`)).rows).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(undone);
  });
});

/** The migrations from the one named `prefix` to the last, in order. */
const namesFrom = (prefix: string): string[] => {
  const names = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort().map((f) => f.replace(/\.sql$/, ''));
  return names.slice(names.findIndex((f) => f.startsWith(prefix)));
};

/** Takes down every applied migration from the one named `prefix` to the last (those already down stay down); returns those it took down. */
/**
 * Waits until the planner may use `index`. A migration that updates a table's rows and then
 * builds an index on it leaves broken HOT chains: Postgres marks the index (pg_index.indcheckxmin)
 * unusable to any snapshot whose xmin is older than the index, and xids are the cluster's, so a
 * transaction of another test file's database running meanwhile (the whole suite shares one
 * server) kept this file's plans off the index: a Seq Scan, now and then, under load. Each check
 * is a new snapshot; it returns as soon as one may use the index.
 */
async function indexUsable(index: string): Promise<void> {
  for (;;) {
    const r = await pool.query<{ usable: boolean }>(
      `select not i.indcheckxmin or i.xmin::text::bigint < txid_snapshot_xmin(txid_current_snapshot()) % 4294967296 as usable
         from pg_index i where i.indexrelid = $1::regclass`, [index]);
    if (r.rows[0]?.usable) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function downTo(prefix: string): Promise<string[]> {
  const applied = new Set((await pool.query<{ name: string }>('select name from pgmigrations')).rows.map((r) => r.name));
  const undo = namesFrom(prefix).filter((n) => applied.has(n));
  const client = await pool.connect();
  try {
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    await runner({ dbClient: client, dir: MIGRATIONS_DIR, direction: 'down', count: undo.length, migrationsTable: 'pgmigrations', logger: quiet });
  } finally {
    client.release();
  }
  return undo;
}

describe('migration 0014 (notification outbox)', () => {
  const down14 = () => downTo('0014_');

  it('goes down keeping the sent notifications (the unsent ones have no place there) and up again: older rows are SENT', async () => {
    await pool.query(`insert into notifications (kind, recipients, subject, status, transport, location, sent_at, created_at) values ('k', '{a@x.example}', 'sent one', 'SENT', 'outbox', '/o', now(), now())`);
    const pendingId = (await pool.query<{ id: number }>(`insert into notifications (kind, recipients, subject, body, status, next_attempt_at, created_at) values ('k', '{a@x.example}', 'pending one', 'b', 'PENDING', now(), now()) returning id`)).rows[0]!.id;
    await pool.query(`insert into notification_attachments values ($1, 1, 'a.txt', '\\x00')`, [pendingId]);
    const applied = await down14();
    expect((await pool.query(`select subject, transport from notifications order by id`)).rows).toEqual([{ subject: 'sent one', transport: 'outbox' }]);
    expect((await migrate(pool)).applied).toEqual(applied);
    expect((await pool.query(`select subject, status, attempts, sent_at is not null as sent from notifications order by id`)).rows).toEqual([{ subject: 'sent one', status: 'SENT', attempts: 1, sent: true }]);
    // a SENT row names its transport
    await expect(pool.query(`insert into notifications (kind, recipients, subject, status, created_at) values ('k', '{a@x.example}', 's', 'SENT', now())`)).rejects.toThrow(/notifications_sent_transport/);
    await expect(pool.query(`insert into notifications (kind, recipients, subject, status, created_at) values ('k', '{a@x.example}', 's', 'LOST', now())`)).rejects.toThrow(/check/);
  });
});

describe('migration 0015 (reprocess and republish)', () => {
  it('goes down keeping what the older schema can say (a reprocess becomes a later copy, a republished version goes) and up again', async () => {
    await pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('b',64), 1, '\\x00') on conflict do nothing`);
    const first = (await pool.query<{ id: number }>(`insert into submissions (provider_code, original_name, sha256, size, received_at) values ('P1', 'r.xlsx', repeat('b',64), 1, now()) returning id`)).rows[0]!.id;
    // the same bytes twice is a duplicate, unless the plan read them again on purpose (with a reason)
    await expect(pool.query(`insert into submissions (provider_code, original_name, sha256, size, received_at) values ('P1', 'r.xlsx', repeat('b',64), 1, now())`)).rejects.toThrow(/submissions_once_uq/);
    await expect(pool.query(`insert into submissions (provider_code, original_name, sha256, size, received_at, reprocess_of, source) values ('P1', 'r.xlsx', repeat('b',64), 1, now(), $1, 'reprocess')`, [first])).rejects.toThrow(/submissions_reprocess_reason_ck/);
    const again = (await pool.query<{ id: number }>(`insert into submissions (provider_code, original_name, sha256, size, received_at, reprocess_of, reprocess_reason, source)
      values ('P1', 'r.xlsx', repeat('b',64), 1, now(), $1, 'contract loaded', 'reprocess') returning id`, [first])).rows[0]!.id;
    // one new attempt per submission: a chain, never a fan
    await expect(pool.query(`insert into submissions (provider_code, original_name, sha256, size, received_at, reprocess_of, reprocess_reason, source)
      values ('P1', 'r.xlsx', repeat('b',64), 1, now(), $1, 'twice', 'reprocess')`, [first])).rejects.toThrow(/submissions_reprocess_uq/);
    const v1 = (await pool.query<{ id: number }>(`insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, row_count) values ('MIF', 'mif', '2026-11-15', 'P1', 'HN', 'EMPTY', null, 0) returning id`)).rows[0]!.id;
    await expect(pool.query(`insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, row_count) values ('MIF', 'mif', '2026-11-15', 'P1', 'HN', 'EMPTY', null, 0)`)).rejects.toThrow(/outbound_files_unit_uq/);
    await pool.query(`update outbound_files set replaced_at = now() where id = $1`, [v1]);
    await pool.query(`insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, row_count, replaces_id, reason) values ('MIF', 'mif', '2026-11-15', 'P1', 'HN', 'EMPTY', null, 0, $1, 'why')`, [v1]);

    const applied = await downTo('0015_');
    // (later migrations go down first)
    expect(applied[0]).toBe('0015_reprocess_republish');
    expect((await pool.query(`select id, duplicate_of, source from submissions where id = any($1) order by id`, [[first, again]])).rows)
      .toEqual([{ id: first, duplicate_of: null, source: 'sftp' }, { id: again, duplicate_of: first, source: 'cli' }]);
    expect((await pool.query(`select id from outbound_files where provider_code = 'P1' and kind = 'MIF'`)).rows).toEqual([{ id: v1 }]);
    expect((await migrate(pool)).applied).toEqual(applied);
    expect((await pool.query(`select reason from runs limit 0`)).fields.map((f) => f.name)).toEqual(['reason']);
  });
});

describe('migration 0016 (corrections merge by key)', () => {
  it('going up, what counted before counts after: the rows of unsuperseded applied sheets, the latest of each key; and back down', async () => {
    await downTo('0016_');
    await pool.query(`insert into members (cin, last_name, first_name, dob) values ('91234568B','X','Y','1980-01-01') on conflict do nothing`);
    await pool.query(`insert into provider_contracts values ('P1','HN','ECM') on conflict do nothing`);
    await pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('c',64), 1, '\\x00'), (repeat('d',64), 1, '\\x00') on conflict do nothing`);
    const sub = async (sha: string, at: string) => (await pool.query<{ id: number }>(
      `insert into submissions (provider_code, original_name, sha256, size, received_at, period, state) values ('P1', 'OTF_P1.xlsx', repeat($1,64), 1, $2, '2026-11-01', 'RESPONDED') returning id`, [sha, at])).rows[0]!.id;
    const sheet = async (s: number) => (await pool.query<{ id: number }>(
      `insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, applied, columns) values ($1, 'OTF', 'OTF', 'P1', '2026-11-01', true, $2) returning id`,
      [s, ['mcpId', 'cin', 'attemptDate', 'method']])).rows[0]!.id;
    const old = await sheet(await sub('c', '2026-12-02T17:00:00Z'));
    const cur = await sheet(await sub('d', '2026-12-03T17:00:00Z'));
    await pool.query(`update submission_sheets set superseded_by = $2 where id = $1`, [old, cur]);
    for (const [id, rows] of [[old, [['2026-11-02', '1']]], [cur, [['2026-11-05', '2'], ['2026-11-05', '2'], ['2026-11-06', '1']]]] as const) {
      for (const [n, [date, method]] of rows.entries()) {
        await pool.query(`insert into submission_rows (sheet_id, row_number, cin, accepted, data) values ($1, $2, '91234568B', true, $3)`, [id, n + 2, JSON.stringify(['HN', '91234568B', date, method])]);
        await pool.query(`insert into outreach_attempts (sheet_id, row_number, provider_code, lob, cin, attempt_date, method, successful, minutes, provider_type) values ($1, $2, 'P1', 'HN', '91234568B', $3, $4, false, 5, 1)`, [id, n + 2, date, Number(method)]);
      }
    }
    expect((await pool.query(`select count(*)::int n from current_outreach_attempts`)).rows[0]).toEqual({ n: 3 });
    await migrate(pool);
    expect((await pool.query(`select row_key, row_number from current_rows order by row_key`)).rows).toEqual([
      { row_key: '91234568B|2026-11-05|2', row_number: 3 }, { row_key: '91234568B|2026-11-06|1', row_number: 4 },
    ]);
    // the double entry now counts once
    expect((await pool.query(`select count(*)::int n from current_outreach_attempts`)).rows[0]).toEqual({ n: 2 });
    expect((await pool.query(`select lobs from submission_sheets where id = $1`, [cur])).rows[0]).toEqual({ lobs: ['HN'] });
    await downTo('0016_');
    expect((await pool.query(`select count(*)::int n from current_outreach_attempts`)).rows[0]).toEqual({ n: 3 });
    await migrate(pool);
  });
});

describe('migration 0040 (a CS engagement per provider)', () => {
  it('holds each provider\'s engagement with a member x service; going down keeps the latest report of the pair, and up again', async () => {
    await pool.query(`insert into members (cin, last_name, first_name, dob) values ('91234569C','X','Y','1980-01-01') on conflict do nothing`);
    await pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('e',64), 1, '\\x00') on conflict do nothing`);
    const s = (await pool.query<{ id: number }>(`insert into submissions (provider_code, original_name, sha256, size, received_at, period, state)
      values ('P1', 'CSPRTF_P1.xlsx', repeat('e',64), 1, '2026-12-03T17:00:00Z', '2026-11-01', 'RESPONDED') returning id`)).rows[0]!.id;
    const sheet = (await pool.query<{ id: number }>(`insert into submission_sheets (submission_id, sheet_name, layout, provider_code, period, applied)
      values ($1, 'CSPRTF', 'CSPRTF', 'P1', '2026-11-01', true) returning id`, [s])).rows[0]!.id;
    const engage = (provider: string, status: number, at: string) => pool.query(`insert into cs_engagements (cin, service_code, provider_code, lob, status, sheet_id, row_number, updated_at)
      values ('91234569C', 'HTSS', $1, 'HN', $2, $3, 2, $4)`, [provider, status, sheet, at]);
    await engage('P1', 3, '2026-12-03T17:00:00Z');
    await engage('P2', 2, '2026-12-04T17:00:00Z');
    await expect(engage('P2', 1, '2026-12-05T17:00:00Z')).rejects.toThrow(/cs_engagements_pkey/);
    const undone = await downTo('0040_');
    expect(undone[0]).toBe('0040_cs_engagement_per_provider');
    expect((await pool.query(`select provider_code, status from cs_engagements where cin = '91234569C'`)).rows).toEqual([{ provider_code: 'P2', status: 2 }]);
    expect((await migrate(pool)).applied).toEqual(undone);
    await engage('P1', 3, '2026-12-06T17:00:00Z');
    expect((await pool.query(`select count(*)::int n from cs_engagements where cin = '91234569C'`)).rows[0]).toEqual({ n: 2 });
  });
});

describe('migration 0041 (a member\'s homelessness may be unknown)', () => {
  it('lets a member\'s homelessness be null; going down reads an unknown one as not homeless, as before it, and up again', async () => {
    await pool.query(`insert into members (cin, last_name, first_name, dob, homeless) values ('91234570D','X','Y','1980-01-01', null)`);
    const homeless = async () => (await pool.query(`select homeless from members where cin = '91234570D'`)).rows[0];
    expect(await homeless()).toEqual({ homeless: null });
    const undone = await downTo('0041_');
    expect(undone[0]).toBe('0041_member_homeless_unknown');
    expect(await homeless()).toEqual({ homeless: false });
    await expect(pool.query(`update members set homeless = null where cin = '91234570D'`)).rejects.toThrow(/not-null/);
    expect((await migrate(pool)).applied).toEqual(undone);
    await pool.query(`update members set homeless = null where cin = '91234570D'`);
    expect(await homeless()).toEqual({ homeless: null });
  });
});

describe('migration 0043 (one provider\'s attempt decides nothing for its slot)', () => {
  it('the slot is owed while only one provider\'s attempt succeeded; going down counts it for the slot again, as before it, and up again', async () => {
    await pool.query(`insert into runs (job, slot, status, owner, attempt, trigger, provider) values ('csasf', '2026-11-29', 'SUCCEEDED', 'a', 1, 'manual', 'P1')`);
    const slot = async () => (await pool.query(`select status, decided_attempt_id is null as undecided from run_slots where job = 'csasf' and slot = '2026-11-29'`)).rows[0];
    expect(await slot()).toEqual({ status: 'ABANDONED', undecided: true });
    // who the attempt was for never changes, like who started it and why
    await pool.query(`insert into runs (job, slot, status, owner, attempt, trigger, provider) values ('csasf', '2026-12-15', 'RUNNING', 'a', 1, 'manual', 'P1')`);
    await expect(pool.query(`update runs set provider = null where job = 'csasf' and slot = '2026-12-15'`)).rejects.toThrow(/append-only/);
    await pool.query(`update runs set status = 'SUCCEEDED' where job = 'csasf' and slot = '2026-12-15'`);
    const undone = await downTo('0043_');
    // (and any migration after it)
    expect(undone[0]).toBe('0043_run_provider_scope');
    expect(await slot()).toEqual({ status: 'SUCCEEDED', undecided: false });
    expect((await migrate(pool)).applied).toEqual(undone);
    expect((await pool.query(`select provider from runs where job = 'csasf' and slot = '2026-11-29'`)).rows[0]).toEqual({ provider: null });
    expect(await slot()).toEqual({ status: 'SUCCEEDED', undecided: false });
  });
});

describe('migration 0044 (a deferred attempt)', () => {
  it('a slot whose attempt was deferred is DEFERRED (owed); going down it reads as abandoned (owed, as before it), and up again', async () => {
    await pool.query(`insert into runs (job, slot, status, owner, attempt, trigger, error) values ('minimif-sla', '2026-11-16', 'DEFERRED', 'a', 1, 'cron', 'waiting')`);
    const slot = async () => (await pool.query(`select status from run_slots where job = 'minimif-sla' and slot = '2026-11-16'`)).rows[0];
    expect(await slot()).toEqual({ status: 'DEFERRED' });
    const undone = await downTo('0044_');
    expect(undone[0]).toBe('0044_run_deferred_and_retention');
    expect(await slot()).toEqual({ status: 'ABANDONED' });
    expect((await migrate(pool)).applied).toEqual(undone);
    await expect(pool.query(`insert into runs (job, slot, status, owner, attempt, trigger) values ('x', 'y', 'WAITING', 'a', 1, 'cron')`)).rejects.toThrow(/runs_status_check/);
  });
});

describe('migration 0046 (the plan\'s end of an assignment in its line: LOB_SWITCH)', () => {
  it('plan_end goes with plan_ended_at; LINE_SWITCH lineage; going down drops both and that lineage, and up again', async () => {
    const id = (await pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, plan_end, plan_ended_at)
      values ('91234567A', 'CHPIV', 'P1', 2, '2026-09-01', '2026-11-30', now()) returning id`)).rows[0].id;
    await expect(pool.query(`update ecm_assignments set plan_ended_at = null where id = $1`, [id])).rejects.toThrow(/ecm_assignments_plan_end_ck/);
    await pool.query(`insert into ecm_assignment_changes (assignment_id, row_number, before, source)
      select id, 2, a, 'LINE_SWITCH' from ecm_assignments a where id = $1`, [id]);
    const undone = await downTo('0046_');
    expect(undone[0]).toBe('0046_assignment_plan_end');
    const cols = (await pool.query(`select column_name from information_schema.columns where table_name = 'ecm_assignments' and column_name like 'plan_%'`)).rows;
    expect(cols).toEqual([]);
    expect((await pool.query(`select count(*)::int n from ecm_assignment_changes where assignment_id = $1`, [id])).rows[0]).toEqual({ n: 0 });
    await expect(pool.query(`insert into ecm_assignment_changes (assignment_id, row_number, source) values ($1, 2, 'LINE_SWITCH')`, [id])).rejects.toThrow(/source_check/);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect((await pool.query(`select plan_end from ecm_assignments where id = $1`, [id])).rows[0]).toEqual({ plan_end: null });
    await pool.query(`delete from ecm_assignments where id = $1`, [id]);
  });
});

describe('migration 0047 (the member\'s PCP: the members extract\'s pcp_name and pcp_npi)', () => {
  it('gives every member on file no PCP (the MIF left it blank, as before it); an NPI is 10 digits; goes down and up again', async () => {
    const pcps = async () => (await pool.query<{ pcp_name: string | null; pcp_npi: string | null }>(`select pcp_name, pcp_npi from members`)).rows;
    expect((await pcps()).length).toBeGreaterThan(0);
    expect(new Set((await pcps()).flatMap((r) => [r.pcp_name, r.pcp_npi]))).toEqual(new Set([null]));
    await expect(pool.query(`update members set pcp_npi = '12345' where cin = '91234567A'`)).rejects.toThrow(/pcp_npi_check/);
    await expect(pool.query(`update members set pcp_name = '' where cin = '91234567A'`)).rejects.toThrow(/pcp_name_check/);
    await pool.query(`update members set pcp_name = 'Rosa Diaz MD', pcp_npi = '1000000004' where cin = '91234567A'`);
    const undone = await downTo('0047_');
    expect(undone[0]).toBe('0047_member_pcp');
    expect((await pool.query(`select column_name from information_schema.columns where table_name = 'members' and column_name like 'pcp_%'`)).rows).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(new Set((await pcps()).flatMap((r) => [r.pcp_name, r.pcp_npi]))).toEqual(new Set([null]));
  });
});

describe('migration 0048 (the lineage of assignments moved away from a provider, indexed without the RTF\'s)', () => {
  it('serves the provider context\'s two reads of it (a provider\'s moves since a time; an assignment\'s next change), leaves RTF rows out, and goes down and up again', async () => {
    // (as of 0048: 0049 reads the moves through an index of its own)
    await downTo('0049_');
    const lastId = (await pool.query<{ id: string | null }>(`select max(id) id from ecm_assignment_changes`)).rows[0]!.id ?? '0';
    // a lineage shaped as in production: mostly RTF rows (one per member reported each month),
    // a few from the extracts, of many providers, loaded over months
    await pool.query(`insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, changed_at)
      select g, 1, g, null, 'RTF', now() - (g % 400) * interval '1 day' from generate_series(1, 20000) g`);
    await pool.query(`insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, changed_at)
      select g % 3000, null, g, jsonb_populate_record(null::ecm_assignments, jsonb_build_object('provider_code', 'P' || (g % 50), 'lob', 'HN')),
             'ASSIGNMENT_IMPORT', now() - (g % 400) * interval '1 day' from generate_series(1, 4000) g`);
    await pool.query('analyze ecm_assignment_changes');
    await indexUsable('ecm_assignment_changes_moved_from_idx');
    await indexUsable('ecm_assignment_changes_plan_idx');
    const plan = async (sql: string) => (await pool.query<{ 'QUERY PLAN': string }>(`explain ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    // as src/repositories/provider-context.ts (HELD_IN_PERIOD) reads them
    const movedFrom = `select c.id from ecm_assignment_changes c where (c.before).provider_code = 'P7' and c.source <> 'RTF' and c.changed_at >= now() - interval '60 days'`;
    const next = `select n.before from ecm_assignment_changes n where n.assignment_id = 7 and n.source <> 'RTF' and n.id > 20100 order by n.id limit 1`;
    expect(await plan(movedFrom)).toMatch(/ecm_assignment_changes_moved_from_idx/);
    expect(await plan(movedFrom)).not.toMatch(/Seq Scan/);
    expect(await plan(next)).toMatch(/ecm_assignment_changes_plan_idx/);
    const partial = (await pool.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes where tablename = 'ecm_assignment_changes' and indexname like 'ecm_assignment_changes_%_idx' order by 1`)).rows;
    expect(partial.map((i) => i.indexname)).toEqual(['ecm_assignment_changes_moved_from_idx', 'ecm_assignment_changes_plan_idx']);
    for (const i of partial) expect(i.indexdef).toMatch(/WHERE \(source <> 'RTF'::text\)/);
    // (one more down: 0048 itself, those after it being down already)
    await downTo('0048_');
    expect((await pool.query(`select indexname from pg_indexes where tablename = 'ecm_assignment_changes' and indexname like 'ecm_assignment_changes_%_idx'`)).rows).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(namesFrom('0048_'));
    await pool.query(`delete from ecm_assignment_changes where id > $1`, [lastId]);
  });
});

describe('migration 0049 (the lineage marks the changes that moved an assignment to another provider, and indexes only those)', () => {
  it('marks the moves of the lineage it finds (a move, a move back; not a change that kept the provider, nor an RTF), serves the provider\'s moves since a time, and goes down and up again', async () => {
    await downTo('0049_');
    const lastId = (await pool.query<{ id: string | null }>(`select max(id) id from ecm_assignment_changes`)).rows[0]!.id ?? '0';
    const assignment = async (cin: string, provider: string) => (await pool.query<{ id: string }>(
      `insert into ecm_assignments (cin, lob, provider_code, status, assigned_date) values ($1, 'CV', $2, 1, '2026-01-05') returning id`, [cin, provider])).rows[0]!.id;
    // Ann: moved from P1 to P2; Ben: a care manager changed, with P1 all along; Cy: moved to P2, then back to P1
    await pool.query(`insert into members (cin, last_name, first_name, dob) values ('91234567A','X','Y','1980-01-01'), ('91234568B','X','Y','1980-01-01'),
      ('91234569C','X','Y','1980-01-01') on conflict do nothing`);
    const ann = await assignment('91234567A', 'P2');
    const ben = await assignment('91234568B', 'P1');
    const cy = await assignment('91234569C', 'P1');
    const change = async (id: string, provider: string, source: string) => (await pool.query<{ id: string }>(
      `insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, changed_at)
       select $1, ${'$3'}::bigint, 1, jsonb_populate_record(null::ecm_assignments, jsonb_build_object('id', $1::bigint, 'provider_code', $2::text, 'lob', 'CV')), $4, now() - interval '10 days'
       returning id`, [id, provider, source === 'RTF' ? 1 : null, source])).rows[0]!.id;
    const annMove = await change(ann, 'P1', 'ASSIGNMENT_IMPORT');
    const annRtf = await change(ann, 'P2', 'RTF');
    const benChange = await change(ben, 'P1', 'ASSIGNMENT_IMPORT');
    const cyAway = await change(cy, 'P1', 'ASSIGNMENT_IMPORT');
    const cyRtf = await change(cy, 'P2', 'RTF');
    const cyBack = await change(cy, 'P2', 'REFERRAL');
    expect((await migrate(pool)).applied).toEqual(namesFrom('0049_'));
    const moved = async () => Object.fromEntries((await pool.query<{ id: string; moved: boolean }>(
      `select id, moved from ecm_assignment_changes where id > $1`, [lastId])).rows.map((r) => [r.id, r.moved]));
    expect(await moved()).toEqual({ [annMove]: true, [annRtf]: false, [benChange]: false, [cyAway]: true, [cyRtf]: false, [cyBack]: true });
    // as src/repositories/provider-context.ts (movedFrom) reads them, among many other changes
    const bulkFrom = (await pool.query<{ id: string }>(`select max(id) id from ecm_assignment_changes`)).rows[0]!.id;
    await pool.query(`insert into ecm_assignment_changes (assignment_id, sheet_id, row_number, before, source, changed_at)
      select g % 3000, null, g, jsonb_populate_record(null::ecm_assignments, jsonb_build_object('provider_code', 'P' || (g % 50), 'lob', 'HN')),
             'ASSIGNMENT_IMPORT', now() - (g % 400) * interval '1 day' from generate_series(1, 4000) g`);
    await pool.query('analyze ecm_assignment_changes');
    await indexUsable('ecm_assignment_changes_moved_idx');
    const plan = (await pool.query<{ 'QUERY PLAN': string }>(
      `explain select c.id from ecm_assignment_changes c where c.moved and (c.before).provider_code = 'P7' and c.changed_at >= now() - interval '183 days'`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/ecm_assignment_changes_moved_idx/);
    const indexes = (await pool.query<{ indexname: string }>(
      `select indexname from pg_indexes where tablename = 'ecm_assignment_changes' and indexname like 'ecm_assignment_changes_%_idx' order by 1`)).rows.map((r) => r.indexname);
    // (0056 adds none here: the lineage is on the ingest's path)
    expect(indexes).toEqual(['ecm_assignment_changes_moved_idx', 'ecm_assignment_changes_plan_idx']);
    await pool.query(`delete from ecm_assignment_changes where id > $1`, [bulkFrom]);
    const undone = await downTo('0049_');
    expect(undone).toEqual(namesFrom('0049_'));
    expect((await pool.query(`select column_name from information_schema.columns where table_name = 'ecm_assignment_changes' and column_name = 'moved'`)).rows).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(await moved()).toEqual({ [annMove]: true, [annRtf]: false, [benChange]: false, [cyAway]: true, [cyRtf]: false, [cyBack]: true });
    await pool.query(`delete from ecm_assignment_changes where id > $1`, [lastId]);
    await pool.query(`delete from ecm_assignments where id = any($1)`, [[ann, ben, cy]]);
  });
});

describe('migration 0050 (a folder where uploads were seen arriving, for any poller to list again after the window)', () => {
  it('adds the mark to the claims, empty, and goes down and up again', async () => {
    const column = async () => (await pool.query(`select column_name from information_schema.columns where table_name = 'poll_claims' and column_name = 'settling_until'`)).rows;
    const undone = await downTo('0050_');
    expect(undone[0]).toBe('0050_poll_claims_settling');
    expect(await column()).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(await column()).toEqual([{ column_name: 'settling_until' }]);
    expect((await pool.query(`select count(*)::int n from poll_claims where settling_until is not null`)).rows[0]).toEqual({ n: 0 });
  });
});

describe.each([
  ['0051_outreach_attempts_unchecked', 'outreach_attempts'],
  ['0052_cs_engagements_unchecked', 'cs_engagements'],
])('migration %s (%s written a sheet at a time without a referential check per row)', (migration, table) => {
  it('drops the three foreign keys of the table, and goes down and up again', async () => {
    const keys = async () => (await pool.query<{ conname: string }>(
      `select conname from pg_constraint where conrelid = $1::regclass and contype = 'f' order by 1`, [table])).rows.map((r) => r.conname);
    expect(await keys()).toEqual([]);
    const undone = await downTo(migration.slice(0, 5));
    expect(undone[0]).toBe(migration);
    expect(await keys()).toEqual([`${table}_cin_fkey`, `${table}_provider_code_fkey`, `${table}_sheet_id_fkey`]);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(await keys()).toEqual([]);
  });
});

describe('migration 0056 (one member\'s story read by CIN: the indexes it needs)', () => {
  it('adds four indexes, none on the ingest\'s per-row path (the staged rows\' only for rejected rows), and goes down and up again', async () => {
    const NAMES = ['cs_authorizations_cin_idx', 'ecm_referrals_cin_idx', 'ecm_switches_not_applied_cin_idx', 'submission_rows_rejected_cin_idx'];
    const indexes = async () => (await pool.query<{ indexname: string }>(
      `select indexname from pg_indexes where indexname = any($1) order by 1`, [NAMES])).rows.map((r) => r.indexname);
    expect(await indexes()).toEqual(NAMES);
    const undone = await downTo('0056_');
    expect(undone[0]).toBe('0056_member_story_indexes');
    expect(await indexes()).toEqual([]);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(await indexes()).toEqual(NAMES);
  });
});

describe('migration 0057 (the member page: which member a view of the access log was of)', () => {
  it('adds access_log.member_cin (a CIN or nothing) and its index, keeps the log append-only, and goes down and up again', async () => {
    const column = async () => (await pool.query<{ n: number }>(
      `select count(*)::int n from information_schema.columns where table_name = 'access_log' and column_name = 'member_cin'`)).rows[0]!.n;
    expect(await column()).toBe(1);
    const user = (await pool.query<{ id: number }>(
      `insert into web_users (email, role, password_hash, created_at, updated_at) values ('m57@plan.example', 'ops', 'x', now(), now()) returning id`)).rows[0]!.id;
    await pool.query(`insert into access_log (user_id, email, at, member_cin, page, denied) values ($1, 'm57@plan.example', now(), '91234567A', 'member', false)`, [user]);
    await expect(pool.query(`insert into access_log (user_id, email, at, member_cin, page) values ($1, 'm57@plan.example', now(), '1234', 'member')`, [user])).rejects.toThrow(/check/);
    await expect(pool.query(`update access_log set member_cin = null where member_cin = '91234567A'`)).rejects.toThrow(/append-only/);
    const undone = await downTo('0057_');
    expect(undone[0]).toBe('0057_access_log_member');
    expect(await column()).toBe(0);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(await column()).toBe(1);
    expect((await pool.query(`select indexname from pg_indexes where indexname = 'access_log_member_idx'`)).rows).toHaveLength(1);
  });
});

describe('migration 0058 (assignments by line and assigned date: those an extract dated after a MIF\'s slot)', () => {
  it('adds the index, and goes down and up again', async () => {
    const index = async () => (await pool.query(`select 1 from pg_indexes where indexname = 'ecm_assignments_lob_assigned_idx'`)).rows.length;
    expect(await index()).toBe(1);
    const undone = await downTo('0058_');
    expect(undone[0]).toBe('0058_assignments_dated_ahead');
    expect(await index()).toBe(0);
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(await index()).toBe(1);
  });
});

describe('migration 0059 (file blobs stored as sent: a workbook is compressed already)', () => {
  it('stores a large blob out of line without trying to compress it, keeps the bytes, and goes down and up again', async () => {
    const storage = async () => (await pool.query<{ s: string }>(
      `select attstorage s from pg_attribute where attrelid = 'file_blobs'::regclass and attname = 'bytes'`)).rows[0]!.s;
    expect(await storage()).toBe('e');
    // (a value that would compress well: stored as it is all the same, and read back whole)
    const bytes = Buffer.alloc(64 * 1024, 'a');
    await pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('5', 64), $1, $2)`, [bytes.length, bytes]);
    const stored = (await pool.query<{ c: string | null; bytes: Buffer }>(
      `select pg_column_compression(bytes) c, bytes from file_blobs where sha256 = repeat('5', 64)`)).rows[0]!;
    expect(stored.c).toBeNull();
    expect(stored.bytes.equals(bytes)).toBe(true);
    const undone = await downTo('0059_');
    expect(undone[0]).toBe('0059_file_blobs_stored_as_sent');
    expect(await storage()).toBe('x');
    expect((await migrate(pool)).applied).toEqual(undone);
    expect(await storage()).toBe('e');
  });
});
