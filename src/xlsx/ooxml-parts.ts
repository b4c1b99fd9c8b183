// The small parts of an .xlsx package around the worksheets, for writer.ts: content types,
// relationships, workbook, core properties, the one style sheet, and a sheet's comments with
// the legacy VML drawing that Excel and LibreOffice need to show them. Text is escaped here
// (xmlText / xmlAttr) the way Excel does, so that our reader (reader.ts), openpyxl, Excel and
// LibreOffice all read back the characters written.

// ---------------------------------------------------------------------------------------
// Escaping

const HEX4 = (c: number) => c.toString(16).toUpperCase().padStart(4, '0');

// In text: the markup characters; CR as a character reference (a raw CR would be read as LF,
// XML's end-of-line rule); characters XML 1.0 cannot carry at all (C0 controls but tab and LF,
// U+FFFE, U+FFFF) as OOXML's `_xHHHH_` escape, which Excel, LibreOffice and our reader
// decode; a literal `_xHHHH_` in the text gets its underscore escaped (`_x005F_`), as Excel
// does, so it is not decoded. A lone surrogate (not Unicode text) becomes U+FFFD.
// eslint-disable-next-line no-control-regex
const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|_(?=x[0-9A-Fa-f]{4}_)/g;
// In attributes, also the quote and the whitespace that attribute normalisation would turn into spaces.
// eslint-disable-next-line no-control-regex
const ATTR_SPECIAL = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|_(?=x[0-9A-Fa-f]{4}_)/g;

function replacement(ch: string): string {
  switch (ch) {
    case '&': return '&amp;';
    case '<': return '&lt;';
    case '>': return '&gt;';
    case '"': return '&quot;';
    case '\t': return '&#9;';
    case '\n': return '&#10;';
    case '\r': return '&#13;';
    case '_': return '_x005F_';
  }
  const c = ch.charCodeAt(0);
  return c >= 0xd800 && c <= 0xdfff ? '\uFFFD' : `_x${HEX4(c)}_`;
}

// The quick test for the common case, text that needs nothing (one character class, no look-around).
// eslint-disable-next-line no-control-regex
const MAYBE_SPECIAL = /[&<>"_\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Element text. */
export function xmlText(s: string): string {
  return MAYBE_SPECIAL.test(s) ? s.replace(TEXT_SPECIAL, replacement) : s;
}

/** An attribute value (in double quotes). */
export function xmlAttr(s: string): string {
  return MAYBE_SPECIAL.test(s) ? s.replace(ATTR_SPECIAL, replacement) : s;
}

/** `<t>` with xml:space="preserve" when leading or trailing whitespace must survive (Excel trims it otherwise). */
export function tElement(text: string): string {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first <= 32 || last <= 32 ? `<t xml:space="preserve">${xmlText(text)}</t>` : `<t>${xmlText(text)}</t>`;
}

// ---------------------------------------------------------------------------------------
// Namespaces and the package parts

export const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument';

export const WORKSHEET_OPEN = `${XML_DECL}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_R}">`;

export function contentTypes(sheetCount: number, commentSheets: readonly number[]): string {
  const sheets = Array.from({ length: sheetCount }, (_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${CT}.spreadsheetml.worksheet+xml"/>`).join('');
  const comments = commentSheets.map((n) => `<Override PartName="/xl/comments${n}.xml" ContentType="${CT}.spreadsheetml.comments+xml"/>`).join('');
  return `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
    + `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`
    + `<Default Extension="xml" ContentType="application/xml"/>`
    + (commentSheets.length ? `<Default Extension="vml" ContentType="${CT}.vmlDrawing"/>` : '')
    + `<Override PartName="/xl/workbook.xml" ContentType="${CT}.spreadsheetml.sheet.main+xml"/>`
    + `<Override PartName="/xl/styles.xml" ContentType="${CT}.spreadsheetml.styles+xml"/>`
    + sheets + comments
    + `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`
    + `</Types>`;
}

export const ROOT_RELS = `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">`
  + `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/>`
  + `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>`
  + `</Relationships>`;

/** W3CDTF to the second, as Excel writes it. */
const w3cdtf = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export function coreProperties(creator: string, created: Date): string {
  return `${XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
    + `<dc:creator>${xmlText(creator)}</dc:creator><cp:lastModifiedBy>${xmlText(creator)}</cp:lastModifiedBy>`
    + `<dcterms:created xsi:type="dcterms:W3CDTF">${w3cdtf(created)}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${w3cdtf(created)}</dcterms:modified>`
    + `</cp:coreProperties>`;
}

export function workbook(sheets: readonly { name: string; hidden: boolean }[]): string {
  const list = sheets.map((s, i) => `<sheet name="${xmlAttr(s.name)}"${s.hidden ? ' state="hidden"' : ''} sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  return `${XML_DECL}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_R}"><workbookPr/><bookViews><workbookView/></bookViews><sheets>${list}</sheets></workbook>`;
}

export function workbookRels(sheetCount: number): string {
  const sheets = Array.from({ length: sheetCount }, (_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('');
  return `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">${sheets}<Relationship Id="rId${sheetCount + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`;
}

/** A sheet's relationships when it has comments: the comments part (rId1) and its VML drawing (rId2). */
export function sheetCommentRels(n: number): string {
  return `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">`
    + `<Relationship Id="rId1" Type="${REL}/comments" Target="../comments${n}.xml"/>`
    + `<Relationship Id="rId2" Type="${REL}/vmlDrawing" Target="../drawings/vmlDrawing${n}.vml"/>`
    + `</Relationships>`;
}
export const LEGACY_DRAWING = '<legacyDrawing r:id="rId2"/>';

// ---------------------------------------------------------------------------------------
// Styles: one fixed table, declared once. A cell's style is its number format × alignment ×
// flagged or not (24 combinations), or the header's.

/** Number formats: General, text (@), the date format, whole number (0). */
export const Fmt = { General: 0, Text: 1, Date: 2, Int: 3 } as const;
export type Fmt = (typeof Fmt)[keyof typeof Fmt];
/** Alignment: none, top (a sheet with wrapped columns reads from the top), top and wrapped. */
export const Align = { None: 0, Top: 1, TopWrap: 2 } as const;
export type Align = (typeof Align)[keyof typeof Align];

export const DATE_FORMAT = 'mm/dd/yyyy';
const DATE_NUMFMT_ID = 164;
const NUMFMT_IDS = [0, 49, DATE_NUMFMT_ID, 1];
const FMT_COUNT = 4;
const ALIGN_COUNT = 3;

/** The cellXfs index of a data cell's style (0, the default, for a plain unflagged cell). */
export function styleIndex(fmt: Fmt, align: Align, flagged: boolean): number {
  if (!flagged && fmt === Fmt.General && align === Align.None) return 0;
  return 1 + ((flagged ? FMT_COUNT : 0) + fmt) * ALIGN_COUNT + align;
}
export const HEADER_STYLE = 1 + 2 * FMT_COUNT * ALIGN_COUNT;

// Named fonts: a bare <b/> leaves the face to the reader, and LibreOffice then falls back to a serif.
const FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>';
const HEADER_FILL = 'FFDDEBF7';
const HEADER_BORDER = 'FF8EA9DB';
/** Excel's own "Bad" cell style colours: a cell to fix. */
const FLAG_FILL = 'FFFFC7CE';
const FLAG_FONT_COLOR = 'FF9C0006';

function xf(numFmt: number, font: number, fill: number, border: number, align: Align): string {
  const applies = `${numFmt ? ' applyNumberFormat="1"' : ''}${font ? ' applyFont="1"' : ''}${fill ? ' applyFill="1"' : ''}${border ? ' applyBorder="1"' : ''}`;
  const head = `<xf numFmtId="${numFmt}" fontId="${font}" fillId="${fill}" borderId="${border}" xfId="0"${applies}`;
  if (align === Align.None) return `${head}/>`;
  return `${head} applyAlignment="1"><alignment vertical="top"${align === Align.TopWrap ? ' wrapText="1"' : ''}/></xf>`;
}

export function styles(): string {
  const xfs = [xf(0, 0, 0, 0, Align.None)];
  for (const flagged of [false, true])
    for (let f = 0; f < FMT_COUNT; f++)
      for (let a = 0; a < ALIGN_COUNT; a++) xfs.push(flagged ? xf(NUMFMT_IDS[f]!, 2, 3, 0, a as Align) : xf(NUMFMT_IDS[f]!, 0, 0, 0, a as Align));
  xfs.push(xf(0, 1, 2, 1, Align.TopWrap)); // HEADER_STYLE
  return `${XML_DECL}<styleSheet xmlns="${NS_MAIN}">`
    + `<numFmts count="1"><numFmt numFmtId="${DATE_NUMFMT_ID}" formatCode="${DATE_FORMAT}"/></numFmts>`
    + `<fonts count="3"><font>${FONT}</font><font><b/>${FONT}</font><font><color rgb="${FLAG_FONT_COLOR}"/>${FONT}</font></fonts>`
    + `<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>`
    + `<fill><patternFill patternType="solid"><fgColor rgb="${HEADER_FILL}"/><bgColor indexed="64"/></patternFill></fill>`
    + `<fill><patternFill patternType="solid"><fgColor rgb="${FLAG_FILL}"/><bgColor indexed="64"/></patternFill></fill></fills>`
    + `<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>`
    + `<border><left/><right/><top/><bottom style="thin"><color rgb="${HEADER_BORDER}"/></bottom><diagonal/></border></borders>`
    + `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`
    + `<cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs>`
    + `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>`
    + `<dxfs count="0"/><tableStyles count="0"/>`
    + `</styleSheet>`;
}

// ---------------------------------------------------------------------------------------
// Comments: the comments part holds the text; the VML drawing positions each note's box
// (hidden until the cell is pointed at), without which Excel and LibreOffice do not show it.

export const COMMENTS_OPEN = `${XML_DECL}<comments xmlns="${NS_MAIN}"><authors><author>calaim-exchange</author></authors><commentList>`;
export const COMMENTS_CLOSE = '</commentList></comments>';
export const comment = (ref: string, text: string) => `<comment ref="${ref}" authorId="0"><text><r>${tElement(text)}</r></text></comment>`;

/**
 * The drawing's header; `firstShape` is its first shape's id. Shape ids run on across the
 * workbook's drawings (unique, as Excel wants them); the idmap names the block of 1,024 ids the
 * drawing starts in.
 */
export const vmlOpen = (firstShape: number) => '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
  + `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${Math.floor(firstShape / 1024)}"/></o:shapelayout>`
  + '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>';
export const VML_CLOSE = '</xml>';

/** The note box (shape `id`, the drawing's `index`th) of the comment at 0-based `row`, `col`: beside the cell, two columns wide, four rows tall. */
export function vmlShape(id: number, index: number, row: number, col: number): string {
  return `<v:shape id="_x0000_s${id}" type="#_x0000_t202" style="position:absolute;margin-left:105.3pt;margin-top:10.5pt;width:97.8pt;height:59.1pt;z-index:${index + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">`
    + '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
    + '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/></v:textbox>'
    + `<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${col + 1}, 15, ${Math.max(0, row - 1)}, 10, ${col + 3}, 15, ${row + 3}, 4</x:Anchor>`
    + `<x:AutoFill>False</x:AutoFill><x:Row>${row}</x:Row><x:Column>${col}</x:Column></x:ClientData></v:shape>`;
}
