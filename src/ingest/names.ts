// Names the plan gives a provider's upload: its response in downloads/ and the upload itself
// once moved to uploads/processed/ or uploads/failed/. Both carry the submission id, so two
// uploads never share one (`OTF ä.xlsx` and `OTF ö.xlsx` sanitise to the same stem; a file
// sent again under its old name is a new submission), and both fit a file system's 255-byte
// name limit whatever the provider called the file (the extension is kept; a shortened stem
// ends with a hash of the whole name, so two long names that share a beginning stay apart).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { localParts } from '../calendar/index.js';
import { INBOUND_TYPES } from '../filetypes/registry.js';

/**
 * Longest name we create, in UTF-8 bytes: under the usual 255-byte limit (NAME_MAX), leaving
 * room for the `.<name>.part` temporary name an atomic publish writes first.
 */
export const MAX_NAME_BYTES = 240;
/** A longer "extension" is part of the stem (it is no extension a spreadsheet has). */
const MAX_EXT_BYTES = 16;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** `stem` cut (whole characters) so that it takes at most `budget` bytes, marked with a hash of `whole`. */
export function shortenStem(stem: string, budget: number, whole: string): string {
  if (bytes(stem) <= budget) return stem;
  const mark = `-${createHash('sha256').update(whole).digest('hex').slice(0, 8)}`;
  let out = '';
  let used = bytes(mark);
  for (const ch of stem) {
    const b = bytes(ch);
    if (used + b > budget) break;
    out += ch;
    used += b;
  }
  return out + mark;
}

function splitExt(base: string): { stem: string; ext: string } {
  const ext = path.posix.extname(base);
  if (!ext || ext === base || bytes(ext) > MAX_EXT_BYTES) return { stem: base, ext: '' };
  return { stem: base.slice(0, -ext.length), ext };
}

const baseName = (name: string) => path.posix.basename(name.replace(/\\/g, '/'));

/** `<stem>_RESPONSE_<YYYYMMDDHHmmss>_<submission id>.xlsx`: plan local time, stem in safe ASCII. */
export function responseName(originalName: string, at: Date, tz: string, submissionId: number): string {
  const { stem: raw } = splitExt(baseName(originalName));
  const stem = raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '') || 'file';
  const p = localParts(at, tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  const tail = `_RESPONSE_${p.year}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}${pad(p.second)}_${submissionId}.xlsx`;
  return shortenStem(stem, Math.min(120, MAX_NAME_BYTES - bytes(tail)), originalName) + tail;
}

/**
 * `RTF_ACME_202611.xlsx`, submission 42, taken at 2026-11-04T09:30:00Z → `RTF_ACME_202611__20261104T093000Z_42.xlsx`.
 * The upload's own name on the server (no folder in it): a backslash is a character of the
 * name there, not a folder separator (cut there, `OTF\.x.xlsx` became the hidden `.x__….xlsx`,
 * a name no move makes: the upload was quarantined).
 */
export function movedName(originalName: string, at: Date, submissionId: number): string {
  const { stem, ext } = splitExt(path.posix.basename(originalName));
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const tail = `__${stamp}_${submissionId}${ext}`;
  return shortenStem(stem, MAX_NAME_BYTES - bytes(tail), originalName) + tail;
}

/**
 * The inbound file types a provider's file name suggests, as words of the name:
 * `RTF_OTF_ACME_202611.xlsx` → RTF, OTF; `CSPRTF_HOPE_202611.xlsx` → CSPRTF; `november.xlsx` →
 * none. Only a hint for the deadline verdict before the file is read (a CSPRTF has its own
 * window); the sheets' header rows decide what the file is.
 * @param types the registry's type names (the production registry's by default)
 */
export function typesSuggestedByName(originalName: string, types: readonly string[] = INBOUND_TYPES.names): string[] {
  const words = new Set(splitExt(baseName(originalName)).stem.toUpperCase().split(/[^A-Z0-9]+/));
  return types.filter((t) => words.has(t));
}
