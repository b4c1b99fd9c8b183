// `calaim-exchange validate FILE [--type rtf|otf|csprtf] [--out REPORT.xlsx] [--json]`:
// offline check of the layout rules, no database. Exit 1 when any row is rejected or the
// file has a file-level error.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { deadlinePolicyFromConfig, localParts, periodForReceipt, spellInstant } from '../../calendar/index.js';
import { getConfig } from '../../config.js';
import { INBOUND_TYPES } from '../../filetypes/registry.js';
import type { FileTypeDefinition } from '../../filetypes/types.js';
import { log } from '../../log.js';
import type { FileValidation } from '../../validate/file.js';
import { EXIT, emit, printable, table, UsageError } from '../output.js';
import { commandClock, instantOption, nowOption } from '../clock-option.js';
import { inputFileArgument, outFileOption, periodOption } from '../values.js';

interface ValidateOptions { type?: string; out?: string; json?: boolean; period?: string; receivedAt?: string; now?: string }

/** `rtf,otf` → those file types; a usage error for anything that is not an inbound type. */
export function parseTypes(value: string | undefined): readonly FileTypeDefinition[] {
  const all = INBOUND_TYPES.types;
  if (value === undefined) return all;
  const names = INBOUND_TYPES.names.map((n) => n.toLowerCase()).join(', ').replace(/, ([^,]*)$/, ' or $1');
  // ('' is no type, not every type: a shell variable that was not set)
  if (value.trim() === '') throw new UsageError(`--type is empty: it takes ${names} (comma-separated)`);
  return value.split(',').map((t) => {
    const type = all.find((x) => x.name === t.trim().toUpperCase());
    if (!type) throw new UsageError(`--type must be ${names} (got ${JSON.stringify(t)})`);
    return type;
  });
}

/** The `validate --json` document (DESIGN.md §2). */
export function validateDocument(v: FileValidation, report: string | null) {
  return {
    file: v.file,
    sha256: v.sha256,
    outcome: v.outcome,
    rowsRead: v.rowsRead,
    rowsAccepted: v.rowsAccepted,
    rowsRejected: v.rowsRejected,
    warnings: v.warnings,
    sheets: v.sheets.map((s) => ({ name: s.name, layout: s.layout, rowsRead: s.rowsRead, rowsAccepted: s.rowsAccepted, rowsRejected: s.rowsRejected, warnings: s.warnings })),
    fileErrors: v.fileErrors.map((e) => ({ code: e.code, message: e.message, ...(e.sheet ? { sheet: e.sheet } : {}) })),
    issues: v.issues.map((i) => ({
      sheet: i.sheet, row: i.row, column: i.column, columnLetter: i.columnLetter, code: i.code, severity: i.severity, message: i.message,
      ...(i.cin ? { cin: i.cin } : {}),
    })),
    ...(v.issuesOmitted ? { issuesOmitted: v.issuesOmitted } : {}),
    report,
  };
}

function humanSummary(v: FileValidation, report: string | null): string {
  const lines = [
    `${printable(v.file)}: ${v.outcome}`,
    `rows read ${v.rowsRead}, accepted ${v.rowsAccepted}, rejected ${v.rowsRejected}, warnings ${v.warnings}`,
  ];
  if (v.sheets.length) lines.push('', table(['sheet', 'layout', 'read', 'accepted', 'rejected', 'warnings'], v.sheets.map((s) => [s.name, s.layout, s.rowsRead, s.rowsAccepted, s.rowsRejected, s.warnings])));
  for (const e of v.fileErrors) lines.push(`file error ${e.code}: ${printable(e.message)}`);
  const errors = v.issues.filter((i) => i.severity === 'error');
  if (errors.length) {
    lines.push('', 'first errors:');
    for (const i of errors.slice(0, 10)) lines.push(`  ${printable(i.sheet ?? '')}!${i.columnLetter ?? ''}${i.row ?? ''} ${i.code}: ${printable(i.message)}`);
    if (errors.length > 10) lines.push(`  … ${errors.length - 10} more${report ? ' (see the report)' : ' (use --out REPORT.xlsx or --json)'}`);
  }
  if (report) lines.push('', `report: ${printable(report)}`);
  return lines.join('\n');
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('offline check of a provider file against the layout rules (no database)')
    .argument('<file>', 'the .xlsx / .xlsm workbook')
    .option('--type <types>', `only recognise these layouts: ${INBOUND_TYPES.names.map((n) => n.toLowerCase()).join(', ')} (comma-separated)`)
    .option('--out <report>', 'write the response workbook here (.xlsx)')
    .option('--period <YYYY-MM>', 'the reporting period the file must report (checks period columns and OTF attempt dates)')
    .option('--received-at <ISO>', 'treat the file as received at this instant (dates may not be after it; sets the period unless --period)')
    .addOption(nowOption('"today" of the date rules; the report\'s time'))
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Exit 0 when no row or file check rejected anything, 1 when something was rejected (the report
says what and where: README "Reading a response report"). Without --received-at the file is
checked as received now (--now, or the wall clock).

Examples:
  calaim-exchange validate samples/uploads/RTF_ACMEHLTH_202611.xlsx --received-at 2026-12-02T09:12:00-08:00
  calaim-exchange validate samples/uploads/OTF_ACMEHLTH_202611.xlsx --received-at 2026-12-02T09:12:00-08:00 --out .data/OTF_ACMEHLTH_202611_report.xlsx --json`)
    .action(async (file: string, opts: ValidateOptions) => {
      const clock = commandClock(opts);
      const config = getConfig();
      const types = parseTypes(opts.type);
      let receivedDate: string | undefined;
      let expectedPeriod = opts.period === undefined ? undefined : periodOption(opts.period, '--period');
      const reportPath = opts.out === undefined ? undefined : outFileOption(opts.out, '--out');
      if (opts.receivedAt !== undefined) {
        const at = instantOption(opts.receivedAt, '--received-at');
        const rp = periodForReceipt(at, config.PLAN_TIME_ZONE);
        receivedDate = rp.localDate;
        expectedPeriod ??= rp.period;
      }
      inputFileArgument(file, 'validate takes one workbook', 'a folder');
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const now = clock();
      const today = localParts(now, config.PLAN_TIME_ZONE).date;
      const { validateFile } = await import('../../validate/file.js');
      const result = await validateFile(bytes, path.basename(file), {
        types,
        limits: config,
        context: { config, today, ...(receivedDate ? { receivedDate } : {}), ...(expectedPeriod ? { expectedPeriod } : {}) },
      });
      let report: string | null = null;
      if (reportPath) {
        report = reportPath;
        await fs.mkdir(path.dirname(report), { recursive: true }); // --out .data/report.xlsx in a fresh clone
        const { writeResponse } = await import('../../reports/response.js');
        await writeResponse(report, result, { codeSettings: config, generatedAt: spellInstant(now, config.PLAN_TIME_ZONE), created: now, deadlines: deadlinePolicyFromConfig(config) });
      }
      log.info({ file: result.file, outcome: result.outcome, rowsRead: result.rowsRead, rowsRejected: result.rowsRejected }, 'validate: done');
      emit(opts, validateDocument(result, report), () => humanSummary(result, report));
      if (result.rowsRejected > 0 || result.fileErrors.length > 0) process.exitCode = EXIT.FAILED;
    });
}
