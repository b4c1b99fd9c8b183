// Offline validation of one workbook held in memory: guards → reader → row and cross-row
// validation → result. No database, no file system: the caller reads the bytes.
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import { inspectFile } from '../xlsx/guard.js';
import { readWorkbook } from '../xlsx/reader.js';
import { ISSUES, type IssueCode } from './catalogue.js';
import { makeIssue } from './issues.js';
import { WorkbookValidator, type WorkbookValidation, type WorkbookValidationOptions } from './workbook.js';

export interface FileValidation extends WorkbookValidation {
  file: string;
  size: number;
  sha256: string;
}

export type FileLimits = Pick<Config, 'MAX_FILE_BYTES' | 'MAX_UNCOMPRESSED_BYTES' | 'MAX_ZIP_ENTRIES' | 'MAX_ROWS' | 'MAX_COLUMNS'>;

export interface ValidateFileOptions extends WorkbookValidationOptions {
  limits: FileLimits;
  /** The bytes' SHA-256 when the caller has it already (hex). */
  sha256?: string;
}

const asCode = (code: string): IssueCode => (code in ISSUES ? (code as IssueCode) : 'FILE_CORRUPT');

/** A reader or guard error as a catalogue issue: its own message kept (it is plain language). */
function fileIssue(v: WorkbookValidator, code: string, message: string): void {
  const issue = makeIssue(asCode(code), {}, { detail: message });
  if (message) issue.message = message;
  v.addIssue(issue);
}

export async function validateFile(bytes: Buffer, fileName: string, opts: ValidateFileOptions): Promise<FileValidation> {
  const sha256 = opts.sha256 ?? createHash('sha256').update(bytes).digest('hex');
  const v = new WorkbookValidator(opts);
  const { limits } = opts;
  const guard = await inspectFile(bytes, fileName, {
    maxFileBytes: limits.MAX_FILE_BYTES,
    maxUncompressedBytes: limits.MAX_UNCOMPRESSED_BYTES,
    maxZipEntries: limits.MAX_ZIP_ENTRIES,
  });
  if (guard) fileIssue(v, guard.code, guard.message);
  else {
    try {
      for await (const ev of readWorkbook(bytes, { recognise: v.recognise, maxRows: limits.MAX_ROWS, maxColumns: limits.MAX_COLUMNS })) {
        const pending = v.handle(ev);
        if (pending) await pending;
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !(code in ISSUES)) throw err;
      fileIssue(v, code, (err as Error).message);
    }
  }
  return { file: fileName, size: bytes.length, sha256, ...v.finish() };
}
