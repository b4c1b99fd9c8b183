// The missing-submission digest (spec §2; issue 7): after the on-time window (the 6th by
// default) and after the last accepted day (the 11th) of month N, each liaison gets one email with an
// .xlsx of their providers that have no accepted RTF / OTF (ECM contract) or CSPRTF (CS
// contract) for period N-1, and of files declined as late or rejected. A CS provider is
// listed only once the CSPRTF window has closed (after CSPRTF_ON_TIME_LAST_DAY, the 10th by default):
// before that its CSPRTF is not late. Provider codes, names and counts only: never member data.
import type pg from 'pg';
import type { IsoDate } from '../../schemas/primitives.js';
import { daysInMonth, nextPeriod, parsePeriod, periodFirstDay, periodOfDate, previousPeriod, reportingPeriodLabel, type Period } from '../calendar/period.js';
import { answerWindow, deadlinePolicyFromConfig, submissionWindow, theDay } from '../calendar/deadlines.js';
import { spellDate, startOfLocalDay } from '../calendar/zone.js';
import type { Config } from '../config.js';
import { INBOUND_TYPES } from '../filetypes/registry.js';
import type { FileTypeRegistry, Program } from '../filetypes/types.js';
import { log } from '../log.js';
import { acceptedLines, owedLines } from '../repositories/status.js';
import { sendNotification } from '../notify/mailer.js';
import { activeProgramContracts, refusedFiles } from '../repositories/digests.js';
import { markUnit, unitDone } from '../repositories/run-units.js';
import type { CellValue } from '../xlsx/types.js';
import { writeWorkbookToBuffer, type WriteSheet } from '../xlsx/writer.js';

/** An inbound file type's name (a registry's). */
type FileType = string;

/** The file types each program owes every period, from the types' expected-submission rules (`status` lists the same). */
export function expectedTypes(types: FileTypeRegistry = INBOUND_TYPES): Record<Program, FileType[]> {
  const out: Record<Program, FileType[]> = { ECM: [], CS: [] };
  for (const t of types.types) if (t.expectedEachPeriod) out[t.program].push(t.name);
  return out;
}

/** The production registry's: what the digest, `status` and the web board expect. */
export const EXPECTED_TYPES: Readonly<Record<Program, readonly FileType[]>> = expectedTypes();

export interface MissingRow {
  providerCode: string;
  providerName: string;
  program: Program;
  /** The liaisons of the program's contracts (the lines it lists), lower-cased, each once: who gets the row. */
  liaisonEmails: string[];
  /** Expected file types with no accepted submission for the period (in any line of business). */
  missing: FileType[];
  /**
   * Expected (type, line of business) pairs with no accepted rows, for types that some other
   * line did send: "RTF missing for CalViva" when only the HN RTF came.
   */
  missingLines: { type: FileType; lob: string }[];
  /** Files declined as late, per file type ('unrecognised' when no sheet was recognised). */
  declined: Record<string, number>;
  /** Files rejected (other than declined as late), per file type. */
  rejected: Record<string, number>;
  /** Each declined or rejected file, per file type it held, oldest first: what the digest says about it. */
  files: DigestFile[];
}

export interface DigestFile {
  /** The submission: one file holding several types (an RTF and an OTF tab) is one file. */
  submission: number;
  /** The file type; null when no sheet was recognised. */
  type: FileType | null;
  outcome: 'declined' | 'rejected';
  /** The plan-local day it was received. */
  received: IsoDate;
  /** The code of its first file-level error (why a rejected file was rejected), if any. */
  fileError: string | null;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** How many files of a row were declined (or rejected): submissions, not file types (`declined` counts per type). */
export const fileCount = (r: Pick<MissingRow, 'files'>, outcome: DigestFile['outcome']): number =>
  new Set(r.files.filter((f) => f.outcome === outcome).map((f) => f.submission)).size;

/** The reporting period a digest on `slot` (a day of month N) is about: N-1. */
export const digestPeriod = (slot: IsoDate): Period => previousPeriod(periodOfDate(slot));

/**
 * Whether a digest on `slot` lists a program's providers: ECM after the RTF/OTF on-time
 * window, CS only after the CSPRTF window has closed (domain §2). A month without the day after
 * the window (its digest moved to the month's last day, missingAlertRule) lists it on that day.
 */
export function programListed(config: Pick<Config, 'ON_TIME_LAST_DAY' | 'CSPRTF_ON_TIME_LAST_DAY'>, program: Program, slot: IsoDate): boolean {
  const { year, month } = parsePeriod(periodOfDate(slot));
  const day = Number(slot.slice(8, 10));
  const lastDay = program === 'CS' ? config.CSPRTF_ON_TIME_LAST_DAY : config.ON_TIME_LAST_DAY;
  return day >= Math.min(lastDay + 1, daysInMonth(year, month));
}

/**
 * Per provider and program: missing expected file types for the period before the slot's
 * month, and declined / rejected files of that period (or, with no period recognised,
 * received during the slot's month). Only providers with something to report, and only
 * programs whose window has closed by the slot (programListed).
 */
export async function findMissingSubmissions(
  pool: pg.Pool | pg.PoolClient,
  config: Pick<Config, 'PLAN_TIME_ZONE' | 'ON_TIME_LAST_DAY' | 'RESUBMISSION_LAST_DAY' | 'LATE_FIRST_SUBMISSION' | 'CSPRTF_ON_TIME_LAST_DAY'>,
  slot: IsoDate,
  types: FileTypeRegistry = INBOUND_TYPES,
): Promise<MissingRow[]> {
  const expected = expectedTypes(types);
  // (a type name the registry does not know, from an old row, is filed as its provider's first program)
  const programOf = (t: string): Program | undefined => types.types.find((x) => x.name === t)?.program;
  const period = digestPeriod(slot);
  const periodDate = periodFirstDay(period);
  const month = periodOfDate(slot);
  const from = startOfLocalDay(periodFirstDay(month), config.PLAN_TIME_ZONE);
  const to = startOfLocalDay(periodFirstDay(nextPeriod(month)), config.PLAN_TIME_ZONE);

  const contracts = await activeProgramContracts(pool, periodDate);
  const accepted = await acceptedLines(pool, periodDate);
  // a line owes its files only when the plan sent members of it for the period (the board's rule too)
  const window = answerWindow(deadlinePolicyFromConfig(config), period, config.PLAN_TIME_ZONE);
  const owed = new Set((await owedLines(pool, periodDate, window)).map((o) => `${o.provider}|${o.program}|${o.lob}`));
  const bad = await refusedFiles(pool, periodDate, from, to, config.PLAN_TIME_ZONE);

  const have = new Set(accepted.map((r) => `${r.provider}|${r.layout}`));
  const haveLine = new Set(accepted.map((r) => `${r.provider}|${r.layout}|${r.lob}`));
  const rows = new Map<string, MissingRow>();
  for (const c of contracts) {
    const owing = c.lobs.filter((lob) => owed.has(`${c.provider_code}|${c.program}|${lob}`));
    rows.set(`${c.provider_code}|${c.program}`, {
      providerCode: c.provider_code,
      providerName: c.name,
      program: c.program,
      liaisonEmails: c.liaisons,
      missing: owing.length ? expected[c.program].filter((t) => !have.has(`${c.provider_code}|${t}`)) : [],
      missingLines: expected[c.program]
        .filter((t) => have.has(`${c.provider_code}|${t}`) && !haveLine.has(`${c.provider_code}|${t}|*`))
        .flatMap((t) => owing.filter((lob) => !haveLine.has(`${c.provider_code}|${t}|${lob}`)).map((lob) => ({ type: t, lob }))),
      declined: {},
      rejected: {},
      files: [],
    });
  }
  for (const b of bad) {
    const types = b.types.length ? b.types : ['unrecognised'];
    for (const t of types) {
      const program = programOf(t);
      // A file type outside the provider's contracts (or unrecognised) goes on its first row.
      const row = (program && rows.get(`${b.provider_code}|${program}`)) ?? rows.get(`${b.provider_code}|ECM`) ?? rows.get(`${b.provider_code}|CS`);
      if (!row) continue;
      const bucket = b.declined ? row.declined : row.rejected;
      bucket[t] = (bucket[t] ?? 0) + 1;
      row.files.push({ submission: b.id, type: program ? t : null, outcome: b.declined ? 'declined' : 'rejected', received: b.received, fileError: b.file_error });
    }
  }
  return [...rows.values()].filter((r) => programListed(config, r.program, slot) && (r.missing.length || r.missingLines.length || sum(r.declined) || sum(r.rejected)));
}

export type DigestPolicy = Parameters<typeof deadlinePolicyFromConfig>[0];

/** Why a rejected file was rejected, by its first file-level error, in a liaison's words. */
const REJECTED_BECAUSE: Readonly<Record<string, string>> = {
  FILE_EMPTY: 'the file was empty',
  FILE_ENCRYPTED: 'the file is password-protected',
  FILE_WRONG_TYPE: 'the file is not an Excel workbook (.xlsx)',
  FILE_CSV: 'the file is CSV text, not an Excel workbook (.xlsx)',
  FILE_XLS_LEGACY: 'the file is an old .xls workbook, not .xlsx',
  FILE_CORRUPT: 'the file could not be read',
  FILE_ZIP_BOMB: 'the file could not be read',
  FILE_UNSAFE_ZIP: 'the file could not be read',
  FILE_XML_ENTITIES: 'the file could not be read',
  FILE_TOO_LARGE: 'the file is over the size limit',
  FILE_UNREADABLE: 'the plan could not open the file on the sFTP server (its permissions)',
  FILE_TOO_MANY_ROWS: 'the file has too many rows',
  FILE_TOO_MANY_COLUMNS: 'the file has too many columns',
  NO_LAYOUT_MATCHED: 'no sheet has the column titles of the template',
  SHEET_MISSING_COLUMNS: 'required columns are missing',
  SHEET_NO_DATA_ROWS: 'the sheet has no data rows',
};

/** One plain line per declined or rejected file, e.g. "RTF declined: received 12/11/2026, after the 10th". */
export function describeFile(f: DigestFile, period: Period, policy: DigestPolicy): string {
  const what = f.type ?? 'File (type unknown)';
  const received = spellDate(f.received);
  if (f.outcome === 'rejected') {
    // No file-level error: the file was read and every row of it rejected.
    const why = f.fileError !== null ? (REJECTED_BECAUSE[f.fileError] ?? 'the file could not be used') : f.type !== null ? 'every row had errors' : 'the file could not be used';
    return `${what} rejected: ${why} (received ${received})`;
  }
  const inWindow = periodOfDate(f.received) === nextPeriod(period);
  const day = Number(f.received.slice(8, 10));
  const w = submissionWindow(deadlinePolicyFromConfig(policy), f.type ? [f.type] : []);
  const why = !inWindow || day > w.acceptedLastDay
    ? `after ${theDay(w.acceptedLastDay)}`
    : `after ${theDay(w.onTimeLastDay)}, with no earlier file for ${reportingPeriodLabel(period)}`;
  return `${what} declined: received ${received}, ${why}`;
}

const detail = (r: MissingRow, period: Period, policy: DigestPolicy): string =>
  [
    ...r.missing.map((t) => `${t} missing: no accepted file for ${reportingPeriodLabel(period)}`),
    ...r.missingLines.map((m) => `${m.type} missing for ${m.lob}: no accepted rows of that line of business for ${reportingPeriodLabel(period)}`),
    ...r.files.map((f) => describeFile(f, period, policy)),
  ].join('\n');

/** What a row misses, as the digest says it: whole file types, then a line's ("RTF (CV)"): the body's and the sheet's column alike. */
export const missingText = (r: Pick<MissingRow, 'missing' | 'missingLines'>): string => [...r.missing, ...r.missingLines.map((m) => `${m.type} (${m.lob})`)].join(', ');

/** A row of the email body's table (the attachment has the same rows). */
export const digestTableLine = (r: MissingRow): string =>
  `${r.providerCode.padEnd(12)} ${r.program.padEnd(8)} ${(missingText(r) || '-').padEnd(17)} ${String(fileCount(r, 'declined')).padEnd(9)} ${fileCount(r, 'rejected')}`;

/** The digest workbook: one row per provider and program, a line per missing type and per declined or rejected file. */
export function digestSheets(rows: readonly MissingRow[], slot: IsoDate, policy: DigestPolicy): WriteSheet[] {
  const period = digestPeriod(slot);
  return [
    {
      name: 'Missing submissions',
      preamble: [[`Provider submissions for reporting period ${reportingPeriodLabel(period)}, as of ${spellDate(slot)}`]],
      columns: [
        { label: 'Provider Code', width: 10, type: 'text' },
        { label: 'Provider Name', width: 20, maxWidth: 40, type: 'text' },
        { label: 'Program', width: 8, type: 'text' },
        { label: 'Missing File Types', width: 10, type: 'text' },
        { label: 'Declined (Late) Files', width: 10, type: 'int' },
        { label: 'Rejected Files', width: 10, type: 'int' },
        { label: 'Detail', width: 40, maxWidth: 60, type: 'text', wrap: true },
      ],
      rows: rows.map((r): CellValue[] => [r.providerCode, r.providerName, r.program, missingText(r), fileCount(r, 'declined'), fileCount(r, 'rejected'), detail(r, period, policy)]),
    },
  ];
}

export interface DigestResult {
  slot: IsoDate;
  period: Period;
  rows: MissingRow[];
  /** Digests sent by this call. */
  digests: number;
  /** Liaison digests a previous (interrupted) run of the slot already sent. */
  alreadySent: number;
  /** Providers listed that have no liaison email: logged, not sent. */
  unrouted: number;
  sent: { recipients: number; providers: number; location: string | null; attachment: string }[];
}

/**
 * Builds the slot's rows and sends one digest per liaison: each provider × program row goes to
 * the liaison of every contract of that program (a provider with a CalViva and a Health Net line
 * is on both liaisons' digests). Each liaison's digest is a ledger unit of (missing-alert, slot),
 * so a re-run after a crash does not send it twice.
 */
export async function missingSubmissionDigest(pool: pg.Pool, config: Config, slot: IsoDate, now?: Date): Promise<DigestResult> {
  const period = digestPeriod(slot);
  const rows = await findMissingSubmissions(pool, config, slot);
  const groups = new Map<string, MissingRow[]>();
  let unrouted = 0;
  for (const r of rows) {
    if (!r.liaisonEmails.length) {
      unrouted++;
      continue;
    }
    for (const liaison of r.liaisonEmails) {
      const list = groups.get(liaison) ?? [];
      list.push(r);
      groups.set(liaison, list);
    }
  }
  if (unrouted) log.warn({ slot, providers: unrouted }, 'missing-submission digest: providers without a liaison email are not routed');
  const result: DigestResult = { slot, period, rows, digests: 0, alreadySent: 0, unrouted, sent: [] };
  const attachment = `MISSING_SUBMISSIONS_${period.replace('-', '')}_${slot.replace(/-/g, '')}.xlsx`;
  const label = reportingPeriodLabel(period);
  const csListed = programListed(config, 'CS', slot);
  const closes = Number(slot.slice(8)) <= config.RESUBMISSION_LAST_DAY
    ? `${config.LATE_FIRST_SUBMISSION === 'decline' ? 'Corrections are' : 'Corrections and late first submissions are'} accepted through ${theDay(config.RESUBMISSION_LAST_DAY)}; files after that are declined.`
    : csListed
      ? `The submission window for ${label} has closed: files received now are declined.`
      : `The RTF and OTF window for ${label} has closed: RTF and OTF files received now are declined.`;
  const csNote = csListed
    ? []
    : [`CS providers are not listed yet: the CSPRTF is on time through ${theDay(config.CSPRTF_ON_TIME_LAST_DAY)}; they are listed once that window closes.`];
  for (const [liaison, list] of groups) {
    const unit = `liaison:${liaison}`;
    if (await unitDone(pool, 'missing-alert', slot, unit)) {
      result.alreadySent++;
      continue;
    }
    const providers = new Set(list.map((r) => r.providerCode));
    const lines = [
      `Provider submissions for reporting period ${label}, as of ${spellDate(slot)}: ${providers.size} provider(s) need attention.`,
      closes,
      ...csNote,
      '',
      'provider     program  missing           declined  rejected',
      ...list.map(digestTableLine),
      '',
      `The attached ${attachment} has the same rows, with a line for each missing file type and each declined or rejected file.`,
      'Run "calaim-exchange status --period ' + period + '" for the full picture.',
    ];
    // (created: the run's clock, as the email's own time: a late or replayed digest says when it was made)
    const bytes = await writeWorkbookToBuffer(digestSheets(list, slot, config), { created: now });
    const sent = await sendNotification(config, pool, {
      kind: 'missing-submissions',
      to: [liaison],
      subject: `Missing provider submissions for ${label}: ${providers.size} provider(s) (${spellDate(slot)})`,
      text: lines.join('\n'),
      attachments: [{ filename: attachment, content: bytes }],
      // once per liaison and slot, even when a run stops between sending it and the markUnit below
      key: `missing-alert:${slot}:${liaison}`,
    }, now);
    await markUnit(pool, 'missing-alert', slot, unit, 'DONE', { providers: providers.size, rows: list.length });
    result.digests++;
    result.sent.push({ recipients: 1, providers: providers.size, location: sent.location, attachment });
  }
  log.info({ slot, period, providers: rows.length, digests: result.digests }, 'missing-submission digest done');
  return result;
}
