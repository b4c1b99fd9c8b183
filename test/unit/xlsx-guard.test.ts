import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectFile, type GuardLimits } from '../../src/xlsx/guard.js';
import { writeWorkbookToBuffer } from '../../src/xlsx/writer.js';
import { minimalParts, tinyZip, inl, type TinyEntry } from '../fixtures/tiny-zip.js';

const FIX = path.resolve(import.meta.dirname, '../fixtures');
const LIMITS: GuardLimits = { maxFileBytes: 50 * 1024 * 1024, maxUncompressedBytes: 1024 * 1024 * 1024, maxZipEntries: 2000 };

const valid = (): TinyEntry[] => minimalParts(`<row r="1">${inl('A1', 'CIN')}</row>`);
const code = async (bytes: Buffer, name = 'RTF_TEST_202611.xlsx', limits = LIMITS) => (await inspectFile(bytes, name, limits))?.code ?? null;

function ole(...streams: string[]): Buffer {
  const head = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  return Buffer.concat([head, Buffer.alloc(504), ...streams.map((s) => Buffer.from(s, 'utf16le')), Buffer.alloc(1024)]);
}

describe('inspectFile: accepts real workbooks', () => {
  const fixtures = fs.readdirSync(FIX).filter((f) => /\.xls[xm]$/.test(f));
  it('has fixtures to check', () => expect(fixtures.length).toBeGreaterThanOrEqual(9));
  for (const f of fixtures) {
    it(`passes ${f}`, async () => {
      expect(await inspectFile(fs.readFileSync(path.join(FIX, f)), f, LIMITS)).toBeNull();
    });
  }
  it('passes a minimal hand-built package and our own writer output, with any extension case', async () => {
    expect(await code(tinyZip(valid()))).toBeNull();
    const ours = await writeWorkbookToBuffer([{ name: 'RTF', columns: [{ label: 'CIN' }], rows: [['91234567A']] }]);
    expect(await code(ours, 'rtf.XLSX')).toBeNull();
    expect(await code(ours, 'rtf.XlSm')).toBeNull();
  });
});

describe('inspectFile: file-level codes', () => {
  it('FILE_EMPTY for 0 bytes', async () => {
    const e = await inspectFile(Buffer.alloc(0), 'x.xlsx', LIMITS);
    expect(e?.code).toBe('FILE_EMPTY');
    expect(e?.message).toMatch(/empty/);
  });

  it('FILE_TOO_LARGE over maxFileBytes', async () => {
    expect(await code(tinyZip(valid()), 'x.xlsx', { ...LIMITS, maxFileBytes: 100 })).toBe('FILE_TOO_LARGE');
  });

  it('FILE_CSV for CSV content whatever the name', async () => {
    const csv = Buffer.from('Member Client Index Number (CIN),Member Last Name\r\n91234567A,Peña\r\n');
    expect(await code(csv, 'RTF_ACME_202611.xlsx')).toBe('FILE_CSV');
    expect(await code(csv, 'RTF_ACME_202611.csv')).toBe('FILE_CSV');
    expect(await code(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv]), 'rtf.xlsx')).toBe('FILE_CSV');
    expect(await code(Buffer.from('a\tb\r\n1\t2\r\n', 'utf16le'), 'x.xlsx')).toBe('FILE_CORRUPT'); // UTF-16 without BOM: binary-looking
    expect(await code(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb\r\n', 'utf16le')]), 'x.xlsx')).toBe('FILE_CSV');
  });

  it('FILE_WRONG_TYPE for other extensions and for HTML saved as a spreadsheet', async () => {
    const zip = tinyZip(valid());
    expect(await code(zip, 'RTF.zip')).toBe('FILE_WRONG_TYPE');
    expect(await code(zip, 'RTF')).toBe('FILE_WRONG_TYPE');
    expect(await code(Buffer.from('%PDF-1.7\n\u0000\u0001binary'), 'RTF.pdf')).toBe('FILE_WRONG_TYPE');
    const e = await inspectFile(Buffer.from('<html><body><table><tr><td>CIN</td></tr></table></body></html>'), 'export.xlsx', LIMITS);
    expect(e?.code).toBe('FILE_WRONG_TYPE');
    expect(e?.message).toMatch(/web page/);
  });

  it('FILE_XLS_LEGACY for BIFF workbooks (by content) and for .xls names', async () => {
    expect(await code(ole('Workbook', 'SummaryInformation'), 'RTF.xls')).toBe('FILE_XLS_LEGACY');
    expect(await code(ole('Workbook'), 'RTF_renamed.xlsx')).toBe('FILE_XLS_LEGACY');
    expect(await code(tinyZip(valid()), 'RTF.xls')).toBe('FILE_XLS_LEGACY');
  });

  it('FILE_ENCRYPTED for password-protected workbooks', async () => {
    const e = await inspectFile(ole('EncryptionInfo', 'EncryptedPackage'), 'RTF.xlsx', LIMITS);
    expect(e?.code).toBe('FILE_ENCRYPTED');
    expect(e?.message).toMatch(/password-protected: remove the password and upload again/);
    expect(await code(ole('SomethingElse'), 'RTF.xlsx')).toBe('FILE_ENCRYPTED');
    const encryptedEntry = valid().map((e2) => (e2.name === 'xl/workbook.xml' ? { ...e2, flags: 0x1, method: 8 as const } : e2));
    expect(await code(tinyZip(encryptedEntry))).toBe('FILE_ENCRYPTED');
  });

  it('FILE_CORRUPT for non-zip binaries, truncated zips and missing parts', async () => {
    expect(await code(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0x00, 0x10]))).toBe('FILE_CORRUPT');
    const good = tinyZip(valid());
    expect(await code(good.subarray(0, Math.floor(good.length / 2)))).toBe('FILE_CORRUPT');
    expect(await code(tinyZip(valid().filter((e) => e.name !== 'xl/workbook.xml')))).toBe('FILE_CORRUPT');
    expect(await code(tinyZip(valid().filter((e) => e.name !== '[Content_Types].xml')))).toBe('FILE_CORRUPT');
  });

  it('FILE_UNSAFE_ZIP for traversal, absolute and backslash names, and duplicate entries', async () => {
    for (const name of ['../evil.xml', 'xl/../../evil', '/etc/passwd', 'C:/x.xml', 'xl\\worksheets\\sheet1.xml']) {
      expect(await code(tinyZip([...valid(), { name, data: 'x' }])), name).toBe('FILE_UNSAFE_ZIP');
    }
    expect(await code(tinyZip([...valid(), { name: 'xl/workbook.xml', data: '<x/>' }]))).toBe('FILE_UNSAFE_ZIP');
    expect(await code(tinyZip([...valid(), { name: 'XL/Workbook.xml', data: '<x/>' }]))).toBe('FILE_UNSAFE_ZIP');
  });

  it('FILE_ZIP_BOMB for too many entries, huge declared sizes and absurd ratios', async () => {
    const many = [...valid(), ...Array.from({ length: 30 }, (_, i) => ({ name: `xl/media/p${i}.bin`, data: 'x' }))];
    expect(await code(tinyZip(many), 'x.xlsx', { ...LIMITS, maxZipEntries: 20 })).toBe('FILE_ZIP_BOMB');
    const declared = [...valid(), { name: 'xl/media/big.bin', data: 'x', declaredSize: 0xfffffff0, method: 8 as const }];
    expect(await code(tinyZip(declared))).toBe('FILE_ZIP_BOMB');
    // a real 24 MB of zeros deflates to ~24 KB: a 1000:1 ratio
    const zeros = [...valid(), { name: 'xl/media/zeros.bin', data: Buffer.alloc(24 * 1024 * 1024), method: 8 as const }];
    const bytes = tinyZip(zeros);
    expect(bytes.length).toBeLessThan(100_000);
    const e = await inspectFile(bytes, 'x.xlsx', LIMITS);
    expect(e?.code).toBe('FILE_ZIP_BOMB');
    expect(e?.message).toMatch(/compressed more than 200 to 1/);
    expect(await code(tinyZip(valid()), 'x.xlsx', { ...LIMITS, maxUncompressedBytes: 200 })).toBe('FILE_ZIP_BOMB');
  });

  it('FILE_XML_ENTITIES for DOCTYPE or ENTITY declarations in any XML part', async () => {
    const withSheet = (xml: string | Buffer, method: 0 | 8 = 8) =>
      tinyZip(valid().map((e) => (e.name === 'xl/worksheets/sheet1.xml' ? { ...e, data: xml, method } : e)));
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><worksheet>&lol2;</worksheet>';
    expect(await code(withSheet(lol))).toBe('FILE_XML_ENTITIES');
    expect(await code(withSheet('<?xml version="1.0"?>\n<!ENTITY x "y"><worksheet/>', 0))).toBe('FILE_XML_ENTITIES');
    // the marker straddles the inflater's 16 KB output chunks
    const padded = `<?xml version="1.0"?>${' '.repeat(16_380)}<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet>&e;</worksheet>`;
    expect(await code(withSheet(padded))).toBe('FILE_XML_ENTITIES');
    // UTF-16 encoded part
    expect(await code(withSheet(Buffer.from('\ufeff<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w><worksheet/>', 'utf16le')))).toBe('FILE_XML_ENTITIES');
    // in a .rels part
    const rels = tinyZip(valid().map((e) => (e.name === '_rels/.rels' ? { ...e, data: '<!DOCTYPE r [<!ENTITY a "b">]><Relationships/>' } : e)));
    expect(await code(rels)).toBe('FILE_XML_ENTITIES');
    // text that merely mentions the words inside an element is fine
    expect(await code(withSheet(`<?xml version="1.0"?><worksheet><sheetData><row r="1">${inl('A1', '&lt;!DOCTYPE html&gt;')}</row></sheetData></worksheet>`))).toBeNull();
  });

  it('never throws: anything unexpected is FILE_CORRUPT', async () => {
    const weird = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 0xff)]);
    expect(await code(weird)).toBe('FILE_CORRUPT');
    expect(await code(Buffer.from('PK\u0005\u0006' + '\u0000'.repeat(18)))).toBe('FILE_CORRUPT');
  });
});

describe('inspectFile: deflate sanity', () => {
  it('a real workbook part compresses far below the bomb ratio', () => {
    const xml = Array.from({ length: 20_000 }, (_, i) => `<row r="${i + 2}">${inl(`A${i + 2}`, `9${String(i).padStart(7, '0')}A`)}</row>`).join('');
    const ratio = Buffer.byteLength(xml) / zlib.deflateRawSync(xml).length;
    expect(ratio).toBeLessThan(200);
  });
});
