// Providers as the transport needs them: every provider's sFTP folder name, one account each on
// the in-process sFTP server (src/sftp/transport.ts).
import type pg from 'pg';

/** Every provider's sFTP folder name (active or not), sorted. */
export async function providerSftpFolders(db: pg.Pool | pg.PoolClient): Promise<string[]> {
  return (await db.query<{ sftp_folder: string }>('select sftp_folder from providers order by 1')).rows.map((r) => r.sftp_folder);
}
