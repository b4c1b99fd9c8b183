// File-level checks on an inbound upload, before any spreadsheet parsing: emptiness, size,
// type (by content first, then by extension), password protection, and the zip package
// itself (entry count, declared sizes, compression ratios, unsafe or duplicate names,
// required parts, DTDs/entities in XML parts). Everything here reads the zip's central
// directory and, for XML parts, only their prolog; nothing is parsed as a spreadsheet.
import { log } from '../log.js';
import { listParts, openPartStream, openZip, type OpenedZip, type ZipPart } from './zip.js';

export interface FileError { code: string; message: string }

export interface GuardLimits {
  maxFileBytes: number;
  maxUncompressedBytes: number;
  maxZipEntries: number;
}

export const FILE_ERROR_CODES = [
  'FILE_EMPTY', 'FILE_TOO_LARGE', 'FILE_WRONG_TYPE', 'FILE_XLS_LEGACY', 'FILE_CSV', 'FILE_ENCRYPTED',
  'FILE_CORRUPT', 'FILE_ZIP_BOMB', 'FILE_UNSAFE_ZIP', 'FILE_XML_ENTITIES',
] as const;
export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];

/** A compression ratio above this, on an entry at least RATIO_MIN_BYTES uncompressed, is a bomb. */
export const MAX_COMPRESSION_RATIO = 200;
export const RATIO_MIN_BYTES = 10 * 1024 * 1024;
/** An XML prolog (before the root element) longer than this is not a spreadsheet part. */
const MAX_PROLOG_CHARS = 64 * 1024;

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

const err = (code: FileErrorCode, message: string): FileError => ({ code, message });

const SAVE_AS = 'open it in Excel (or LibreOffice / Google Sheets) and save it as "Excel Workbook (.xlsx)", then upload again';

function extensionOf(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}

/** OLE compound files: an encrypted OOXML package, a legacy BIFF workbook, or something else. */
function classifyOle(bytes: Buffer, ext: string): FileError {
  if (bytes.includes(utf16('EncryptedPackage')) || bytes.includes(utf16('EncryptionInfo')))
    return err('FILE_ENCRYPTED', 'The file is password-protected: remove the password and upload again.');
  const isBiff = bytes.includes(utf16('Workbook')) || bytes.includes(utf16('Book'));
  if (!isBiff && (ext === 'xlsx' || ext === 'xlsm'))
    return err('FILE_ENCRYPTED', 'The file is password-protected (or not a real .xlsx workbook): remove the password and upload again.');
  return err('FILE_XLS_LEGACY', `The file is an old-format Excel 97-2003 workbook (.xls), which is not accepted: ${SAVE_AS}.`);
}

/** Plain text (CSV, TSV, HTML or XML saved with a spreadsheet extension) by content. */
function sniffText(bytes: Buffer): FileError | null {
  const head = bytes.subarray(0, 4096);
  let start = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
  else if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return csvOrMarkup(head.subarray(2).toString('utf16le'));
  const sample = head.subarray(start);
  if (sample.length === 0) return null;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return null; // binary
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  if (control > sample.length / 100) return null;
  return csvOrMarkup(sample.toString('utf8'));
}

function csvOrMarkup(text: string): FileError {
  const t = text.trimStart().toLowerCase();
  if (t.startsWith('<'))
    return err('FILE_WRONG_TYPE', `The file is a web page or XML document saved with a spreadsheet name, not a real Excel workbook: ${SAVE_AS}.`);
  return err('FILE_CSV', `The file is a CSV or text file, not an Excel workbook: ${SAVE_AS}.`);
}

function unsafeName(name: string): boolean {
  if (name.includes('\\') || name.includes('\0')) return true;
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return true;
  return name.split('/').some((seg) => seg === '..');
}

/**
 * Checks an upload at the file level. Returns the first problem found, or null when the
 * file may be handed to the reader. Never throws: anything unexpected is FILE_CORRUPT.
 */
export async function inspectFile(bytes: Buffer, fileName: string, limits: GuardLimits): Promise<FileError | null> {
  try {
    return await inspect(bytes, fileName, limits);
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'xlsx guard: unexpected failure, treating the file as corrupt');
    return corrupt();
  }
}

const corrupt = (detail?: string): FileError =>
  err('FILE_CORRUPT', `The file is damaged or is not a real Excel workbook${detail ? ` (${detail})` : ''}: ${SAVE_AS}.`);

async function inspect(bytes: Buffer, fileName: string, limits: GuardLimits): Promise<FileError | null> {
  if (bytes.length === 0) return err('FILE_EMPTY', 'The file is empty (0 bytes): check the export and upload it again.');
  if (bytes.length > limits.maxFileBytes)
    return err('FILE_TOO_LARGE', `The file is ${mb(bytes.length)}; the most we accept is ${mb(limits.maxFileBytes)}. Split it into smaller files or remove extra tabs.`);

  const ext = extensionOf(fileName);
  if (bytes.subarray(0, 8).equals(OLE_MAGIC)) return classifyOle(bytes, ext);
  const isZip = bytes.subarray(0, 4).equals(ZIP_MAGIC);
  if (!isZip) {
    const text = sniffText(bytes);
    if (text) return text;
  }
  if (ext !== 'xlsx' && ext !== 'xlsm') {
    if (ext === 'xls') return err('FILE_XLS_LEGACY', `Files ending in .xls are not accepted: ${SAVE_AS}.`);
    if (ext === 'csv') return err('FILE_CSV', `CSV files are not accepted: ${SAVE_AS}.`);
    return err('FILE_WRONG_TYPE', `Only Excel workbooks ending in .xlsx or .xlsm are accepted${ext ? ` (this file ends in .${ext})` : ' (this file has no extension)'}.`);
  }
  if (!isZip) return corrupt();

  let opened: OpenedZip;
  try {
    opened = await openZip(bytes);
  } catch {
    return corrupt();
  }
  try {
    return await inspectZip(opened, limits);
  } finally {
    opened.close();
  }
}

function mb(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

async function inspectZip(opened: OpenedZip, limits: GuardLimits): Promise<FileError | null> {
  const bomb = (why: string) => err('FILE_ZIP_BOMB', `The file's contents are abnormally large or numerous (${why}); it was not opened. Export the data again to a new workbook.`);
  if (opened.entryCount > limits.maxZipEntries) return bomb(`${opened.entryCount} parts, the most is ${limits.maxZipEntries}`);

  let parts: ZipPart[];
  try {
    parts = await listParts(opened, limits.maxZipEntries);
  } catch {
    return corrupt();
  }
  const seen = new Set<string>();
  let total = 0;
  for (const { name, entry } of parts) {
    if (unsafeName(name)) return err('FILE_UNSAFE_ZIP', 'The file contains unsafe internal paths and was not opened. Export the data again to a new workbook.');
    const key = name.toLowerCase();
    if (seen.has(key)) return err('FILE_UNSAFE_ZIP', 'The file contains the same internal part twice and was not opened. Export the data again to a new workbook.');
    seen.add(key);
    if (entry.generalPurposeBitFlag & 0x1) return err('FILE_ENCRYPTED', 'The file is password-protected: remove the password and upload again.');
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return corrupt('unsupported compression');
    total += entry.uncompressedSize;
    if (total > limits.maxUncompressedBytes) return bomb(`it unpacks to more than ${mb(limits.maxUncompressedBytes)}`);
    if (entry.uncompressedSize >= RATIO_MIN_BYTES && entry.uncompressedSize > MAX_COMPRESSION_RATIO * Math.max(1, entry.compressedSize))
      return bomb(`a part is compressed more than ${MAX_COMPRESSION_RATIO} to 1`);
  }
  if (!seen.has('[content_types].xml') || !seen.has('xl/workbook.xml')) return corrupt('required workbook parts are missing');

  for (const part of parts) {
    if (!/\.(xml|rels|vml)$/i.test(part.name)) continue;
    const found = await scanProlog(opened, part);
    if (found) {
      log.warn({ part: part.name }, 'xlsx guard: XML part declares a DTD or entities');
      return err('FILE_XML_ENTITIES', 'The file contains XML entity declarations, which are not allowed in a workbook; it was not opened. Export the data again to a new workbook.');
    }
  }
  return null;
}

/**
 * True when the XML prolog of a part (everything before the root element, where a DOCTYPE
 * and its entity declarations must be) contains `<!DOCTYPE` or `<!ENTITY`. NULs are dropped
 * so UTF-16 parts are scanned too; markers split across chunks are found because the
 * prolog is accumulated (bounded) before searching.
 */
async function scanProlog(opened: OpenedZip, part: ZipPart): Promise<boolean> {
  const stream = await openPartStream(opened, part);
  let prolog = '';
  try {
    for await (const chunk of stream) {
      prolog += (chunk as Buffer).toString('latin1').replace(/\0/g, '');
      const lower = prolog.toLowerCase();
      const root = /<[a-z_]/.exec(lower);
      const head = root ? lower.slice(0, root.index) : lower;
      if (head.includes('<!doctype') || head.includes('<!entity')) return true;
      if (root) return false;
      if (prolog.length > MAX_PROLOG_CHARS) return true;
    }
    return false;
  } finally {
    stream.destroy();
  }
}
