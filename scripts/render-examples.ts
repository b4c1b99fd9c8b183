// Draws the README's example workbooks (docs/examples/*.png) with LibreOffice, from the same
// code paths the service uses: a provider's response to a real fixture with errors (its
// rejected rows sheet, the one a provider fixes) and a liaison digest.
// Run: npx tsx scripts/render-examples.ts   (needs /usr/bin/soffice with Calc and Draw)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { INBOUND_TYPES } from '../src/filetypes/registry.js';
import { digestSheets } from '../src/reports/missing.js';
import { responseSheets } from '../src/reports/response.js';
import { validateFile } from '../src/validate/file.js';
import { writeWorkbook } from '../src/xlsx/writer.js';
import { DIGEST_ROWS } from '../test/fixtures/digest-rows.js';
import { INGEST_FIXTURES } from '../test/fixtures/ingest/generate.js';
import { renderPng } from '../test/helpers/render.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'docs', 'examples');
const config = loadConfig({});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-examples-'));
try {
  const name = 'RTF_ACME_202611_v2.xlsx';
  const validation = await validateFile(fs.readFileSync(path.join(INGEST_FIXTURES, name)), name, {
    limits: config,
    types: INBOUND_TYPES.types,
    context: { config, receivedDate: '2026-12-04', expectedPeriod: '2026-11' },
  });
  // LibreOffice draws a workbook's first sheet: each example is a workbook of the one sheet shown.
  const fixSheet = responseSheets(validation, { codeSettings: config }).filter((s) => s.name.startsWith('Rejected'));
  await writeWorkbook(path.join(work, 'response-rejected-rows.xlsx'), fixSheet);
  await writeWorkbook(path.join(work, 'liaison-digest.xlsx'), digestSheets(DIGEST_ROWS, '2026-12-11', config));
  const pngs = await renderPng([path.join(work, 'response-rejected-rows.xlsx'), path.join(work, 'liaison-digest.xlsx')], work);
  fs.mkdirSync(outDir, { recursive: true });
  for (const png of pngs) fs.copyFileSync(png, path.join(outDir, path.basename(png)));
  console.log(`wrote ${pngs.map((p) => path.relative(root, path.join(outDir, path.basename(p)))).join(', ')}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
