// Random access to the parts of an in-memory .xlsx package (a zip), shared by the guard and
// the reader. yauzl reads the central directory, so parts can be taken in whatever order we
// need, whatever order the writing application stored them in.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import yauzl from 'yauzl';

export interface ZipPart {
  /** The entry name as stored (decoded: UTF-8 when flagged, else Latin-1). */
  name: string;
  entry: yauzl.Entry;
}

export interface OpenedZip {
  zip: yauzl.ZipFile;
  /** The whole package, as given to openZip. */
  bytes: Buffer;
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
    bytes,
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
 * A part's text as UTF-8 string chunks, from its bytes (openPartStream or partBytes). Multi-byte
 * characters split across inflate chunks are carried over to the next chunk (a StringDecoder),
 * never mangled; a leading BOM is dropped.
 */
export async function* partText(stream: AsyncIterable<Buffer> | Readable): AsyncGenerator<string> {
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
    if ('destroy' in stream) stream.destroy();
  }
}

// Inflate output per threadpool job. zlib's default (16 KiB) costs a round trip between the
// main thread and the threadpool, and a stream hop, per 16 KiB: for an 83 MB worksheet that
// overhead was 5-10× the inflating itself. With 256 KiB the whole part inflates in ~0.1 s.
const INFLATE_CHUNK = 256 * 1024;
// Inflated bytes that may wait for the reader: the next chunks inflate in the threadpool while
// the reader scans this one (on another core), and no more than this is held.
const INFLATE_AHEAD = 4 * INFLATE_CHUNK;

/**
 * A part's bytes, inflated in large chunks, for the parts whose size matters (worksheets,
 * shared strings). yauzl reads and checks the local header; the compressed bytes are then a
 * view of the package, inflated without yauzl's chain of streams. As yauzl's
 * validateEntrySizes does, more or fewer bytes than the central directory declares is an
 * error (the guard's bomb checks rely on the declared sizes).
 */
export async function* partBytes(opened: OpenedZip, part: ZipPart): AsyncGenerator<Buffer> {
  const { entry } = part;
  if (entry.generalPurposeBitFlag & 0x1) throw new Error('entry is encrypted');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw new Error(`unsupported compression method: ${entry.compressionMethod}`);
  const { fileDataStart } = await opened.zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const data = opened.bytes.subarray(fileDataStart, fileDataStart + entry.compressedSize);
  const expected = entry.uncompressedSize;
  if (entry.compressionMethod === 0) {
    for (let i = 0; i < data.length; i += INFLATE_CHUNK) yield data.subarray(i, Math.min(data.length, i + INFLATE_CHUNK));
    return;
  }
  // (zlib passes stream options through to its Transform; @types/node leaves them out)
  const inflater = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK, readableHighWaterMark: INFLATE_AHEAD } as zlib.ZlibOptions);
  let total = 0;
  try {
    inflater.end(data);
    for await (const chunk of inflater) {
      total += (chunk as Buffer).length;
      if (total > expected) throw new Error(`too many bytes in the stream. expected ${expected}. got at least ${total}`);
      yield chunk as Buffer;
    }
    if (total < expected) throw new Error(`not enough bytes in the stream. expected ${expected}. got only ${total}`);
  } finally {
    inflater.destroy();
  }
}
