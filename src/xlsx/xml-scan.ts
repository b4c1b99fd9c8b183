// The markup side of the purpose-built part scanners (sheet-xml.ts: worksheets; shared-strings-
// xml.ts: the shared-string table): the two parts that are nearly all of a provider file. A
// general SAX parser spends most of its time building an event object and an attribute map per
// tag we then mostly ignore; these scanners read the XML with indexOf and slices, and each
// subclass keeps only what it needs.
//
// They take the part's bytes, not decoded text: each chunk is read as Latin-1 (one character
// per byte, a plain copy) and only the text that is kept is decoded as UTF-8. Decoding all of an
// 83 MB worksheet cost more than scanning it; and markup is ASCII, which UTF-8 never uses inside
// a multi-byte character, so a `<` or `"` byte is always that character and the structure read
// from bytes is the structure of the text. Chunks may split anywhere, inside a character too:
// text is decoded only once its end tag has arrived.
//
// Not a general XML parser, but it refuses what is not well-formed in what it reads
// (mismatched or stray end tags, attributes without a name or a quoted value, a bare `&`,
// unknown entities, characters XML forbids) by throwing MalformedXmlError, which the reader
// turns into FILE_CORRUPT. DOCTYPE and entity declarations never get here: guard.ts rejects
// them before parsing (FILE_XML_ENTITIES); a `<!` other than a comment or CDATA is refused here
// too. A part cut short (a copy or upload stopped part way, zipped again: the zip is whole) is
// well-formed up to its cut, so the caller says when the bytes end (`end`): a part that ends
// inside markup or text, with an element open, or with no element at all is refused then, not
// read as if its rows before the cut were all of it. Once a subclass is `done` (a worksheet's
// </sheetData>), what follows is not scanned, broken or not; but the part must still end with
// its root element's end tag (comments, processing instructions and spaces may follow it).

export class MalformedXmlError extends Error {
  constructor(what: string) {
    super(`XML part is not well-formed: ${what}`);
    this.name = 'MalformedXmlError';
  }
}

// Characters XML 1.0 does not allow, raw (tab, LF and CR are allowed), as bytes read as Latin-1:
// the C0 controls, and U+FFFE / U+FFFF (EF BF BE / EF BF BF in UTF-8; a continuation byte is
// never EF, so these bytes are always those characters).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const NONCHARACTER = /\u00EF\u00BF[\u00BE\u00BF]/;
const NON_ASCII = /[\u0080-\u00FF]/;

// Bytes read as one string at a time. V8 puts a string over ~128 KB in its large-object space,
// where making one costs about 10× what copying its bytes does: 256 KB inflate chunks are read
// in four pieces.
const PIECE = 64 * 1024;
/** Bytes of a part's end kept once its scanner is `done`: its root's end tag, and what may follow it. */
const TRAILER = 256;

/** Text read as Latin-1 (a character per byte), decoded as the UTF-8 it is. */
export function utf8(bytes: string): string {
  return NON_ASCII.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));|&/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function allowedCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(ENTITY, (_m, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named) return NAMED[named]!;
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? parseInt(dec, 10) : parseInt(hex!, 16);
      if (!allowedCodePoint(cp)) throw new MalformedXmlError('a character reference to a character XML does not allow');
      return String.fromCodePoint(cp);
    }
    throw new MalformedXmlError('a bare "&" or an unknown entity');
  });
}

/** XML end-of-line handling: CR LF and a lone CR read as LF (a CR written as &#13; stays). */
const normaliseEol = (s: string) => (s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n'));

/** Character data as read: UTF-8 decoded, line ends normalised, entities decoded. */
export const textOf = (raw: string) => decodeEntities(normaliseEol(utf8(raw)));

export const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Elements a subclass reacts to, by local name (any prefix: some exporters write `x:row`). */
export const enum El { Other, SheetData, Row, C, V, Is, T, RPh, Si, F }

/**
 * The element named `s[from, to)` (its local name, after any prefix), read from its characters:
 * no string is made or looked up per tag.
 */
function elementAt(s: string, from: number, to: number): El {
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === 58 /* : */) {
      from = i + 1;
      break;
    }
  }
  const c = s.charCodeAt(from);
  switch (to - from) {
    case 1:
      return c === 99 /* c */ ? El.C : c === 118 /* v */ ? El.V : c === 116 /* t */ ? El.T : c === 102 /* f */ ? El.F : El.Other;
    case 2:
      if (c === 105 /* i */) return s.charCodeAt(from + 1) === 115 /* s */ ? El.Is : El.Other;
      return c === 115 /* s */ && s.charCodeAt(from + 1) === 105 /* i */ ? El.Si : El.Other;
    case 3:
      return s.startsWith('row', from) ? El.Row : s.startsWith('rPh', from) ? El.RPh : El.Other;
    case 9:
      return s.startsWith('sheetData', from) ? El.SheetData : El.Other;
    default:
      return El.Other;
  }
}

// The unprefixed names of the elements above, kept for their end-tag check without a slice.
const NAME_OF: Record<El, string> = { [El.Other]: '', [El.SheetData]: 'sheetData', [El.Row]: 'row', [El.C]: 'c', [El.V]: 'v', [El.Is]: 'is', [El.T]: 't', [El.RPh]: 'rPh', [El.Si]: 'si', [El.F]: 'f' };

/**
 * Give `scan` a part's bytes in chunks (split anywhere), then call `end`. The subclass is told of each start tag
 * (`beginTag`, then `attribute` for each one-letter attribute if it asked for them, then `opened`), each end tag
 * (`closed`; a self-closing tag is only `opened`), and of the text of the elements it captures
 * (`text`, decoded; or the raw Latin-1 range, `rawText`, for subclasses that read digits
 * straight from it).
 */
export abstract class XmlPartScanner {
  /**
   * True once the subclass has read all it wants: the rest of the part is not scanned. The
   * caller still gives it all (and then calls `end`): a part cut short after what was read is
   * damaged too.
   */
  done = false;
  /** True while the text being read is wanted (`text` is called with it); other text is skipped. */
  protected capturing = false;
  private rest = '';
  /** The last two bytes of the previous piece (a forbidden character may straddle chunks). */
  private tail = '';
  /** Open elements, innermost last: their names (for the end-tag check) and what they are. */
  private readonly stack: string[] = [];
  private readonly elements: El[] = [];
  private depth = 0;
  /** The root element was self-closing (any other root is in `stack`, which only grows). */
  private emptyRoot = false;
  /**
   * Once `done`: the part's last bytes read so far, up to the last non-space one (at most
   * TRAILER; spaces between chunks kept as one), for `end` to see how the part ends.
   */
  private trailer = '';
  /** Spaces followed the trailer in the last chunk (a chunk of spaces only adds them). */
  private trailerGap = false;

  /** Reads the next chunk of bytes. */
  protected feedBytes(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < buf.length && !this.done; i += PIECE) this.feed(buf.toString('latin1', i, Math.min(buf.length, i + PIECE)));
    if (this.done) this.keepTrailer(buf);
  }

  /**
   * The part's bytes have all been given. Throws MalformedXmlError unless the document was
   * whole: its root element closed, and the bytes not ending inside a tag, a comment, CDATA or
   * an element's text. (O(1): the scan kept its state; once `done`, only the trailer is looked at.)
   */
  end(): void {
    if (this.done) {
      if (this.depth > 0 && !this.rootEndsTrailer()) throw new MalformedXmlError(`the part does not end with </${utf8(this.stack[0]!)}> (it was cut short)`);
      return;
    }
    if (this.rest.length > 0) throw new MalformedXmlError('the part ends inside a tag, a comment or text (it was cut short)');
    if (this.depth > 0) throw new MalformedXmlError(`the part ends with <${utf8(this.stack[this.depth - 1]!)}> open (it was cut short)`);
    if (this.stack.length === 0 && !this.emptyRoot) throw new MalformedXmlError('the part has no element (it is empty or was cut short)');
  }

  /** Keeps the end of `buf`, the latest bytes of a part read past `done`. */
  private keepTrailer(buf: Buffer): void {
    let last = buf.length - 1;
    while (last >= 0 && isSpace(buf[last]!)) last--;
    if (last < 0) {
      this.trailerGap = true;
      return;
    }
    const from = Math.max(0, last + 1 - TRAILER);
    const piece = buf.toString('latin1', from, last + 1);
    this.trailer = from > 0 ? piece : (this.trailer + (this.trailerGap ? ' ' : '') + piece).slice(-TRAILER);
    this.trailerGap = last < buf.length - 1;
  }

  /**
   * The trailer ends with the root element's end tag, then only comments, processing
   * instructions and spaces (what XML allows after it; one longer than the trailer is refused).
   */
  private rootEndsTrailer(): boolean {
    let t = this.trailer;
    for (;;) {
      let k = t.length;
      while (k > 0 && isSpace(t.charCodeAt(k - 1))) k--;
      t = t.slice(0, k);
      const open = t.endsWith('-->') ? t.lastIndexOf('<!--') : t.endsWith('?>') ? t.lastIndexOf('<?') : -2;
      if (open === -2) break;
      if (open < 0) return false;
      t = t.slice(0, open);
    }
    if (!t.endsWith('>')) return false;
    let k = t.length - 1; // the end tag's name ends before any spaces there
    while (k > 0 && isSpace(t.charCodeAt(k - 1))) k--;
    const root = this.stack[0]!;
    const at = k - root.length - 2;
    return at >= 0 && t.startsWith('</', at) && t.startsWith(root, at + 2);
  }

  /** The start tag of `el`, after its attributes. */
  protected abstract opened(el: El, selfClosing: boolean): void;
  /** The end tag of `el` (never called for a self-closing tag). */
  protected abstract closed(el: El): void;
  /** Decoded character data while `capturing`. */
  protected abstract text(t: string): void;
  /** A start tag of `el` begins; returns whether `attribute` wants its one-letter attributes. */
  protected beginTag(_el: El): boolean {
    return false;
  }
  /** A one-letter attribute (`name` its char code) of the tag being opened: `str[from, to)`, entities decoded. */
  protected attribute(_name: number, _el: El, _str: string, _from: number, _to: number): void {}
  /**
   * Right after the start tag of `el` (named `qname`, its content from `s[i]`): a subclass may
   * read the element's whole content and its end tag itself, when they are in `s` and in a form
   * it knows, and return the index after the end tag; -1 (the default) to read on as usual.
   */
  protected shortcut(_el: El, _qname: string, _s: string, _i: number): number {
    return -1;
  }
  /** Character data `s[from, to)` while `capturing`, raw; by default decoded and given to `text`. */
  protected rawText(s: string, from: number, to: number): void {
    this.text(textOf(s.slice(from, to)));
  }

  private feed(chunk: string): void {
    if (CONTROL.test(chunk) || NONCHARACTER.test(chunk) || (this.tail.length > 0 && NONCHARACTER.test(this.tail + chunk.slice(0, 2))))
      throw new MalformedXmlError('a control character XML does not allow');
    this.tail = chunk.length >= 2 ? chunk.slice(-2) : this.tail.slice(-1) + chunk;
    const s = this.rest.length ? this.rest + chunk : chunk;
    this.rest = '';
    const n = s.length;
    let i = 0;
    while (i < n) {
      // (tags mostly follow each other: look before searching)
      const lt = s.charCodeAt(i) === 60 ? i : s.indexOf('<', i);
      if (lt < 0) {
        // Text up to the end of the chunk: kept whole until its end tag arrives (so an entity
        // or a character is never split); text outside a value is dropped.
        if (this.capturing) this.rest = s.slice(i);
        return;
      }
      if (lt > i && this.capturing) this.rawText(s, i, lt);
      if (lt + 1 >= n) return this.keep(s, lt);
      const c1 = s.charCodeAt(lt + 1);
      if (c1 === 47 /* / */) {
        let gt = lt + 2;
        while (gt < n && s.charCodeAt(gt) !== 62 /* > */) gt++;
        if (gt >= n) return this.keep(s, lt);
        let end = gt;
        while (end > lt + 2 && isSpace(s.charCodeAt(end - 1))) end--;
        this.close(s, lt + 2, end);
        i = gt + 1;
        if (this.done) return;
        continue;
      }
      if (c1 === 33 /* ! */) {
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) return this.keep(s, lt);
          i = end + 3;
          continue;
        }
        if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) return this.keep(s, lt);
          if (this.capturing) this.text(normaliseEol(utf8(s.slice(lt + 9, end))));
          i = end + 3;
          continue;
        }
        if (n - lt < 9) return this.keep(s, lt); // a comment or CDATA start split across chunks
        throw new MalformedXmlError('a markup declaration inside the part');
      }
      if (c1 === 63 /* ? */) {
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) return this.keep(s, lt);
        i = end + 2;
        continue;
      }
      const next = this.openTag(s, lt);
      if (next < 0) return this.keep(s, lt);
      i = next;
      if (this.done) return;
    }
  }

  private keep(s: string, from: number): void {
    this.rest = s.slice(from);
  }

  /** Parses the start tag at `lt`; returns the index after it, or -1 when the chunk ends inside it. */
  private openTag(s: string, lt: number): number {
    const n = s.length;
    let k = lt + 1;
    while (k < n) {
      const c = s.charCodeAt(k);
      if (isSpace(c) || c === 47 || c === 62) break;
      k++;
    }
    if (k >= n) return -1;
    if (k === lt + 1) throw new MalformedXmlError('a "<" that starts no tag');
    const el = elementAt(s, lt + 1, k);
    const known = NAME_OF[el];
    const qname = el !== El.Other && known.length === k - lt - 1 ? known : s.slice(lt + 1, k);
    const wanted = this.beginTag(el);
    let p = k;
    for (;;) {
      while (p < n && isSpace(s.charCodeAt(p))) p++;
      if (p >= n) return -1;
      const c = s.charCodeAt(p);
      if (c === 62 /* > */) {
        this.stack[this.depth] = qname;
        this.elements[this.depth++] = el;
        this.opened(el, false);
        const after = this.shortcut(el, qname, s, p + 1);
        if (after < 0) return p + 1;
        this.depth--; // its end tag was read too
        return after;
      }
      if (c === 47 /* / */) {
        if (p + 1 >= n) return -1;
        if (s.charCodeAt(p + 1) !== 62) throw new MalformedXmlError('"/" inside a tag');
        if (this.depth === 0) this.emptyRoot = true;
        this.opened(el, true);
        return p + 2;
      }
      // (attribute names and values are short: a loop costs less than a search call)
      // Most names are one letter (r, s, t) with "=" right after: no loop for them.
      let nameEnd = p + 1;
      let eq = nameEnd;
      if (s.charCodeAt(eq) !== 61 /* = */) {
        // The name ends at a space, "=" or ">" (a control character never gets here: feed
        // refused it), and "=" must come next: `<c Foo t="s">` is a name without a value, not "Foo t".
        nameEnd = p;
        for (let c = s.charCodeAt(p); c > 32 && c !== 61 /* = */ && c !== 62 /* > */; c = s.charCodeAt(++nameEnd));
        eq = nameEnd;
        while (eq < n && isSpace(s.charCodeAt(eq))) eq++;
        if (eq >= n) return -1;
        if (nameEnd === p || s.charCodeAt(eq) !== 61) throw new MalformedXmlError('an attribute without a name or a value');
      }
      let q = eq + 1;
      while (q < n && isSpace(s.charCodeAt(q))) q++;
      if (q >= n) return -1;
      const quote = s.charCodeAt(q);
      if (quote !== 34 && quote !== 39) throw new MalformedXmlError('an attribute value without quotes');
      const kept = wanted && nameEnd - p === 1;
      let close = q + 1;
      let special = false; // a "<" or "&" in a value we keep
      if (kept) {
        for (; close < n; close++) {
          const c = s.charCodeAt(close);
          if (c === quote) break;
          if (c === 60 /* < */ || c === 38 /* & */) special = true;
        }
      } else while (close < n && s.charCodeAt(close) !== quote) close++;
      if (close >= n) return -1;
      if (kept) {
        const name = s.charCodeAt(p);
        if (special) this.specialAttribute(name, el, s, q + 1, close);
        else this.attribute(name, el, s, q + 1, close);
      }
      p = close + 1;
    }
  }

  /** A kept attribute value with a `<` (refused) or an entity (decoded, then read). */
  private specialAttribute(name: number, el: El, s: string, from: number, to: number): void {
    for (let x = from; x < to; x++) {
      const c = s.charCodeAt(x);
      if (c === 60 /* < */) throw new MalformedXmlError('"<" inside an attribute value');
      if (c === 38 /* & */) {
        const decoded = decodeEntities(utf8(s.slice(from, to)));
        this.attribute(name, el, decoded, 0, decoded.length);
        return;
      }
    }
  }

  /** The end tag whose name is `s[from, to)`: it must close the innermost open element. */
  private close(s: string, from: number, to: number): void {
    const top = this.depth > 0 ? this.stack[--this.depth] : undefined;
    const el = this.elements[this.depth];
    if (top === undefined || el === undefined || ((to - from !== top.length || !s.startsWith(top, from)) && utf8(top) !== utf8(s.slice(from, to)))) {
      // (bytes that differ but decode alike, invalid UTF-8 read as U+FFFD, are the same name to an XML parser)
      const name = utf8(s.slice(from, to));
      throw new MalformedXmlError(top === undefined ? `a stray end tag </${name}>` : `</${name}> closes <${utf8(top)}>`);
    }
    this.closed(el);
  }
}
