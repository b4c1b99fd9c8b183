import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBlob, purgeBlobs, putBlob } from '../../src/db/blobs.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db.drop(); });

describe('blob retention', () => {
  it('purges the bytes of files older than the retention, keeps their hash, size and references', async () => {
    const old = await putBlob(db.pool, Buffer.from('an old RTF'));
    const recent = await putBlob(db.pool, Buffer.from('a recent RTF'));
    await db.pool.query(`update file_blobs set created_at = now() - interval '3651 days' where sha256 = $1`, [old]);
    await db.pool.query(`insert into providers (provider_code, npi, tin, name, sftp_folder) values ('P1','1234567893','123456789','P one','P1')`);
    await db.pool.query(`insert into submissions (provider_code, original_name, sha256, size, received_at) values ('P1', 'old.xlsx', $1, 10, now())`, [old]);
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 1, bytes: 10 });
    expect(await getBlob(db.pool, old)).toBeUndefined();
    expect((await getBlob(db.pool, recent))!.toString()).toBe('a recent RTF');
    expect((await db.pool.query(`select size, purged_at is not null as purged from file_blobs where sha256 = $1`, [old])).rows[0]).toEqual({ size: 10, purged: true });
    expect((await db.pool.query(`select count(*)::int n from submissions where sha256 = $1`, [old])).rows[0]).toEqual({ n: 1 });
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 0, bytes: 0 });
  });

  it('a file received again after its bytes were purged (the provider asked to send it again) is stored again, and kept the full retention from then', async () => {
    const bytes = Buffer.from('an RTF sent twice, ten years apart');
    const hash = await putBlob(db.pool, bytes);
    await db.pool.query(`update file_blobs set created_at = now() - interval '3651 days' where sha256 = $1`, [hash]);
    expect((await purgeBlobs(db.pool, 3650)).purged).toBe(1);
    expect(await getBlob(db.pool, hash)).toBeUndefined();
    // received again today: the immutable copy of this receipt is kept
    await putBlob(db.pool, bytes);
    expect((await getBlob(db.pool, hash))?.toString()).toBe(bytes.toString());
    expect(await purgeBlobs(db.pool, 3650)).toEqual({ purged: 0, bytes: 0 });
  });

  it('a file exchanged again before its purge: retention counts from the latest exchange, not the first', async () => {
    const bytes = Buffer.from('a header-only workbook sent again');
    const hash = await putBlob(db.pool, bytes);
    await db.pool.query(`update file_blobs set created_at = now() - interval '3649 days' where sha256 = $1`, [hash]);
    await putBlob(db.pool, bytes);
    // two days on, the first copy would be over the retention; today's is not
    const twoDaysOn = (await db.pool.query<{ t: Date }>(`select now() + interval '2 days' as t`)).rows[0]!.t;
    expect(await purgeBlobs(db.pool, 3650, twoDaysOn)).toEqual({ purged: 0, bytes: 0 });
    expect((await getBlob(db.pool, hash))?.toString()).toBe(bytes.toString());
  });
});
