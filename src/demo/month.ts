// `calaim-exchange demo`: one month of the exchange, played on a pinned clock against a real
// (embedded) Postgres and the in-process sFTP server, with the sample plan. Every step goes
// through the same code the scheduler and the CLI use; simulated providers drop files into
// their upload folders the way an sFTP client would.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { prepareDemoOut } from './out-folder.js';
import type pg from 'pg';
import { CSASF } from '../../schemas/index.js';
import { UPSTREAM_KINDS } from '../../schemas/upstream.js';
import { localDateTimeToInstant, theDay } from '../calendar/index.js';
import { loadConfig, setConfig, type Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase, type Database } from '../db/pool.js';
import { applyHeapGrowth } from '../heap.js';
import { generate, type OutboundKind } from '../generate/run.js';
import { importUpstream } from '../import/upstream.js';
import { pollOnce, type PollFileResult } from '../ingest/poll.js';
import { miniMifSlaAlert } from '../reports/alerts.js';
import { missingSubmissionDigest } from '../reports/missing.js';
import { executeRun } from '../runs/execute.js';
import { exchangeTotals } from '../repositories/metrics.js';
import { providersContracting, providerSftpFolders } from '../repositories/providers.js';
import { openTransport, type Transport } from '../sftp/transport.js';
import { cleanRtf, CSPRTF, csprtfFor, OTF, otfFor, RTF, rtfResubmission, rtfWithErrors, sheetRows, workbook, type Rec } from './providers.js';
import { freePort } from '../net.js';
import { pinnedClock, type Clock } from '../clock.js';
import { scheduleTable } from '../../jobs/schedule.js';

export const SAMPLE_PLAN = path.join(packageRoot(), 'samples', 'plan');
const TZ = 'America/Los_Angeles';

export interface DemoStep { when: string; what: string; detail: string[] }
export interface DemoResult {
  out: string;
  steps: DemoStep[];
  outputs: { published: string; responses: string; processedUploads: string; outbox: string; database: string; reopen: string; web: string };
  counts: Record<string, number>;
  seconds: number;
}

/**
 * A local Pacific time as an instant: the demo's clock. Every step is pinned to it (imports,
 * generation, polls, alerts), never the wall clock: the month plays the same whenever it is run.
 */
const at = (date: string, time: string) => localDateTimeToInstant(date, time, TZ);

/** The plan loads its extracts before the month's first run. */
const IMPORTED_AT = at('2026-11-01', '08:00');

/**
 * Settings for a self-contained run in `dataDir` (the demo, the simulation): embedded Postgres
 * on a free port, the in-process sFTP server, emails to the outbox, whatever the environment
 * points at, and uploads taken on the listing that sees them.
 */
export async function zeroSetupConfig(dataDir: string): Promise<Config> {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'SFTP_HOST', 'SFTP_USER', 'SFTP_PASSWORD', 'SFTP_PRIVATE_KEY_PATH', 'SFTP_HOST_KEY_SHA256', 'SMTP_URL']) delete env[k];
  return loadConfig({ ...env, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), DEV_SFTP_PORT: '0', SFTP_STABLE_SECONDS: '0' });
}

/** What `demo --serve` is handed once the month is played: the demo's database, settings, sFTP and clock, live until it returns. */
export interface DemoLive { pool: pg.Pool; config: Config; openSession: Transport['openSession']; now: Clock }

export interface DemoOptions {
  out: string;
  onStep?: (step: DemoStep) => void;
  /** Runs after the month, before the embedded servers stop (`demo --serve` serves the web pages until stopped). */
  serve?: (live: DemoLive) => Promise<void>;
}

/** The web pages' clock in the demo: the day after the last window of the month, so the board opens on November. */
export const DEMO_WEB_NOW = at('2026-12-12', '09:00');


export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = performance.now(); // how long the demo took (elapsed, not a date)
  // A second run starts clean; a folder the demo did not make is refused, never emptied.
  const out = prepareDemoOut(opts.out);
  const config = await zeroSetupConfig(out);
  setConfig(config);
  const steps: DemoStep[] = [];
  const step = (when: string, what: string, detail: string[] = []) => {
    const s = { when, what, detail };
    steps.push(s);
    opts.onStep?.(s);
  };

  applyHeapGrowth(config);
  const db = await openDatabase(config);
  let transport: Transport | undefined;
  try {
    await migrate(db.pool);
    step('setup', 'Embedded Postgres started and migrated', [`data in ${path.join(out, 'pg')}`]);
    const counts: Record<string, number> = {};
    for (const kind of UPSTREAM_KINDS) {
      const s = await importUpstream(db.pool, kind, path.join(SAMPLE_PLAN, `${kind}.csv`), { config, now: IMPORTED_AT });
      counts[kind === 'providers' ? 'provider contracts' : kind] = s.rowsImported;
    }
    step('setup', 'Sample plan imported from samples/plan/', UPSTREAM_KINDS.map((k) => `${k === 'providers' ? 'provider contracts' : k}: ${counts[k === 'providers' ? 'provider contracts' : k]}`));
    transport = await openTransport(config, () => providerSftpFolders(db.pool));
    step('setup', 'In-process sFTP server started', [`provider folders under ${path.join(out, 'sftp')}`]);
    const month = new DemoMonth(db, config, transport, step);
    await month.play();
    const totals = await exchangeTotals(db.pool);
    for (const s of totals.submissions) counts[`submissions ${s.outcome}`] = s.count;
    counts['outbound files published'] = totals.outboundPublished;
    counts.notifications = totals.notifications;
    await opts.serve?.({ pool: db.pool, config, openSession: transport.openSession, now: pinnedClock(DEMO_WEB_NOW) });
    return {
      out,
      steps,
      counts,
      outputs: {
        published: path.join(out, 'sftp', '<PROVIDER>', 'downloads'),
        responses: path.join(out, 'sftp', '<PROVIDER>', 'downloads', '*_RESPONSE_*.xlsx'),
        processedUploads: path.join(out, 'sftp', '<PROVIDER>', 'uploads', '{processed,failed}'),
        outbox: path.join(out, 'outbox'),
        database: `embedded Postgres in ${path.join(out, 'pg')} (stopped when the demo exits)`,
        reopen: `DATA_DIR=${path.relative(process.cwd(), out) || '.'} npx calaim-exchange status --period 2026-11`,
        web: 'npx calaim-exchange demo --serve',
      },
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await transport?.close();
    await db.close();
  }
}

class DemoMonth {
  private readonly deps: { pool: pg.Pool; config: Config; openSession: Transport['openSession'] };
  constructor(private readonly db: Database, private readonly config: Config, private readonly transport: Transport, private readonly step: (when: string, what: string, detail?: string[]) => void) {
    this.deps = { pool: db.pool, config, openSession: transport.openSession };
  }

  /** A job's slot on the demo's clock: at its time on the schedule (jobs/schedule.ts), as the scheduler runs it. */
  private dueAt(job: string, date: string): Date {
    return at(date, scheduleTable(this.config).find((e) => e.job === job)?.at ?? '07:00');
  }

  private async generateSlot(kind: OutboundKind, date: string): Promise<void> {
    const now = this.dueAt(kind, date);
    const r = await executeRun(this.db.pool, this.config, kind, date, { trigger: 'cron' }, async ({ signal, run }) => {
      const g = await generate(kind, { date, signal, runId: run.id, now }, this.deps);
      return { published: g.published, empty: g.empty, failed: g.failed, units: g.units.length, files: g.units.filter((u) => u.file).map((u) => `${u.provider}/${u.file} (${u.rows} rows)`) };
    });
    const label = { mif: 'Monthly MIF', 'mini-mif': 'mini-MIF', csasf: 'CSASF' }[kind];
    if (r.status === 'already-done') {
      this.step(date, `${label} fired again for the same slot: already done, nothing published twice`);
      return;
    }
    const c = r.result;
    this.step(date, `${label}: ${c.published} file(s) published, ${c.empty} provider(s) with nothing to send`, c.files.slice(0, 14));
  }

  private downloads(code: string, prefix: string): Buffer {
    const dir = path.join(this.transport.localRoot!, code, 'downloads');
    const name = fs.readdirSync(dir).filter((f) => f.startsWith(prefix)).sort().at(-1);
    if (!name) throw new Error(`demo: no ${prefix}* in ${code}/downloads`);
    return fs.readFileSync(path.join(dir, name));
  }

  /** A provider's sFTP client drops the file in its uploads/ folder at that local time. */
  private upload(code: string, name: string, bytes: Buffer, date: string, time: string): void {
    const file = path.join(this.transport.localRoot!, code, 'uploads', name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    const t = at(date, time);
    fs.utimesSync(file, t, t);
  }

  /** The poller runs every few minutes; a file is taken on the listing after it was first seen. */
  private async poll(date: string, time: string): Promise<PollFileResult[]> {
    const results: PollFileResult[] = [];
    for (const offset of [5, 10]) {
      const now = new Date(at(date, time).getTime() + offset * 60_000);
      const slot = now.toISOString().slice(0, 16);
      await executeRun(this.db.pool, this.config, 'poll', slot, { trigger: 'cron' }, async ({ signal }) => {
        const p = await pollOnce(this.deps, { now, signal });
        results.push(...p.results);
        return { providers: p.providers, files: p.files, failedFiles: p.failedFiles };
      });
    }
    for (const x of results)
      this.step(date, `${x.provider} uploaded ${x.file}: ${x.outcome ?? 'NOT PROCESSED'}${x.verdict ? ` (${x.verdict})` : ''}`, [
        x.error ? `error: ${x.error}` : `rows read ${x.rowsRead}, accepted ${x.rowsAccepted}, rejected ${x.rowsRejected}${x.fileErrors?.length ? `; file error ${x.fileErrors.join(', ')}` : ''}`,
        ...(x.response ? [`response ${path.posix.basename(x.response)} in ${x.provider}/downloads`] : []),
      ]);
    return results;
  }

  async play(): Promise<void> {
    const ecm = await providersContracting(this.db.pool, 'ECM');
    const cs = (await providersContracting(this.db.pool, 'CS')).filter((p) => !ecm.some((e) => e.code === p.code));
    const pick = <T>(list: T[], i: number) => list[Math.min(i, list.length - 1)]!;
    const clean = pick(ecm, 0);
    const sloppy = pick(ecm, 1);
    const twoTab = pick(ecm, ecm.length - 1);
    const late = pick(ecm, 3);
    const csGood = pick(cs, 0);
    const csBroken = pick(cs, 1);

    // November: the plan sends.
    const sla = await executeRun(this.db.pool, this.config, 'minimif-sla', '2026-11-05', { trigger: 'cron' }, async () => ({ ...(await miniMifSlaAlert(this.db.pool, this.config, '2026-11-05', this.dueAt('minimif-sla', '2026-11-05'))) }));
    this.step('2026-11-05', `mini-MIF SLA check: ${sla.status === 'ran' ? String(sla.result.referrals) : 0} referral(s) approved 10+ days ago not yet sent: liaison alerted`, ['(the mini-MIF job had not run yet this month)']);
    await this.generateSlot('mini-mif', '2026-11-06');
    await this.generateSlot('mif', '2026-11-15');
    await this.generateSlot('csasf', '2026-11-15');
    await this.generateSlot('mini-mif', '2026-11-20');
    await this.generateSlot('mini-mif', '2026-11-25');
    await this.generateSlot('csasf', '2026-11-29');
    await this.generateSlot('mif', '2026-11-15'); // a second scheduler instance firing the same slot

    // December: the providers answer for November.
    const period = '2026-11';
    const mifOf = (p: { code: string; npi: string; lobs: string[] }) => this.downloads(p.code, `${p.lobs[0]}_MIF_${p.npi}_20261115`);
    const cleanRows = cleanRtf(await sheetRows(mifOf(clean), RTF), '2026-12-01');
    this.upload(clean.code, `RTF_${clean.code}_202611.xlsx`, await workbook([[RTF, cleanRows]]), '2026-12-02', '09:12');
    this.upload(clean.code, `OTF_${clean.code}_202611.xlsx`, await workbook([[OTF, otfFor(cleanRows, clean, period)]]), '2026-12-02', '09:14');
    await this.poll('2026-12-02', '09:15');

    const strangerCin = String(cleanRows.find((r) => r.ecmStatus === '2')?.cin ?? cleanRows[0]!.cin);
    const sloppyRows = await sheetRows(mifOf(sloppy), RTF);
    this.upload(sloppy.code, `RTF_${sloppy.code}_202611.xlsx`, await workbook([[RTF, rtfWithErrors(sloppyRows, '2026-12-02', strangerCin)]]), '2026-12-03', '16:40');
    await this.poll('2026-12-03', '16:45');

    const csasf = await sheetRows(this.downloads(csGood.code, `${csGood.lobs.join('-')}_CSASF_${csGood.npi}_20261129`), CSASF);
    const otherCsasf = await sheetRows(this.downloads(csBroken.code, `${csBroken.lobs.join('-')}_CSASF_${csBroken.npi}_20261129`), CSASF);
    const notOurs = otherCsasf[0] ? csprtfFor([otherCsasf[0]], '2026-12-03', period)[0]! : undefined;
    const extra: Rec | undefined = notOurs ? { ...notOurs, providerName: csGood.name, providerNpi: csGood.npi, providerTin: csGood.tin } : undefined;
    this.upload(csGood.code, `CSPRTF_${csGood.code}_202611.xlsx`, await workbook([[CSPRTF, csprtfFor(csasf, '2026-12-03', period, extra)]]), '2026-12-04', '11:02');
    await this.poll('2026-12-04', '11:05');

    const twoTabRows = cleanRtf(await sheetRows(mifOf(twoTab), RTF), '2026-12-04');
    this.upload(twoTab.code, `RTF_OTF_${twoTab.code}_202611.xlsx`, await workbook([[RTF, twoTabRows, 'RTF'], [OTF, otfFor(twoTabRows, twoTab, period), 'OTF']]), '2026-12-05', '15:30');
    this.upload(csBroken.code, `CSPRTF_${csBroken.code}_202611.xlsx`, Buffer.from('CIN,Service,Status\n91234567A,HTN,2\n'), '2026-12-05', '15:31');
    await this.poll('2026-12-05', '15:35');

    const digest1 = await executeRun(this.db.pool, this.config, 'missing-alert', '2026-12-06', { trigger: 'cron' }, async () => {
      const r = await missingSubmissionDigest(this.db.pool, this.config, '2026-12-06', this.dueAt('missing-alert', '2026-12-06'));
      return { providers: r.rows.length, digests: r.digests };
    });
    if (digest1.status === 'ran') this.step('2026-12-06', `Missing-submission digest after ${theDay(this.config.ON_TIME_LAST_DAY)}: ${String(digest1.result.providers)} provider(s) listed, ${String(digest1.result.digests)} liaison digest(s) sent (email + xlsx)`);

    const resub = await workbook([[RTF, rtfResubmission(sloppyRows, '2026-12-07', strangerCin)]]);
    this.upload(sloppy.code, `RTF_${sloppy.code}_202611_corrected.xlsx`, resub, '2026-12-08', '10:20');
    await this.poll('2026-12-08', '10:25');
    this.upload(sloppy.code, `RTF_${sloppy.code}_202611_corrected (1).xlsx`, resub, '2026-12-09', '08:00');
    await this.poll('2026-12-09', '08:05');

    const lateRows = cleanRtf(await sheetRows(mifOf(late), RTF), '2026-12-10');
    this.upload(late.code, `RTF_${late.code}_202611.xlsx`, await workbook([[RTF, lateRows]]), '2026-12-11', '00:30');
    await this.poll('2026-12-11', '00:35');

    const digest2 = await executeRun(this.db.pool, this.config, 'missing-alert', '2026-12-11', { trigger: 'cron' }, async () => {
      const r = await missingSubmissionDigest(this.db.pool, this.config, '2026-12-11', this.dueAt('missing-alert', '2026-12-11'));
      return { providers: r.rows.length, digests: r.digests };
    });
    if (digest2.status === 'ran') this.step('2026-12-11', `Missing-submission digest after ${theDay(this.config.RESUBMISSION_LAST_DAY)}: ${String(digest2.result.providers)} provider(s) listed, ${String(digest2.result.digests)} liaison digest(s) sent`);
  }
}
