// Drives the real system through the simulated year: plan imports as CSV files through the
// import code, the scheduled files through the generator onto the sFTP server, the providers'
// files dropped into their sFTP upload folders and taken by the poller, all on the
// scenario's clock. After every step it compares what the system did with the reference
// model (test/sim/model.ts) and stops at the first difference.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { LINES_OF_BUSINESS } from '../../schemas/codes.js';
import { CSASF, CSPRTF, MIF, OTF, RTF } from '../../schemas/index.js';
import { FIX_SHEET_COLUMNS, type Layout } from '../../schemas/layout.js';
import { localDateTimeToInstant } from '../../src/calendar/zone.js';
import type { Config } from '../../src/config.js';
import { getBlob } from '../../src/db/blobs.js';
import { generate, type OutboundKind } from '../../src/generate/run.js';
import { importUpstream } from '../../src/import/upstream.js';
import type { UpstreamKind } from '../../schemas/upstream.js';
import { toCsv } from '../../samples/generate.js';
import { storedResult } from '../../src/ingest/pipeline.js';
import { pollOnce, type PollFileResult } from '../../src/ingest/poll.js';
import type { SftpSession } from '../../src/sftp/client.js';
import { sheetRows } from '../../src/demo/providers.js';
import { readWorkbook } from '../../src/xlsx/reader.js';
import { isCellDate, type CellValue } from '../../src/xlsx/types.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { workbook } from '../helpers/provider-files.js';
import { Model, type ContractRow, type CsasfLine, type Expected, type IsoDate, type MifLine, type SimEvent, type UploadOutcome } from './model.js';
import { DEFAULT_MIX, monthOf, Scenario, type SimMix, type SimProvider, type SimSizes } from './scenario.js';

type Rec = Record<string, CellValue>;
type Upload = Extract<SimEvent, { kind: 'upload' }>;

export interface SimWorld {
  pool: pg.Pool;
  config: Config;
  openSession: () => Promise<SftpSession>;
  /** The sFTP server's local root: providers' folders live under it. */
  sftpRoot: string;
  /** A folder for the import files. */
  workDir: string;
}

export interface MonthRow {
  month: string;
  imports: number;
  published: number;
  outboundRows: number;
  uploads: number;
  rowsRead: number;
  rowsAccepted: number;
  declinedOrDuplicate: number;
  conflicts: number;
  members: number;
  attempts: number;
  /** Contracts with an end on file at the month's end (README "A contract's end"), the upstream rows rejected as the model expected (not conflicts), and the planned switches not applied on their day so far. */
  endedContracts: number;
  importRejects: number;
  switchesNotApplied: number;
  mismatches: number;
  seconds: number;
}

export class Mismatch extends Error {}

const TZ = 'America/Los_Angeles';
const d = (v: IsoDate | null): CellValue => (v ? { date: v } : null);
const dateOf = (v: CellValue | undefined): IsoDate | null => (isCellDate(v) ? v.date : null);

export async function simulate(world: SimWorld, opts: { seed: number; months: number; sizes: SimSizes; mix?: SimMix; onMonth?: (row: MonthRow) => void }): Promise<MonthRow[]> {
  const scenario = new Scenario(opts.seed, opts.sizes, undefined, opts.mix ?? DEFAULT_MIX);
  const model = new Model(scenario.providers);
  const sim = new Driver(world, scenario, model);
  await sim.setUp();
  const table: MonthRow[] = [];
  for (let i = 0; i < opts.months; i++) {
    const row = await sim.month(i);
    table.push(row);
    opts.onMonth?.(row);
  }
  return table;
}

class Driver {
  private readonly providers: Map<string, SimProvider>;
  private readonly members: Map<string, Scenario['members'][number]>;
  private readonly bytes = new Map<number, Buffer>();
  /** Upload number → its submission (the fix sheet is made from that submission's response). */
  private readonly submissionOf = new Map<number, number>();
  private pending: Upload[] = [];
  private stats!: MonthRow;
  private month_ = '';

  constructor(private readonly w: SimWorld, private readonly scenario: Scenario, private readonly model: Model) {
    this.providers = new Map(scenario.providers.map((p) => [p.code, p]));
    this.members = new Map(scenario.members.map((m) => [m.cin, m]));
  }

  async setUp(): Promise<void> {
    // (the first extract has no contract_end column: every contract open-ended)
    await this.importProviders(`${this.scenario.start}-01`, this.scenario.providers.flatMap((p) => [
      ...p.ecm.map((lob): ContractRow => ({ provider: p.code, lob, program: 'ECM', end: null })), ...p.cs.map((lob): ContractRow => ({ provider: p.code, lob, program: 'CS', end: null }))]), false);
    await this.importCsv('members', `${this.scenario.start}-01`, this.scenario.members.map((m) => ({
      cin: m.cin, mcp_member_id: `M${m.cin.slice(1, 9)}`, last_name: m.last, first_name: m.first, dob: m.dob, gender: 'U', language: 'English', address: '1 Main St', city: 'Fresno', state: 'CA', zip: '93701', phone: '', county: 'Fresno', homeless: 'N',
    })));
    for (const p of this.scenario.providers) fs.mkdirSync(path.join(this.w.sftpRoot, p.code, 'uploads'), { recursive: true });
  }

  /** The providers extract, one row per contract (columns from schemas/upstream.ts), with the contract_end column or without it. */
  private async importProviders(date: IsoDate, contracts: readonly ContractRow[], withEnds: boolean) {
    return this.importCsv('providers', date, contracts.map((c) => {
      const p = this.providers.get(c.provider)!;
      return {
        provider_code: p.code, npi: p.npi, tin: p.tin, name: p.name, lob: c.lob, program: c.program, phone: '5595550100', contact_email: `files@${p.code.toLowerCase()}.example`,
        liaison_email: `${c.lob.toLowerCase()}.liaison@plan.example`, ...(withEnds ? { contract_end: c.end } : {}),
      };
    }));
  }

  /** The plan's extract as its CSV contract has it (columns from schemas/upstream.ts), imported on the scenario's clock. */
  private async importCsv(kind: UpstreamKind, date: IsoDate, rows: Record<string, string | null>[]) {
    const file = path.join(this.w.workDir, `${kind}-${date}.csv`);
    fs.writeFileSync(file, toCsv(kind, rows));
    const s = await importUpstream(this.w.pool, kind, file, { config: this.w.config, now: localDateTimeToInstant(date, '08:00', TZ) });
    if (this.stats) this.stats.imports++;
    return s;
  }

  async month(i: number): Promise<MonthRow> {
    const t0 = performance.now();
    this.month_ = monthOf(this.scenario.start, i);
    this.stats = { month: this.month_, imports: 0, published: 0, outboundRows: 0, uploads: 0, rowsRead: 0, rowsAccepted: 0, declinedOrDuplicate: 0, conflicts: 0, members: 0, attempts: 0, endedContracts: 0, importRejects: 0, switchesNotApplied: 0, mismatches: 0, seconds: 0 };
    const events = this.scenario.month(i, this.model);
    for (let it = events.next(); !it.done; it = events.next()) {
      const ev = it.value;
      if (ev.kind !== 'upload' || (this.pending[0] && this.pending[0].date !== ev.date)) await this.flushUploads();
      if (ev.kind === 'upload') {
        this.pending.push(ev);
        continue;
      }
      await this.step(ev);
    }
    await this.flushUploads();
    await this.compareState();
    this.stats.seconds = Math.round((performance.now() - t0) / 100) / 10;
    return this.stats;
  }

  private fail(what: string, detail: Record<string, unknown>): never {
    this.stats.mismatches++;
    throw new Mismatch(`simulation seed ${this.scenario.seed}, month ${this.month_}: ${what}\n${JSON.stringify(detail, null, 1)}`);
  }

  private async step(ev: Exclude<SimEvent, Upload>): Promise<void> {
    const expected = this.model.apply(ev);
    switch (ev.kind) {
      case 'import-extract': {
        const s = await this.importCsv('ecm-assignments', ev.date, ev.rows.map((r) => ({
          cin: r.cin, provider_code: r.provider, lob: r.lob, status: String(r.status), assigned_date: r.assigned, pof: '2', enrollment_start: r.start, enrollment_end: null, acuity: null, lcm_name: null, lcm_phone: null,
        })));
        if (s.rowsRejected !== (expected.rejected ?? 0)) this.fail('the assignment extract\'s rejected rows differ', { model: expected.rejected ?? 0, system: s.rowsRejected, rejects: s.rejects.slice(0, 5) });
        this.stats.importRejects += s.rowsRejected;
        return;
      }
      case 'import-referrals': {
        const s = await this.importCsv('referrals', ev.date, ev.rows.map((r) => ({ referral_id: r.id, cin: r.cin, provider_code: r.provider, lob: r.lob, approved_date: r.approved })));
        this.stats.conflicts += s.conflicts.length;
        if (s.conflicts.length !== (expected.conflicts ?? 0) || s.rowsRejected !== s.conflicts.length + (expected.rejected ?? 0))
          this.fail('referral conflicts differ', { system: s.conflicts.map((c) => c.cin), rejects: s.rejects.slice(0, 5), model: expected.conflicts,
            modelRejected: expected.rejected ?? 0, referrals: ev.rows.filter((r) => s.conflicts.some((c) => c.cin === r.cin)), memberState: s.conflicts.map((c) => this.memberState(c.cin)) });
        this.stats.importRejects += s.rowsRejected - s.conflicts.length;
        return;
      }
      case 'import-auths': {
        const s = await this.importCsv('cs-authorizations', ev.date, ev.rows.map((r) => ({
          cin: r.cin, provider_code: r.provider, lob: r.lob, service_code: r.service, record_type: 'AUTHORIZED', auth_status: r.authStatus, auth_number: r.authNumber,
          auth_start: r.authStart, auth_end: r.authEnd, requested_date: r.decided, decision_date: r.decided, assigned_date: r.decided, referring_org: 'Simulated clinic',
        })));
        if (s.rowsRejected !== (expected.rejected ?? 0)) this.fail('the authorization import\'s rejected rows differ', { model: expected.rejected ?? 0, system: s.rowsRejected, rejects: s.rejects.slice(0, 5) });
        this.stats.importRejects += s.rowsRejected;
        return;
      }
      case 'import-providers': {
        const s = await this.importProviders(ev.date, ev.rows, ev.withEnds);
        if (s.rowsRejected) this.fail('the providers extract had rejected rows', { rejects: s.rejects.slice(0, 5) });
        return;
      }
      default:
        await this.generated(ev.kind === 'mif' ? 'mif' : ev.kind === 'mini-mif' ? 'mini-mif' : 'csasf', ev.date, expected.expected ?? []);
    }
  }

  private async generated(kind: OutboundKind, date: IsoDate, expected: Expected[]): Promise<void> {
    await generate(kind, { date, now: localDateTimeToInstant(date, '06:30', TZ) }, { pool: this.w.pool, config: this.w.config, openSession: this.w.openSession });
    const dbKind = { mif: 'MIF', 'mini-mif': 'MINIMIF', csasf: 'CSASF' }[kind];
    const files = (await this.w.pool.query<{ provider_code: string; lob: string | null; sha256: string; file_name: string }>(
      `select provider_code, lob, sha256, file_name from outbound_files where kind = $1 and slot = $2 and status = 'PUBLISHED'`, [dbKind, date])).rows;
    const key = (provider: string, lob: string | null) => `${provider}|${lob ?? ''}`;
    const byUnit = new Map(files.map((f) => [key(f.provider_code, f.lob), f]));
    const want = new Map(expected.map((e) => [key(e.provider, e.kind === 'CSASF' ? null : e.lob), e]));
    for (const k of byUnit.keys()) if (!want.has(k)) this.fail(`${dbKind} ${date}: a file the model does not expect`, { unit: k });
    for (const [k, e] of want) {
      const f = byUnit.get(k);
      if (!f) this.fail(`${dbKind} ${date}: no file published`, { unit: k, expectedRows: e.rows.length });
      const bytes = (await getBlob(this.w.pool, f.sha256))!;
      if (e.kind === 'CSASF') {
        const got = (await sheetRows(bytes, CSASF)).map((r): CsasfLine => ({ cin: String(r.cin), service: String(r.serviceCode), authNumber: String(r.authNumber ?? ''), authStatus: String(r.authStatus ?? ''), authStart: dateOf(r.authStart) ?? '' }))
          .sort((a, b) => (a.cin + a.service).localeCompare(b.cin + b.service));
        this.compareLines(`${f.file_name}`, got, e.rows, (l) => `${l.cin}|${l.service}`);
        this.stats.outboundRows += got.length;
        this.scenario.observeCsasf(e.provider, date);
      } else {
        const got = (await sheetRows(bytes, MIF)).map((r): MifLine => ({ cin: String(r.cin), status: Number(r.ecmStatus), start: dateOf(r.startDate), end: dateOf(r.endDate) }))
          .sort((a, b) => a.cin.localeCompare(b.cin));
        this.compareLines(`${f.file_name}`, got, e.rows, (l) => l.cin);
        this.stats.outboundRows += got.length;
        if (e.kind === 'MIF') this.scenario.observeMif(e.provider, e.lob, e.rows, date);
      }
      this.stats.published++;
    }
  }

  private compareLines<T>(file: string, got: T[], want: T[], key: (t: T) => string): void {
    const g = new Map(got.map((x) => [key(x), x]));
    const w = new Map(want.map((x) => [key(x), x]));
    for (const [k, x] of w) {
      if (!g.has(k)) this.fail(`${file}: a row the model expects is missing`, { key: k, model: x, system: null, memberState: this.memberState(k.slice(0, 9)) });
      if (JSON.stringify(g.get(k)) !== JSON.stringify(x)) this.fail(`${file}: a row differs`, { key: k, model: x, system: g.get(k), memberState: this.memberState(k.slice(0, 9)) });
    }
    for (const [k, x] of g) if (!w.has(k)) this.fail(`${file}: a row the model does not expect`, { key: k, system: x, memberState: this.memberState(k.slice(0, 9)) });
  }

  private memberState(cin: string): unknown {
    return [...this.model.assignments].filter(([k]) => k.startsWith(cin)).map(([k, a]) => ({ key: k, ...a }));
  }

  /** Every upload of one day: written into the providers' uploads/ folders, then taken by two polls (seen, then stable). */
  private async flushUploads(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const date = batch[0]!.date;
    const at = localDateTimeToInstant(date, '09:00', TZ);
    // (a second apart, in the order the model applies them: two files of one provider on one day,
    // a correction and a fix sheet, are received in that order, as the poller takes them)
    for (const [i, ev] of batch.entries()) {
      const bytes = ev.copyOf !== undefined ? this.bytes.get(ev.copyOf)! : ev.fixes !== undefined ? await this.fixSheet(ev) : await this.workbook(ev);
      this.bytes.set(ev.n, bytes);
      const file = path.join(this.w.sftpRoot, ev.provider, 'uploads', ev.name);
      fs.writeFileSync(file, bytes);
      const mtime = new Date(at.getTime() + i * 1000);
      fs.utimesSync(file, mtime, mtime);
    }
    const results: PollFileResult[] = [];
    for (const minutes of [5, 10]) {
      const now = new Date(at.getTime() + minutes * 60_000);
      results.push(...(await pollOnce({ pool: this.w.pool, config: this.w.config, openSession: this.w.openSession }, { now })).results);
    }
    for (const ev of batch) {
      const want = this.model.apply(ev).outcome as UploadOutcome;
      const got = results.find((r) => r.provider === ev.provider && r.file === ev.name);
      this.stats.uploads++;
      if (!got || got.error) this.fail(`upload ${ev.provider}/${ev.name} (${ev.note}) was not processed`, { result: got ?? null });
      if (got.submissionId) this.submissionOf.set(ev.n, got.submissionId);
      const read = (got.rowsRead ?? 0) > 0;
      this.stats.rowsRead += got.rowsRead ?? 0;
      this.stats.rowsAccepted += got.rowsAccepted ?? 0;
      if (!read) this.stats.declinedOrDuplicate++;
      if (read !== want.read || (got.rowsAccepted ?? 0) !== want.accepted) {
        const errors = got.submissionId ? (await storedResult(this.w.pool, got.submissionId)).document.issues.filter((x) => x.severity === 'error').slice(0, 8).map((x) => `${x.sheet} row ${x.row}: ${x.code} ${x.message}`) : [];
        const sent = ev.sheets.map((s) => ({ layout: s.layout, rows: s.rows.slice(0, 3) }));
        this.fail(`upload ${ev.provider}/${ev.name} (${ev.note}, ${ev.date})`, { model: want, system: { verdict: got.verdict, outcome: got.outcome, read: got.rowsRead, accepted: got.rowsAccepted, rejected: got.rowsRejected, fileErrors: got.fileErrors, errors }, sent });
      }
    }
  }

  /**
   * What a provider does with the response's fix sheet: keeps only that sheet, corrects the rows
   * it can (the CIN, the missing start date), deletes the ones it cannot (another provider's
   * member), and uploads it as it is, with the Sheet, Row and Errors columns still in place.
   * (Read with our reader and written back cell for cell: exceljs's loader expands the sheet's
   * whole-column drop-downs into a million cells.)
   */
  private async fixSheet(ev: Upload): Promise<Buffer> {
    const submission = this.submissionOf.get(ev.fixes!);
    if (!submission) this.fail(`fix sheet ${ev.name}: upload ${ev.fixes} has no submission`, {});
    const sha = (await this.w.pool.query<{ response_sha256: string }>(`select response_sha256 from submissions where id = $1`, [submission])).rows[0]!.response_sha256;
    const response = (await getBlob(this.w.pool, sha))!;
    let header: string[] | undefined;
    let sheetName = '';
    const lines: CellValue[][] = [];
    const isFixSheet = (name: string) => name === 'Rejected rows' || name === 'Rejected RTF rows';
    for await (const e of readWorkbook(response, {
      recognise: (cells) => (cells[0] === FIX_SHEET_COLUMNS.sheet && cells[1] === FIX_SHEET_COLUMNS.row ? cells.map((c) => String(c ?? '')) : null),
      maxRows: 100_000, maxColumns: 200,
    })) {
      if (e.type === 'sheet' && isFixSheet(e.name) && !header) [header, sheetName] = [e.match, e.name];
      else if (e.type === 'row' && e.sheet === sheetName) lines.push(e.cells);
    }
    if (!header) this.fail(`fix sheet ${ev.name}: the response to upload ${ev.fixes} has no rejected RTF rows sheet`, {});
    const col = (key: string) => {
      const label = RTF.columns.find((c) => c.key === key)!.label;
      const i = header!.indexOf(label);
      if (i < 0) this.fail(`fix sheet ${ev.name}: no column ${label}`, { header });
      return i;
    };
    const [cinCol, statusCol, startCol, lcmName, lcmPhone] = [col('cin'), col('ecmStatus'), col('startDate'), col('lcmName'), col('lcmPhone')];
    const rows = ev.sheets[0]!.rows as Extract<Upload['sheets'][number], { layout: 'RTF' }>['rows'];
    const fixed: CellValue[][] = [];
    for (const line of lines) {
      const r = rows.find((x) => x.cin === String(line[cinCol] ?? '').slice(0, 9));
      if (!r) continue; // not ours to fix: left out
      const out = [...line];
      while (out.length < header.length) out.push(null);
      out[cinCol] = r.cin;
      out[statusCol] = String(r.status);
      out[startCol] = r.start ? { date: r.start } : null;
      // an enrolment also names its care manager (the same as the full files carry)
      if (r.start) [out[lcmName], out[lcmPhone]] = ['Jordan Reyes', '5595550199'];
      fixed.push(out);
    }
    if (fixed.length !== rows.length) this.fail(`fix sheet ${ev.name}: ${fixed.length} rows left to send, the scenario corrected ${rows.length}`, {});
    return writeWorkbookToBuffer([{ name: sheetName, columns: header.map((label) => ({ label })), rows: fixed }]);
  }

  private workbook(ev: Upload): Promise<Buffer> {
    const p = this.providers.get(ev.identity ?? ev.provider)!;
    const produced = d(ev.date);
    const period = monthOf(`${ev.date.slice(0, 7)}`, -1);
    const reportingPeriod = `${period.slice(5, 7)}/${period.slice(0, 4)}`;
    const who = { providerName: p.name, providerNpi: p.npi, providerTin: p.tin };
    const sheets = ev.sheets.map((s): [Layout, Rec[]] => {
      const recs: Rec[] = s.layout === 'RTF'
        ? s.rows.map((r) => {
          const m = this.members.get(r.cin.slice(0, 9));
          return {
            mcpId: r.lob, mcpName: LINES_OF_BUSINESS[r.lob], cin: r.cin, lastName: m?.last ?? 'Unknown', firstName: m?.first ?? 'Unknown', newAddress: 'N', homeless: 'N', newPhone: 'N', pofIndicator: 'N',
            ecmStatus: String(r.status), acuity: 'Low', startDate: d(r.start), endDate: d(r.end), discontinuationDate: d(r.disc), discontinuationReasonCode: r.discReason,
            ...(r.start ? { lcmName: 'Jordan Reyes', lcmPhone: '5595550199' } : {}), inPerson: 0, telephonic: 1, productionDate: produced, reportingPeriod, ...who, providerPhone: '5595550100',
          };
        })
        : s.layout === 'OTF'
          ? s.rows.map((r) => {
            const m = this.members.get(r.cin);
            return { mcpId: r.lob, mcpName: LINES_OF_BUSINESS[r.lob], ...who, clientName: m ? `${m.first} ${m.last}` : 'Unknown', cin: r.cin, providerType: '2', attemptDate: d(r.date), method: r.method, successful: r.successful, minutes: r.minutes };
          })
          : s.rows.map((r) => {
            const m = this.members.get(r.cin)!;
            return {
              mcpId: r.lob, ...who, cin: r.cin, lastName: m.last, firstName: m.first, dob: d(m.dob), serviceCode: r.service, authNumber: r.authNumber, engagementStatus: String(r.status),
              outreachDate: d(r.outreach), outreachMethod: r.outreach ? '2' : null, serviceStartDate: d(r.serviceStart), serviceEndDate: d(r.serviceEnd), discontinuationReasonCode: r.reason, productionDate: produced, reportingPeriod,
            };
          });
      return [LAYOUT[s.layout], recs];
    });
    return workbook(sheets);
  }

  /** After the month: every member's ECM assignment, every open CS episode and every counted attempt. */
  private async compareState(): Promise<void> {
    const got = (await this.w.pool.query<{ cin: string; lob: string; provider_code: string; status: number; assigned_date: string; enrollment_start: string | null; enrollment_end: string | null; discontinuation_date: string | null; plan_end: string | null }>(
      `select cin, lob, provider_code, status, assigned_date, enrollment_start, enrollment_end, discontinuation_date, plan_end from ecm_assignments`)).rows;
    const sys = new Map(got.map((r) => [`${r.cin}|${r.lob}`, { provider: r.provider_code, lob: r.lob, status: r.status, assigned: r.assigned_date, start: r.enrollment_start, end: r.enrollment_end, disc: r.discontinuation_date, planEnd: r.plan_end }]));
    for (const [k, a] of this.model.assignments) {
      const s = sys.get(k);
      if (!s || JSON.stringify(s) !== JSON.stringify(a)) this.fail(`member ${k}: ECM assignment differs`, { model: a, system: s ?? null });
    }
    // README "A member moved from a later date": the switches planned and not applied yet
    const planned = new Map((await this.w.pool.query<{ cin: string; lob: string; provider_code: string; assigned_date: string }>(
      `select cin, lob, provider_code, assigned_date from ecm_assignment_pending`)).rows.map((r) => [`${r.cin}|${r.lob}`, { provider: r.provider_code, assigned: r.assigned_date }]));
    const modelPlanned = this.model.plannedSwitches();
    for (const k of new Set([...planned.keys(), ...modelPlanned.keys()])) {
      const m = modelPlanned.get(k);
      const want = m ? { provider: m.provider, assigned: m.assigned } : null;
      if (JSON.stringify(planned.get(k) ?? null) !== JSON.stringify(want)) this.fail(`member ${k}: planned switch differs`, { model: want, system: planned.get(k) ?? null, memberState: this.memberState(k.slice(0, 9)) });
    }
    for (const k of sys.keys()) if (!this.model.assignments.has(k)) this.fail(`member ${k}: an ECM assignment the model does not have`, { system: sys.get(k) });
    this.stats.members = sys.size;

    const cs = (await this.w.pool.query<{ cin: string; service_code: string; auth_number: string; provider_code: string }>(
      `select cin, service_code, auth_number, provider_code from cs_authorizations where not resolved`)).rows.map((r) => `${r.cin}|${r.service_code}|${r.auth_number}|${r.provider_code}`).sort();
    const csModel = this.model.openEpisodes().map((e) => `${e.cin}|${e.service}|${e.authNumber}|${e.provider}`).sort();
    if (JSON.stringify(cs) !== JSON.stringify(csModel)) this.fail('open CS authorizations differ', { onlySystem: cs.filter((x) => !csModel.includes(x)).slice(0, 5), onlyModel: csModel.filter((x) => !cs.includes(x)).slice(0, 5) });

    const att = (await this.w.pool.query<{ k: string; row_key: string }>(
      `select provider_code || '|' || lob || '|' || to_char(period, 'YYYY-MM') k, row_key from current_rows where layout = 'OTF'`)).rows;
    const sysAtt = new Map<string, Set<string>>();
    for (const r of att) (sysAtt.get(r.k) ?? sysAtt.set(r.k, new Set()).get(r.k)!).add(r.row_key);
    let n = 0;
    for (const [k, want] of this.model.attempts) {
      const have = sysAtt.get(k) ?? new Set();
      n += want.size;
      const onlyModel = [...want].filter((x) => !have.has(x));
      const onlySystem = [...have].filter((x) => !want.has(x));
      if (onlyModel.length || onlySystem.length) this.fail(`counted outreach attempts differ for ${k}`, { onlyModel: onlyModel.slice(0, 5), onlySystem: onlySystem.slice(0, 5) });
    }
    for (const k of sysAtt.keys()) if (!this.model.attempts.has(k)) this.fail(`counted outreach attempts the model does not have: ${k}`, { system: [...sysAtt.get(k)!].slice(0, 5) });
    this.stats.attempts = n;
    const counts = (await this.w.pool.query<{ ended: number; not_applied: number }>(
      `select (select count(*)::int from provider_contracts where contract_end is not null) ended, (select count(*)::int from ecm_switches_not_applied) not_applied`)).rows[0]!;
    this.stats.endedContracts = counts.ended;
    this.stats.switchesNotApplied = counts.not_applied;

    // §6: which file each key's counting row came from, per provider × file type × line × period
    const rows = (await this.w.pool.query<{ unit: string; row_key: string; submission_id: number }>(
      `select provider_code || '|' || layout || '|' || lob || '|' || to_char(period, 'YYYY-MM') unit, row_key, submission_id::int from current_rows`)).rows;
    const sysRows = new Map<string, Map<string, number>>();
    for (const r of rows) (sysRows.get(r.unit) ?? sysRows.set(r.unit, new Map()).get(r.unit)!).set(r.row_key, r.submission_id);
    for (const unit of new Set([...sysRows.keys(), ...this.model.counting.keys()])) {
      const have = sysRows.get(unit) ?? new Map<string, number>();
      const want = this.model.counting.get(unit) ?? new Map<string, number>();
      for (const key of new Set([...have.keys(), ...want.keys()])) {
        const n = want.get(key);
        const sub = n === undefined ? undefined : this.submissionOf.get(n);
        if (have.get(key) !== sub) this.fail(`the row counting for ${unit}, key ${key}, differs`, { model: n === undefined ? null : { upload: n, submission: sub ?? null }, system: have.get(key) ?? null });
      }
    }
  }
}

const LAYOUT: Record<'RTF' | 'OTF' | 'CSPRTF', Layout> = { RTF, OTF, CSPRTF };
