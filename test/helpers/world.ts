// The set-up most integration tests share: a fresh database with the small plan, the
// in-process sFTP server with the plan's provider folders, a data folder, a config on them,
// and the deps generation takes. Opened in beforeAll, closed in afterAll.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UPSTREAM, type UpstreamKind } from '../../schemas/upstream.js';
import { answerWindow, deadlinePolicyFromConfig, type AnswerWindow } from '../../src/calendar/deadlines.js';
import type { Period } from '../../src/calendar/period.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ingestFile, type Ingested } from '../../src/ingest/pipeline.js';
import { respondOverSftp } from '../../src/ingest/respond.js';
import { importUpstream, type ImportOptions } from '../../src/import/upstream.js';
import type { GenerateDeps } from '../../src/generate/run.js';
import { createTestDb, type TestDb } from './db.js';
import { startTestSftp, type TestSftp } from './dev-sftp.js';
import { P, seedCsAuthorizations, seedPlan } from './plan.js';

export interface PlanWorld {
  db: TestDb;
  sftp: TestSftp;
  dataDir: string;
  config: Config;
  deps: GenerateDeps;
}

/**
 * @param name names the data folder (`calaim-<name>-…`)
 * @param opts.csAuthorizations also the plan's CS authorizations (seedCsAuthorizations)
 * @param opts.settings configuration on top of DATA_DIR
 */
/**
 * A generation's slot and clock as the tests run it: the slot's day at 15:00 UTC (early morning
 * in the plan's zone), never the wall clock: a file recorded as published on the day the tests
 * run does not answer an upload pinned as received before it.
 */
/** When the world's files for `period` (YYYY-MM) are last accepted, as its configuration says (owedLines, periodStatus). */
export const windowOf = (w: { config: Config }, period: string): AnswerWindow =>
  answerWindow(deadlinePolicyFromConfig(w.config), period as Period, w.config.PLAN_TIME_ZONE);

export const onSlotDay = (date: string): { date: string; now: Date } => ({ date, now: new Date(`${date}T15:00:00Z`) });

export async function openPlanWorld(name: string, opts: { csAuthorizations?: boolean; settings?: Record<string, string> } = {}): Promise<PlanWorld> {
  const db = await createTestDb();
  await seedPlan(db.pool);
  if (opts.csAuthorizations) await seedCsAuthorizations(db.pool);
  const sftp = await startTestSftp(Object.values(P).map((p) => p.code));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `calaim-${name}-`));
  const config = loadConfig({ DATA_DIR: dataDir, ...opts.settings });
  return { db, sftp, dataDir, config, deps: { pool: db.pool, config, openSession: () => sftp.openSession() } };
}

/** A provider's file ingested (received at `at`) and answered over the world's sFTP server, as the poll answers it. */
export async function answerUpload(w: PlanWorld, provider: string, name: string, bytes: Buffer, at: string): Promise<Ingested> {
  const done = await ingestFile({ pool: w.db.pool, config: w.config }, { provider, originalName: name, bytes, receivedAt: new Date(at), source: 'cli' });
  const session = await w.sftp.openSession();
  try {
    await respondOverSftp({ pool: w.db.pool, config: w.config }, session, done, null, new Date(at));
  } finally {
    await session.close();
  }
  return done;
}

/**
 * An upstream extract of `rows` (CSV lines) written into `dir` under `name`; its path. The header
 * is the kind's required columns as schemas/upstream.ts declares them, in order (without its
 * optional columns), unless given.
 */
export function writeExtract(dir: string, kind: UpstreamKind, name: string, rows: readonly string[], header = UPSTREAM[kind].columns.join(',')): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, [header, ...rows, ''].join('\n'));
  return file;
}

/** Writes an upstream extract into the world's data folder (writeExtract) and imports it on the import's clock `at`. */
export async function importExtract(
  w: PlanWorld, kind: UpstreamKind, name: string, rows: readonly string[], at: string, header = UPSTREAM[kind].columns.join(','),
  options: Omit<ImportOptions, 'config' | 'now'> = {},
) {
  return importUpstream(w.db.pool, kind, writeExtract(w.dataDir, kind, name, rows, header), { ...options, config: w.config, now: new Date(at) });
}

/** The providers extract's header (DESIGN §3: one row per contract), without the optional contract_end column. */
export const PROVIDERS_HEADER = UPSTREAM.providers.columns.join(',');

/** A providers extract of `rows` (see importExtract). */
export const importProviders = (w: PlanWorld, name: string, rows: readonly string[], at: string, header = PROVIDERS_HEADER) =>
  importExtract(w, 'providers', name, rows, at, header);

/** The members extract's header (DESIGN §2), without the optional eligibility_end column. */
export const MEMBERS_HEADER = UPSTREAM.members.columns.join(',');

/** A members extract of `rows` (see importExtract). */
export const importMembers = (w: PlanWorld, name: string, rows: readonly string[], at: string, header = MEMBERS_HEADER) =>
  importExtract(w, 'members', name, rows, at, header);

export async function closePlanWorld(w: PlanWorld | undefined): Promise<void> {
  if (!w) return;
  await w.sftp.stop();
  await w.db.drop();
  fs.rmSync(w.dataDir, { recursive: true, force: true });
}

/** What the CLI tests share: a database with the small plan, a data folder, the env for `runCli`. */
export interface CliWorld {
  db: TestDb;
  dataDir: string;
  env: Record<string, string>;
  /** The first row of a query (rows are untyped, as pg returns them). */
  one: (sql: string, params?: unknown[]) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function openCliWorld(name: string, settings: Record<string, string> = {}): Promise<CliWorld> {
  const db = await createTestDb();
  await seedPlan(db.pool);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `calaim-${name}-`));
  return {
    db, dataDir,
    env: { DATABASE_URL: db.url, DATA_DIR: dataDir, DEV_SFTP_PORT: '0', ...settings },
    one: async (sql, params = []) => (await db.pool.query(sql, params)).rows[0],
  };
}

export async function closeCliWorld(w: CliWorld | undefined): Promise<void> {
  if (!w) return;
  await w.db.drop();
  fs.rmSync(w.dataDir, { recursive: true, force: true });
}
