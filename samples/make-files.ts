// Blank templates from the layout declarations, and example provider uploads (good and bad):
// the files the demo's simulated providers send, kept under samples/uploads/ for a person to
// open. Run by `npm run samples` after samples/generate.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSPRTF, OTF, RTF } from '../schemas/index.js';
import { runDemo } from '../src/demo/month.js';
import { layoutSheet } from '../src/generate/sheets.js';
import { log } from '../src/log.js';
import { writeWorkbook } from '../src/xlsx/writer.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function writeTemplates(dir = path.join(here, 'templates')): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const layout of [RTF, OTF, CSPRTF]) {
    const file = path.join(dir, `${layout.name}_TEMPLATE.xlsx`);
    await writeWorkbook(file, [layoutSheet(layout, [], { lists: true })]);
    out.push(file);
  }
  return out;
}

export async function writeExampleUploads(dir = path.join(here, 'uploads')): Promise<string[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-samples-'));
  try {
    await runDemo({ out: tmp });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const out: string[] = [];
    const root = path.join(tmp, 'sftp');
    for (const provider of fs.readdirSync(root))
      for (const sub of ['processed', 'failed']) {
        const from = path.join(root, provider, 'uploads', sub);
        if (!fs.existsSync(from)) continue;
        for (const f of fs.readdirSync(from)) {
          // RTF_X_202611__20261202T172000Z_1.xlsx → RTF_X_202611.xlsx, as the provider named it
          const name = f.replace(/__\d{8}T\d{6}Z(?:_\d+)?(\.[^.]*)$/, '$1');
          fs.copyFileSync(path.join(from, f), path.join(dir, name));
          out.push(name);
        }
      }
    return out.sort();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  log.level = 'warn';
  const t = await writeTemplates();
  const u = await writeExampleUploads();
  console.log(`templates: ${t.map((f) => path.basename(f)).join(', ')}\nuploads: ${u.join(', ')}`);
}
