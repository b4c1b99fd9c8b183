// The provider context an inbound file is checked against: assigned ECM members, flagged when
// on the latest MIF of their line of business, and members only on that MIF.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadProviderContext } from '../../src/ingest/context.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedPlan } from '../helpers/plan.js';

let db: TestDb;
const config = loadConfig({});

beforeAll(async () => {
  db = await createTestDb();
  await seedPlan(db.pool);
  await db.pool.query(`insert into file_blobs (sha256, size, bytes) values (repeat('a', 64), 1, '\\x00')`);
  const mif = async (slot: string, lob: string, rows: [string, number][]) => {
    const f = await db.pool.query<{ id: number }>(
      `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, sha256, row_count, published_at)
       values ('MIF', 'mif', $1, 'ACME', $2, 'PUBLISHED', $3, repeat('a', 64), $4, $1::date + time '15:00') returning id`,
      [slot, lob, `MIF_${lob}_${slot}.xlsx`, rows.length],
    );
    for (const [i, [cin, status]] of rows.entries())
      await db.pool.query(`insert into outbound_file_rows (outbound_file_id, row_number, cin, ecm_status) values ($1, $2, $3, $4)`, [f.rows[0]!.id, i + 2, cin, status]);
  };
  await mif('2026-10-15', 'HN', [['91000008H', 3]]); // an older MIF: no longer counts
  // the latest HN MIF: an assigned pending member, an assigned enrolled one, a member assigned
  // under CV (another line of business), one no longer assigned to anyone, and one the plan has
  // since assigned to another provider in HN (91000005E is RIVAL's)
  await mif('2026-11-15', 'HN', [['91000001A', 1], ['91000002B', 3], ['91000004D', 2], ['91000005E', 3], ['91000007G', 3]]);
});
afterAll(async () => {
  await db.drop();
});

describe('loadProviderContext', () => {
  it('knows each ECM member of the provider and what its latest MIF said', async () => {
    const ctx = await loadProviderContext(db.pool, 'ACME', new Date('2026-12-03T18:00:00Z'), config);
    const view = Object.fromEntries([...ctx.ecm].map(([cin, m]) => [`${cin} ${m.lob}`, m]).sort());
    expect(view).toEqual({
      '91000001A HN': { lob: 'HN', status: 1, lastName: 'Alpha', firstName: 'Ann', onLatestMif: true, enrolledOnLatestMif: false, lcmName: null, reassigned: false },
      '91000002B HN': { lob: 'HN', status: 3, lastName: 'Bravo', firstName: 'Ben', onLatestMif: true, enrolledOnLatestMif: true, lcmName: 'Pat Lee', reassigned: false },
      '91000003C HN': { lob: 'HN', status: 4, lastName: 'Charlie', firstName: 'Cy', onLatestMif: false, enrolledOnLatestMif: false, lcmName: 'Pat Lee', reassigned: false },
      // assigned under CV; on the HN MIF with no HN assignment now: in HN, as sent (as 91000007G is)
      '91000004D CV': { lob: 'CV', status: 2, lastName: 'Delta', firstName: 'Dee', onLatestMif: false, enrolledOnLatestMif: false, lcmName: null, reassigned: false },
      '91000004D HN': { lob: 'HN', status: 2, lastName: 'Delta', firstName: 'Dee', onLatestMif: true, enrolledOnLatestMif: false, lcmName: null, reassigned: false },
      '91000005E HN': { lob: 'HN', status: 3, lastName: 'Echo', firstName: 'Ed', onLatestMif: true, enrolledOnLatestMif: true, lcmName: null, reassigned: true },
      '91000006F HN': { lob: 'HN', status: 3, lastName: 'Foxtrot', firstName: 'Fay', onLatestMif: false, enrolledOnLatestMif: false, lcmName: 'Pat Lee', reassigned: false },
      '91000007G HN': { lob: 'HN', status: 3, lastName: 'Golf', firstName: 'Gil', onLatestMif: true, enrolledOnLatestMif: true, lcmName: null, reassigned: false },
    });
    expect(ctx.ecmLobs).toEqual(new Set(['HN', 'CV']));
  });

  it('a MIF published after the file was received does not count', async () => {
    const ctx = await loadProviderContext(db.pool, 'ACME', new Date('2026-11-10T18:00:00Z'), config);
    expect(ctx.ecm.get('91000008H')).toMatchObject({ onLatestMif: true, enrolledOnLatestMif: true });
    expect(ctx.ecm.get('91000007G')).toBeUndefined();
    expect(ctx.ecm.get('91000002B')).toMatchObject({ onLatestMif: false });
  });

  it('knows the NPIs and TINs the plan replaced for the provider within PREVIOUS_IDENTITY_DAYS of the receipt', async () => {
    // ACME's NPI replaced at 9 AM Pacific on Oct 1, its TIN then on Nov 20 (both on the clock the change was written with)
    await db.pool.query(`update providers set npi = '1245678903', updated_at = '2026-10-01T16:00:00Z' where provider_code = 'ACME'`);
    await db.pool.query(`update providers set tin = '999888777', updated_at = '2026-11-20T17:00:00Z' where provider_code = 'ACME'`);
    const previous = async (receivedAt: string, days = 62) => {
      const ctx = await loadProviderContext(db.pool, 'ACME', new Date(receivedAt), { ...config, PREVIOUS_IDENTITY_DAYS: days });
      expect([ctx.npi, ctx.tin]).toEqual(['1245678903', '999888777']);
      return { npis: Object.fromEntries(ctx.previousIdentities.npis), tins: Object.fromEntries(ctx.previousIdentities.tins) };
    };
    // Dec 2 is 62 days after Oct 1: the day of the change counts, whatever its hour
    expect(await previous('2026-12-02T17:00:00Z')).toEqual({ npis: { '1234567893': '2026-10-01' }, tins: { '123456789': '2026-11-20' } });
    expect(await previous('2026-12-03T17:00:00Z')).toEqual({ npis: {}, tins: { '123456789': '2026-11-20' } });
    expect(await previous('2026-12-03T17:00:00Z', 63)).toEqual({ npis: { '1234567893': '2026-10-01' }, tins: { '123456789': '2026-11-20' } });
    expect(await previous('2026-12-02T17:00:00Z', 0)).toEqual({ npis: {}, tins: {} });
    // the other providers: none replaced
    const rival = await loadProviderContext(db.pool, 'RIVAL', new Date('2026-12-02T17:00:00Z'), config);
    expect(rival.previousIdentities).toEqual({ npis: new Map(), tins: new Map() });
  });
});
