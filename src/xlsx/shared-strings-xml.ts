// The shared-string table (xl/sharedStrings.xml), scanned as the worksheet is (xml-scan.ts):
// after the worksheet it is the largest part of a provider file (a string per distinct name,
// CIN, address: 100k rows ≈ 100k strings), and saxes spent more on it than we then spend on
// the whole worksheet's markup. Each `<si>` is one string: its `<t>` texts joined (rich text
// runs), phonetic guides (`<rPh>`) left out.
import { El, XmlPartScanner } from './xml-scan.js';

/**
 * The string with characters of its own. A string read from a 64 KB piece of the part is a
 * slice of it, and V8 keeps the whole piece alive for as long as any slice of 13 characters or
 * more lives: the table lives for the whole read, and at 200k rows its long strings (addresses,
 * e-mails, names) held ~20 MB of pieces (test/unit/xlsx-shared-strings-memory.test.ts). A
 * joined copy is flattened into a new string of its own length.
 */
const detached = (s: string): string => (' ' + s).slice(1);

export class SharedStringsScanner extends XmlPartScanner {
  /** The strings read so far, in order (index N is shared string N). */
  readonly strings: string[] = [];
  /** The `<si>` being read, or null outside one. */
  private current: string | null = null;
  private inPhonetic = 0;

  /** Scans the next chunk of the part's bytes (then `end`, once they are all given). */
  scan(bytes: Uint8Array): void {
    this.feedBytes(bytes);
  }

  protected opened(el: El, selfClosing: boolean): void {
    switch (el) {
      case El.Si:
        if (selfClosing) {
          this.strings.push('');
          this.current = null;
        } else this.current = '';
        break;
      case El.T:
        if (selfClosing) this.capturing = false;
        else if (this.current !== null && this.inPhonetic === 0) this.capturing = true;
        break;
      case El.RPh:
        if (!selfClosing) this.inPhonetic++;
        break;
      default:
        break;
    }
  }

  protected closed(el: El): void {
    switch (el) {
      case El.Si:
        this.strings.push(this.current === null ? '' : detached(this.current));
        this.current = null;
        break;
      case El.T:
        this.capturing = false;
        break;
      case El.RPh:
        this.inPhonetic--;
        break;
      default:
        break;
    }
  }

  protected text(t: string): void {
    if (this.current !== null) this.current += t;
  }
}
