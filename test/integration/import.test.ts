import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpstream, ImportFileError } from '../../src/import/upstream.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const fx = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'upstream', name);
let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.drop();
});

const count = async (sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);

describe('upstream import', () => {
  it('loads providers and their contracts', async () => {
    const s = await importUpstream(db.pool, 'providers', fx('providers_good.csv'));
    expect(s).toMatchObject({ rowsRead: 5, rowsImported: 5, rowsRejected: 0 });
    expect(await count('select count(*) n from providers')).toBe(3);
    expect(await count('select count(*) n from provider_contracts')).toBe(5);
    const acme = (await db.pool.query('select npi, tin, phone from providers where provider_code = $1', ['ACME'])).rows[0];
    expect(acme).toEqual({ npi: '1234567893', tin: '123456789', phone: '5595550100' });
  });

  it('rejects a bad NPI check digit, an unknown line of business and a duplicate contract, and keeps the good row', async () => {
    const s = await importUpstream(db.pool, 'providers', fx('providers_bad.csv'));
    expect(s.rowsRead).toBe(4);
    expect(s.rowsImported).toBe(1);
    expect(s.rejects.map((r) => r.row)).toEqual([3, 4, 5]);
    expect(s.rejects[0]!.message).toMatch(/check digit/);
    expect(s.rejects[1]!.message).toMatch(/lob must be one of HN, CV, CHPIV/);
    expect(s.rejects[2]!.message).toMatch(/duplicate contract/);
    expect(await count("select count(*) n from providers where provider_code in ('BADNPI','BADLOB')")).toBe(0);
  });

  it('imports a contract with neither a contact nor a liaison address, and warns that nobody on it can be emailed (once, for the row imported)', async () => {
    const s = await importUpstream(db.pool, 'providers', fx('providers_no_recipient.csv'));
    expect(s).toMatchObject({ rowsRead: 3, rowsImported: 2, rowsRejected: 1 });
    expect(s.rejects.map((r) => r.row)).toEqual([4]);
    expect(s.warnings).toEqual([{
      code: 'no-recipient', row: 2,
      message: 'row 2: contract NOMAILCM HN ECM has neither a contact nor a liaison address: its files and responses are published, but nobody is emailed (ops are alerted instead)',
    }]);
    expect(await count("select count(*) n from provider_contracts where provider_code in ('NOMAILCM', 'LIAISONLY')")).toBe(2);
  });

  it('loads members with either date format and normalised phones and ZIPs', async () => {
    const s = await importUpstream(db.pool, 'members', fx('members_good.csv'));
    expect(s).toMatchObject({ rowsRead: 4, rowsImported: 4, rowsRejected: 0 });
    const m = (await db.pool.query("select dob, zip, homeless from members where cin = '92345678B'")).rows[0];
    expect(m).toEqual({ dob: '1975-03-05', zip: '93702-1234', homeless: true });
  });

  it('rejects wrong CINs (short, ID-card number, dummy) and impossible dates with reasons', async () => {
    const s = await importUpstream(db.pool, 'members', fx('members_bad.csv'));
    expect(s.rowsImported).toBe(1);
    const byRow = Object.fromEntries(s.rejects.map((r) => [r.row, r.message]));
    expect(byRow[3]).toMatch(/8 digits followed by 1 letter/);
    expect(byRow[4]).toMatch(/first 9 characters/);
    expect(byRow[5]).toMatch(/not a real calendar date/);
    expect(byRow[6]).toMatch(/placeholder/);
    // reasons, never the values: no CIN, name or date of birth from the file in any message
    expect(JSON.stringify(s.rejects)).not.toMatch(/9567890E|95678901E|99999999A|96789012F|Short|Card|Number|Bad|Dummy|02\/30\/2026|1988|1970/);
    expect(await count("select count(*) n from members where cin in ('96789012F','99999999A')")).toBe(0);
  });

  it('refuses a CSV row with too few or too many fields whole, by row number, and loads the other rows', async () => {
    const before = (await db.pool.query("select address, city, zip, phone, county, homeless from members where cin = '92345678B'")).rows[0];
    expect(before).toMatchObject({ address: '40 Oak Ave', city: 'Fresno', homeless: true });
    const s = await importUpstream(db.pool, 'members', fx('members_field_count.csv'));
    expect(s).toMatchObject({ rowsRead: 4, rowsImported: 2, rowsRejected: 2 });
    expect(s.rejects.map((r) => [r.row, r.code])).toEqual([[3, 'csv-field-count'], [4, 'csv-field-count']]);
    expect(s.rejects[0]!.message).toMatch(/5 field\(s\).*header has 14/);
    expect(s.rejects[1]!.message).toMatch(/15 field\(s\).*header has 14/);
    // the short row wrote nothing: the member keeps the address, city, ZIP, phone, county and homeless flag
    const after = (await db.pool.query("select address, city, zip, phone, county, homeless from members where cin = '92345678B'")).rows[0];
    expect(after).toEqual(before);
    expect(JSON.stringify(s.rejects)).not.toMatch(/Nguyen|Thanh|Garcia|Maria|1975|extra/);
  });

  it('refuses a row with a stray quote, by row number and a coded reason, without quoting the value, and loads the rest', async () => {
    const s = await importUpstream(db.pool, 'members', fx('members_quotes.csv'));
    expect(s).toMatchObject({ rowsRead: 4, rowsImported: 2, rowsRejected: 2 });
    expect(s.rejects.map((r) => [r.row, r.code])).toEqual([[3, 'csv-stray-quote'], [4, 'csv-text-after-quote']]);
    expect(JSON.stringify(s.rejects)).not.toMatch(/Zamo|rena|Octavio|Garcia|Vance|Maria/);
    // a properly quoted value keeps its comma and its doubled quotes
    const m = (await db.pool.query("select last_name, address from members where cin = '96789012F'")).rows[0];
    expect(m).toEqual({ last_name: 'Brightwater, Jr.', address: '1 "B" St' });
    expect(await count("select count(*) n from members where cin = '98901234H'")).toBe(0);
  });

  it('refuses a file whose quoted value is never closed as a whole, naming the row and no value', async () => {
    const err = await importUpstream(db.pool, 'members', fx('members_unclosed_quote.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/row 3/);
    expect((err as Error).message).not.toMatch(/Zamorena|Octavio|Quillfeather|Brightwater/);
    expect(await count("select count(*) n from members where cin in ('97812345K', '98823456L', '96834567M')")).toBe(0);
  });

  it('loads ECM assignments and rejects rows whose member, provider contract or status is wrong', async () => {
    const good = await importUpstream(db.pool, 'ecm-assignments', fx('ecm-assignments_good.csv'));
    expect(good).toMatchObject({ rowsImported: 3, rowsRejected: 0 });
    const bad = await importUpstream(db.pool, 'ecm-assignments', fx('ecm-assignments_bad.csv'));
    expect(bad.rowsImported).toBe(1);
    const byRow = Object.fromEntries(bad.rejects.map((r) => [r.row, r.message]));
    expect(byRow[3]).toMatch(/no ECM contract/);
    expect(byRow[4]).toMatch(/status must be one of 1, 2, 3, 4/);
    expect(byRow[5]).toMatch(/required for status 3/);
    expect(byRow[6]).toMatch(/member not found/);
    expect(byRow[7]).toMatch(/duplicate member and line of business/);
    const a = (await db.pool.query("select status, pof from ecm_assignments where cin = '91234567A'")).rows[0];
    expect(a).toEqual({ status: 1, pof: ['1a', '3'] });
  });

  it('rejects a population of focus it does not know without repeating the cell (it may hold anything: a name, a date of birth)', async () => {
    const s = await importUpstream(db.pool, 'ecm-assignments', fx('ecm-assignments_pof_text.csv'));
    expect(s).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect(s.rejects[0]!.message).toMatch(/^pof item 2 is not a population of focus code; allowed .*1a/);
    expect(JSON.stringify(s.rejects)).not.toMatch(/Maria|Garcia|DOB|1975/);
  });

  it('loads referrals and rejects duplicates, non-ECM providers and bad dates', async () => {
    expect(await importUpstream(db.pool, 'referrals', fx('referrals_good.csv'))).toMatchObject({ rowsImported: 3 });
    expect((await db.pool.query("select approved_date from ecm_referrals where referral_id = 'REF-000002'")).rows[0]).toEqual({ approved_date: '2026-11-10' });
    // an approved referral assigns the member to the provider (status 1) from its approval date
    expect((await db.pool.query("select provider_code, status, assigned_date from ecm_assignments where cin = '93456789C' and lob = 'HN'")).rows[0])
      .toEqual({ provider_code: 'ACME', status: 1, assigned_date: '2026-11-12' });
    // a member already with that provider keeps the status the provider reported
    expect((await db.pool.query("select provider_code, status from ecm_assignments where cin = '94567890D' and lob = 'CHPIV'")).rows[0])
      .toEqual({ provider_code: 'BOTHCARE', status: 2 });
    const bad = await importUpstream(db.pool, 'referrals', fx('referrals_bad.csv'));
    expect(bad.rowsImported).toBe(1);
    expect(bad.rejects.map((r) => r.row)).toEqual([3, 4, 5]);
  });

  it('keeps each member x CS service with exactly one provider and writes nothing of a rejected row', async () => {
    expect(await importUpstream(db.pool, 'cs-authorizations', fx('cs-authorizations_good.csv'))).toMatchObject({ rowsImported: 4, rowsRejected: 0 });
    const bad = await importUpstream(db.pool, 'cs-authorizations', fx('cs-authorizations_bad.csv'));
    expect(bad.rowsImported).toBe(1);
    const byRow = Object.fromEntries(bad.rejects.map((r) => [r.row, r.message]));
    expect(byRow[3]).toMatch(/already assigned to provider HOMEWAY on row 2/);
    expect(byRow[4]).toMatch(/service_code must be one of/);
    expect(byRow[5]).toMatch(/must be blank for a POTENTIAL/);
    expect(byRow[6]).toMatch(/no CS contract/);
    expect(byRow[7]).toMatch(/already assigned to provider HOMEWAY/);
    const rc = (await db.pool.query("select provider_code from cs_authorizations where cin = '92345678B' and service_code = 'RC'")).rows;
    expect(rc).toEqual([{ provider_code: 'HOMEWAY' }]);
    const htn = (await db.pool.query("select provider_code, auth_status from cs_authorizations where cin = '91234567A' and service_code = 'HTN'")).rows;
    expect(htn).toEqual([{ provider_code: 'HOMEWAY', auth_status: 'Approved' }]);
    // the refused second assignments stay on record for the CSASF run to report
    const conflicts = (await db.pool.query('select cin, service_code, owner_provider, refused_provider from cs_assignment_conflicts order by cin')).rows;
    expect(conflicts).toEqual([
      { cin: '91234567A', service_code: 'HTN', owner_provider: 'HOMEWAY', refused_provider: 'BOTHCARE' },
      { cin: '92345678B', service_code: 'RC', owner_provider: 'HOMEWAY', refused_provider: 'BOTHCARE' },
    ]);
  });

  it('is idempotent: importing the same file twice leaves the same state', async () => {
    const before = await count('select count(*) n from cs_authorizations');
    await importUpstream(db.pool, 'cs-authorizations', fx('cs-authorizations_good.csv'));
    expect(await count('select count(*) n from cs_authorizations')).toBe(before);
  });

  it('refuses a file with missing columns as a whole', async () => {
    await expect(importUpstream(db.pool, 'members', fx('providers_good.csv'))).rejects.toBeInstanceOf(ImportFileError);
    await expect(importUpstream(db.pool, 'members', fx('nope.csv'))).rejects.toThrow(/not found/);
  });
});
