// Random access to the parts of an in-memory .xlsx package (a zip), shared by the guard and
// the reader. yauzl reads the central directory, so parts can be taken in whatever order we
// need, whatever order the writing application stored them in.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import yauzl from 'yauzl';

export interface ZipPart {
  /** The entry name as stored (decoded: UTF-8 when flagged, else Latin-1). */
  name: string;
  entry: yauzl.Entry;
}

export interface OpenedZip {
  zip: yauzl.ZipFile;
  /** Number of entries the end-of-central-directory record declares. */
  entryCount: number;
  close(): void;
}

const ZIP_UTF8_FLAG = 0x800;

export function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer | string;
  if (typeof raw === 'string') return raw;
  return raw.toString(entry.generalPurposeBitFlag & ZIP_UTF8_FLAG ? 'utf8' : 'latin1');
}

/** Opens a zip held in memory. Names are not validated here (the guard does, with its own codes). */
export async function openZip(bytes: Buffer): Promise<OpenedZip> {
  const zip = await yauzl.fromBufferPromise(bytes, {
    lazyEntries: true,
    decodeStrings: false,
    validateEntrySizes: true,
    strictFileNames: false,
  });
  return {
    zip,
    entryCount: zip.entryCount,
    close: () => {
      try {
        zip.close();
      } catch {
        /* already closed */
      }
    },
  };
}

/** Every entry of the central directory, stopping with an error past `max` entries. */
export async function listParts(opened: OpenedZip, max = Number.POSITIVE_INFINITY): Promise<ZipPart[]> {
  const parts: ZipPart[] = [];
  for await (const entry of opened.zip.eachEntry()) {
    if (parts.length >= max) throw new Error(`more than ${max} zip entries`);
    parts.push({ name: entryName(entry), entry });
  }
  return parts;
}

export function openPartStream(opened: OpenedZip, part: ZipPart): Promise<Readable> {
  return opened.zip.openReadStreamPromise(part.entry);
}

/**
 * A part's text as UTF-8 string chunks. Multi-byte characters split across inflate chunks
 * are carried over to the next chunk (a StringDecoder), never mangled; a leading BOM is dropped.
 */
export async function* partText(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let first = true;
  try {
    for await (const chunk of stream) {
      let s = decoder.write(chunk as Buffer);
      if (first && s.length > 0) {
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
        first = false;
      }
      if (s.length > 0) yield s;
    }
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  } finally {
    stream.destroy();
  }
}
