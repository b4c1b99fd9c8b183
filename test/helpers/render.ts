// Rendering a workbook the way a person would see it: LibreOffice headless draws the first
// sheet's first page to a PNG. Each call has its own LibreOffice profile, so parallel runs
// (two test files, the examples script) never fight over one profile's lock.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const SOFFICE = process.env.SOFFICE ?? '/usr/bin/soffice';
const run = promisify(execFile);

/**
 * Has LibreOffice open each workbook and save it as `<outDir>/<name>.<ext>` (one LibreOffice
 * start for all), `to` being a --convert-to target (`png`, `xlsx`, `csv:...`); returns those paths.
 */
export async function convertWithLibreOffice(files: readonly string[], outDir: string, to: string, ext: string, timeoutMs = 300_000): Promise<string[]> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lo-profile-'));
  try {
    fs.mkdirSync(outDir, { recursive: true });
    await run(
      SOFFICE,
      [`-env:UserInstallation=${pathToFileURL(profile).href}`, '--headless', '--norestore', '--convert-to', to, '--outdir', outDir, ...files],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
    );
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return files.map((file) => {
    const out = path.join(outDir, `${path.basename(file, path.extname(file))}.${ext}`);
    if (!fs.existsSync(out)) throw new Error(`LibreOffice wrote no ${path.basename(out)}`);
    return out;
  });
}

/** Converts each workbook to `<outDir>/<name>.png` (the first sheet's first page) and returns those paths. */
export function renderPng(files: readonly string[], outDir: string, timeoutMs = 300_000): Promise<string[]> {
  return convertWithLibreOffice(files, outDir, 'png', 'png', timeoutMs);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const isPng = (bytes: Buffer): boolean => bytes.subarray(0, 8).equals(PNG_SIGNATURE);
