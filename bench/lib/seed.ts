// The benchmark's databases, seeded in bulk (unnest arrays, 20k rows per statement). Each is a
// template: every measured run gets a fresh clone, so each ingest is a first submission.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { assignment, member, provider, type BenchProvider } from './data.js';

export const RTF_SIZES = { '10k': 10_000, '100k': 100_000, '200k': 200_000 } as const;
export type SizeName = keyof typeof RTF_SIZES;

/** The provider that sends the file of each size, and where its members start in the global index. */
export function rtfProvider(size: SizeName): { provider: BenchProvider; firstMember: number } {
  const order: SizeName[] = ['10k', '100k', '200k'];
  let first = 0;
  for (const s of order) {
    if (s === size) return { provider: provider(`BENCH${s.toUpperCase()}`, order.indexOf(s) + 1), firstMember: first };
    first += RTF_SIZES[s];
  }
  throw new Error(size);
}

export const MIF_PROVIDERS = 100;
export const MIF_MEMBERS_PER_PROVIDER = 1000;
export const MIF_FIRST_MEMBER = 1_000_000;
export const mifProvider = (i: number): BenchProvider => provider(`MIFP${String(i + 1).padStart(3, '0')}`, 100 + i, ['HN']);
/** MIF members are pending, in outreach or enrolled (all of them go on the MIF). */
export function mifAssignment(k: number) {
  const a = assignment(k, ['HN']);
  return a.status === 4 ? { ...a, status: 2 } : a;
}

export const IDLE_PROVIDERS = 500;
export const idleProvider = (i: number): BenchProvider => provider(`IDLE${String(i + 1).padStart(3, '0')}`, 1000 + i, ['HN']);

/**
 * Case G, the month-start burst: BURST_PROVIDERS providers each upload an RTF of
 * BURST_RTF_ROWS and an OTF of BURST_OTF_ROWS about their own members (a member is assigned to
 * one provider per line of business, so one file copied into every folder would be rejected
 * row by row everywhere but in its own).
 */
export const BURST_PROVIDERS = 300;
export const BURST_RTF_ROWS = 2000;
export const BURST_OTF_ROWS = 1000;
const BURST_FIRST_MEMBER = 3_000_000;
export const burstProvider = (i: number): BenchProvider => provider(`BURST${String(i + 1).padStart(3, '0')}`, 3000 + i, ['HN']);
/** Global index of burst provider i's first member. */
export const burstFirstMember = (i: number): number => BURST_FIRST_MEMBER + i * BURST_RTF_ROWS;

const BATCH = 20_000;

async function insertProviders(c: pg.PoolClient, ps: BenchProvider[], program = 'ECM'): Promise<void> {
  await c.query(
    `insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder)
     select code, npi, tin, name, phone, lower(code) || '@provider.example', 'liaison@plan.example', code
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as x(code, npi, tin, name, phone)`,
    [ps.map((p) => p.code), ps.map((p) => p.npi), ps.map((p) => p.tin), ps.map((p) => p.name), ps.map((p) => p.phone)],
  );
  const pairs = ps.flatMap((p) => p.lobs.map((lob) => [p.code, lob] as const));
  await c.query(
    `insert into provider_contracts (provider_code, lob, program) select p, l, $3 from unnest($1::text[], $2::text[]) as x(p, l)`,
    [pairs.map((x) => x[0]), pairs.map((x) => x[1]), program],
  );
}

async function insertMembers(c: pg.PoolClient, first: number, count: number): Promise<void> {
  for (let off = 0; off < count; off += BATCH) {
    const ms = Array.from({ length: Math.min(BATCH, count - off) }, (_, j) => member(first + off + j));
    const col = <K extends keyof (typeof ms)[number]>(k: K) => ms.map((m) => m[k]);
    await c.query(
      `insert into members (cin, mcp_member_id, last_name, first_name, dob, gender, language, address, city, state, zip, phone, county, homeless)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[])`,
      [col('cin'), col('mcpMemberId'), col('lastName'), col('firstName'), col('dob'), col('gender'), col('language'), col('address'),
        col('city'), col('state'), col('zip'), col('phone'), col('county'), col('homeless')],
    );
  }
}

/** Assignments of `count` members to the provider, and the MIF it received for them (published, per lob). */
async function insertCaseload(c: pg.PoolClient, p: BenchProvider, first: number, count: number, assign: (k: number) => ReturnType<typeof assignment>, withMif: boolean): Promise<void> {
  const fileIds = new Map<string, number>();
  if (withMif) {
    const bytes = Buffer.from(`bench MIF placeholder for ${p.code}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    await c.query(`insert into file_blobs (sha256, size, bytes) values ($1, $2, $3) on conflict do nothing`, [sha, bytes.length, bytes]);
    for (const lob of p.lobs) {
      const r = await c.query<{ id: number }>(
        `insert into outbound_files (kind, job, slot, provider_code, lob, status, file_name, remote_path, sha256, row_count, reporting_period, published_at)
         values ('MIF', 'mif', '2026-11-15', $1, $2, 'PUBLISHED', $3, $4, $5, 0, '2026-11-01', '2026-11-15T16:00:00Z') returning id`,
        [p.code, lob, `${lob}_MIF_${p.npi}_20261115.xlsx`, `/${p.code}/downloads/${lob}_MIF_${p.npi}_20261115.xlsx`, sha],
      );
      fileIds.set(lob, r.rows[0]!.id);
    }
  }
  const rowNo = new Map<string, number>();
  for (let off = 0; off < count; off += BATCH) {
    const n = Math.min(BATCH, count - off);
    const cins: string[] = [], lobs: string[] = [], statuses: number[] = [], assigned: string[] = [], starts: (string | null)[] = [];
    const acuities: (string | null)[] = [], lcmNames: (string | null)[] = [], lcmPhones: (string | null)[] = [];
    const fileId: number[] = [], rowNumber: number[] = [];
    for (let j = 0; j < n; j++) {
      const k = off + j;
      const a = assign(k);
      cins.push(member(first + k).cin);
      lobs.push(a.lob);
      statuses.push(a.status);
      assigned.push(a.assignedDate);
      starts.push(a.enrollmentStart);
      acuities.push(a.acuity);
      lcmNames.push(a.lcmName);
      lcmPhones.push(a.lcmPhone);
      if (withMif) {
        const next = (rowNo.get(a.lob) ?? 1) + 1;
        rowNo.set(a.lob, next);
        fileId.push(fileIds.get(a.lob)!);
        rowNumber.push(next);
      }
    }
    await c.query(
      `insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, acuity, lcm_name, lcm_phone)
       select cin, lob, $9, status, assigned, start, acuity, lcm, phone
         from unnest($1::text[], $2::text[], $3::smallint[], $4::date[], $5::date[], $6::text[], $7::text[], $8::text[])
           as x(cin, lob, status, assigned, start, acuity, lcm, phone)`,
      [cins, lobs, statuses, assigned, starts, acuities, lcmNames, lcmPhones, p.code],
    );
    if (withMif)
      await c.query(
        `insert into outbound_file_rows (outbound_file_id, row_number, cin, ecm_status)
         select * from unnest($1::bigint[], $2::int[], $3::text[], $4::smallint[])`,
        [fileId, rowNumber, cins, statuses],
      );
  }
  if (withMif) for (const [lob, id] of fileIds) await c.query(`update outbound_files set row_count = $2 where id = $1`, [id, (rowNo.get(lob) ?? 1) - 1]);
}

async function inTx(url: string, fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(pool);
    const c = await pool.connect();
    try {
      await c.query('begin');
      await fn(c);
      await c.query('commit');
      await c.query('vacuum analyze');
    } finally {
      c.release();
    }
  } finally {
    await pool.end();
  }
}

/** Providers sending the RTF files, their members, assignments and the published November MIF. */
export function seedRtf(url: string, sizes: readonly SizeName[]): Promise<void> {
  return inTx(url, async (c) => {
    for (const s of sizes) {
      const { provider: p, firstMember } = rtfProvider(s);
      await insertProviders(c, [p]);
      await insertMembers(c, firstMember, RTF_SIZES[s]);
      await insertCaseload(c, p, firstMember, RTF_SIZES[s], (k) => assignment(k, p.lobs), true);
    }
  });
}

/** 100 ECM providers with 1,000 members each: the MIF run writes 100,000 member rows. */
export function seedMif(url: string): Promise<void> {
  return inTx(url, async (c) => {
    const ps = Array.from({ length: MIF_PROVIDERS }, (_, i) => mifProvider(i));
    await insertProviders(c, ps);
    await insertMembers(c, MIF_FIRST_MEMBER, MIF_PROVIDERS * MIF_MEMBERS_PER_PROVIDER);
    for (const [i, p] of ps.entries()) await insertCaseload(c, p, MIF_FIRST_MEMBER + i * MIF_MEMBERS_PER_PROVIDER, MIF_MEMBERS_PER_PROVIDER, mifAssignment, false);
  });
}

/** 500 contracted providers with nothing uploaded. */
export function seedIdle(url: string): Promise<void> {
  return inTx(url, async (c) => {
    await insertProviders(c, Array.from({ length: IDLE_PROVIDERS }, (_, i) => idleProvider(i)));
  });
}

/** `count` burst providers, each with its members, their assignments and the MIF it received for them. */
export function seedBurst(url: string, count: number): Promise<void> {
  return inTx(url, async (c) => {
    const ps = Array.from({ length: count }, (_, i) => burstProvider(i));
    await insertProviders(c, ps);
    await insertMembers(c, burstFirstMember(0), count * BURST_RTF_ROWS);
    for (const [i, p] of ps.entries()) await insertCaseload(c, p, burstFirstMember(i), BURST_RTF_ROWS, (k) => assignment(k, p.lobs), true);
  });
}
