// The CLI's text output shows what a provider chose (a file name, a sheet name, a cell quoted in
// a message) without letting it act on the terminal: a name carrying ESC [2J ESC [31m cleared
// ops' screen and painted a fake verdict in red, a newline broke the table into rows of its
// own. Control characters are shown as escapes; --json is left exactly as JSON.stringify has it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emit, printable, table } from '../../src/cli/output.js';

/** Any character a terminal acts on: C0 (but the line breaks the layout itself makes), DEL, C1. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const HOSTILE = 'RTF_\u001b[2J\u001b[31mFAKE_ACCEPTED\u001b[0m.xlsx';

describe('printable', () => {
  it('shows C0, DEL and C1 control characters as escapes, leaves the rest alone', () => {
    expect(printable(HOSTILE)).toBe('RTF_\\x1b[2J\\x1b[31mFAKE_ACCEPTED\\x1b[0m.xlsx');
    expect(printable('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(printable('\u0000\u0007\u007f\u0085\u009b')).toBe('\\x00\\x07\\x7f\\x85\\x9b');
    expect(printable('RTF ACME ñandú — 2026 ü $(touch x).xlsx')).toBe('RTF ACME ñandú — 2026 ü $(touch x).xlsx');
  });

  it('shows bidirectional overrides and line separators as escapes (a name that reads backwards)', () => {
    expect(printable('RTF_\u202excod.xlsx')).toBe('RTF_\\u202excod.xlsx');
    expect(printable('a\u2066b\u2069c\u2028d\u2029')).toBe('a\\u2066b\\u2069c\\u2028d\\u2029');
  });
});

describe('table', () => {
  it('a cell with escapes or a newline stays one cell of one row, the columns aligned', () => {
    const out = table(['id', 'file', 'outcome'], [[1, HOSTILE, 'REJECTED'], [2, 'RTF_ACME\nFAKE  ACCEPTED.xlsx', 'REJECTED'], [3, 'RTF_ACME_202611.xlsx', null]]);
    expect(out).not.toMatch(RAW_CONTROL);
    const lines = out.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toContain('RTF_\\x1b[2J\\x1b[31mFAKE_ACCEPTED\\x1b[0m.xlsx');
    expect(lines[3]).toContain('RTF_ACME\\nFAKE  ACCEPTED.xlsx');
    // the outcome column starts at the same place on every line
    const at = lines[0]!.indexOf('outcome');
    expect(lines[2]!.indexOf('REJECTED')).toBe(at);
    expect(lines[3]!.indexOf('REJECTED')).toBe(at);
  });
});

describe('emit', () => {
  afterEach(() => vi.restoreAllMocks());
  const capture = () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    return () => out;
  };

  it('text: no raw control character reaches stdout, whatever a line holds; its own line breaks stay', () => {
    const out = capture();
    emit({}, {}, () => `submission 7: ${HOSTILE} from ACME\nrows 1 read\u0007\u009b`);
    expect(out()).toBe('submission 7: RTF_\\x1b[2J\\x1b[31mFAKE_ACCEPTED\\x1b[0m.xlsx from ACME\nrows 1 read\\x07\\x9b\n');
  });

  it('--json: exactly JSON.stringify (which escapes control characters itself)', () => {
    const out = capture();
    const doc = { file: HOSTILE, other: 'a\nb\u009b\u202e' };
    emit({ json: true }, doc, () => 'unused');
    expect(out()).toBe(JSON.stringify(doc, null, 2) + '\n');
    expect((JSON.parse(out()) as typeof doc).file).toBe(HOSTILE);
  });
});
