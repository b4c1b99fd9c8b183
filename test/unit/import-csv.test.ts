import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvRecords, CsvFileError, MAX_RECORD_CHARS, type CsvRecord } from '../../src/import/csv.js';

async function read(chunks: string[]): Promise<CsvRecord[]> {
  async function* gen() {
    yield* chunks;
  }
  const out: CsvRecord[] = [];
  for await (const r of csvRecords(gen())) out.push(r);
  return out;
}
const all = (text: string) => read([text]);

describe('CSV reader (imports)', () => {
  it('reads quoted values with commas, doubled quotes and line breaks; trims blanks around values; skips blank lines', async () => {
    const text = '\uFEFFa,b,c\r\n 1 , "x, ""y""" ,3\r\n\r\n4,"multi\r\nline",6\n  \n7,,\n8 9,"",z';
    expect(await all(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', '3'] },
      { line: 4, fields: ['4', 'multi\r\nline', '6'] },
      { line: 7, fields: ['7', '', ''] },
      { line: 8, fields: ['8 9', '', 'z'] },
    ]);
  });

  it('gives the same records whatever the chunk boundaries (CRLF and quotes split across chunks)', async () => {
    const text = 'a,b\r\n"q""1",x\r\n"l1\r\nl2",y\rz,w\n';
    const whole = await all(text);
    for (let cut = 1; cut < text.length; cut++) expect(await read([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    expect(await read(text.split(''))).toEqual(whole);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('reports a stray quote or text after a closing quote as a coded problem on its line, and reads on', async () => {
    expect(await all('a,b\n1,Ga"rcia\n"x" y,2\n"x"y,3\n4,5\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, problem: 'csv-stray-quote' },
      { line: 3, problem: 'csv-text-after-quote' },
      { line: 4, problem: 'csv-text-after-quote' },
      { line: 5, fields: ['4', '5'] },
    ]);
  });

  it('refuses a quote never closed, and a record too long, as file errors naming the row only', async () => {
    const err = await all('a,b\n1,2\n3,"Secretname,4\n5,6\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvFileError);
    expect((err as Error).message).toMatch(/row 3 is never closed/);
    expect((err as Error).message).not.toMatch(/Secretname/);
    const long = await all(`a\n"${'x'.repeat(MAX_RECORD_CHARS + 10)}"\n`).catch((e: unknown) => e);
    expect(long).toBeInstanceOf(CsvFileError);
    expect((long as Error).message).toMatch(/row 2 is over/);
  });

  it('reads every sample and fixture extract exactly as csv-parse does', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const files = [
      ...fs.readdirSync(path.join(root, 'samples', 'plan')).map((f) => path.join(root, 'samples', 'plan', f)),
      ...['members_good.csv', 'providers_good.csv', 'cs-authorizations_good.csv', 'ecm-assignments_good.csv', 'referrals_good.csv']
        .map((f) => path.join(root, 'test', 'fixtures', 'upstream', f)),
    ].filter((f) => f.endsWith('.csv'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const expected = parse(text, { bom: true, skip_empty_lines: true, trim: true }) as string[][];
      const got = await all(text);
      expect(got.map((r) => ('fields' in r ? r.fields : r.problem)), f).toEqual(expected);
    }
  });
});
