// A streaming zip writer, the little of the format an .xlsx needs (zip.ts is its reader). Each
// entry is deflated as it is written and followed by a data descriptor, so its CRC and sizes
// need not be known before its bytes go out: a worksheet streams straight to the output,
// whatever its size. The central directory is written at the end.
//
// Deflate runs in a zlib stream (libuv's thread pool): while it compresses one chunk, the
// JavaScript thread builds the next one's XML. A part whose text arrives while another entry
// is being written (a sheet's comments, while the sheet streams) is deflated into memory
// (DeflatedPart) and added whole afterwards.
//
// Limits: no ZIP64, so an entry, and the whole archive, stay under 4 GiB (refused beyond).
import zlib from 'node:zlib';

/** Where the archive's bytes go; a returned promise is waited for (backpressure). */
export type ZipSink = (chunk: Buffer) => void | Promise<void>;

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_DEFLATE = 8;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, 2.0: the file attributes below are Unix modes
const UNIX_FILE_MODE = 0o100644;
const MAX_32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;
/** Uncompressed bytes handed to zlib and not yet compressed, before a writer waits. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
const DEFLATE_CHUNK = 64 * 1024;

// zlib.crc32 is native (Node ≥ 20.15); the table is for older Node 20 releases.
const nativeCrc32 = (zlib as unknown as { crc32?: (data: Buffer, value?: number) => number }).crc32;
let table: Int32Array | undefined;
function tableCrc32(data: Buffer, value: number): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = ~value;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
export const crc32 = (data: Buffer, value = 0): number => (nativeCrc32 ? nativeCrc32(data, value) : tableCrc32(data, value));

/** MS-DOS date and time (local fields, 2-second resolution) of an instant, as zip stores it. */
function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.min(2107, Math.max(1980, d.getUTCFullYear()));
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

interface Summary { crc: number; size: number; compressedSize: number }
interface CentralRecord extends Summary { name: Buffer; flags: number; offset: number }

/**
 * Text or bytes deflated as they are written, with their CRC and size: the engine of a
 * streamed entry, or, with no output given, a part kept compressed in memory until added.
 */
export class DeflatedPart {
  private readonly deflate: zlib.DeflateRaw;
  private crc = 0;
  private size = 0;
  private compressedSize = 0;
  private readonly chunks: Buffer[] = [];
  private failure: Error | undefined;
  private readonly finished: Promise<void>;
  /** The output's pending write, while the deflate stream is paused for it. */
  private outputPending: Promise<void> | undefined;

  constructor(level: number, private readonly output?: ZipSink) {
    this.deflate = zlib.createDeflateRaw({ level, chunkSize: DEFLATE_CHUNK });
    this.deflate.on('data', (c: Buffer) => this.take(c));
    this.finished = new Promise<void>((resolve, reject) => {
      this.deflate.once('end', resolve);
      this.deflate.once('error', (e: Error) => {
        this.failure = e;
        reject(e);
      });
    });
    this.finished.catch(() => undefined); // surfaced by write/end
  }

  private take(c: Buffer): void {
    this.compressedSize += c.length;
    if (!this.output) {
      this.chunks.push(c);
      return;
    }
    let pending: void | Promise<void>;
    try {
      pending = this.output(c);
    } catch (e) {
      pending = Promise.reject(e as Error);
    }
    if (pending) {
      this.deflate.pause();
      this.outputPending = pending.then(
        () => {
          this.outputPending = undefined;
          this.deflate.resume();
        },
        (e: Error) => {
          this.failure = e;
          this.deflate.destroy(e);
        },
      );
    }
  }

  /** Adds text (UTF-8) or bytes; resolves at once unless zlib is far behind. */
  write(data: string | Buffer): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return undefined;
    this.crc = crc32(buf, this.crc);
    this.size += buf.length;
    if (this.size > MAX_32) return Promise.reject(new Error('a zip entry over 4 GiB (ZIP64 is not supported)'));
    const ok = this.deflate.write(buf);
    if (ok || this.deflate.writableLength < MAX_PENDING_BYTES) return undefined;
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.deflate.off('error', fail);
        resolve();
      };
      const fail = (e: Error) => {
        this.deflate.off('drain', done);
        reject(e);
      };
      this.deflate.once('drain', done);
      this.deflate.once('error', fail);
    });
  }

  /** Ends the deflate stream; resolves once every compressed byte was handed on. */
  async end(): Promise<Summary & { chunks: Buffer[] }> {
    this.deflate.end();
    await this.finished;
    await this.outputPending;
    if (this.failure) throw this.failure;
    return { crc: this.crc, size: this.size, compressedSize: this.compressedSize, chunks: this.chunks };
  }

  /** Stops the stream (the archive is abandoned). */
  destroy(): void {
    this.deflate.destroy();
  }
}

export class ZipWriter {
  private offset = 0;
  private readonly central: CentralRecord[] = [];
  private readonly dos: { date: number; time: number };
  private open: DeflatedPart | undefined;

  /**
   * @param sink where the archive's bytes go, in order
   * @param level deflate level (1-9)
   * @param modified the entries' modification time (the caller's clock: nothing here reads the wall clock)
   */
  constructor(private readonly sink: ZipSink, readonly level: number, modified: Date) {
    this.dos = dosDateTime(modified);
  }

  private async put(buf: Buffer): Promise<void> {
    this.offset += buf.length;
    await this.sink(buf);
  }

  /** Output for a streamed entry: counted, handed on, awaited by DeflatedPart's backpressure. */
  private readonly streamOut: ZipSink = (buf) => {
    this.offset += buf.length;
    return this.sink(buf);
  };

  private localHeader(name: Buffer, flags: number, s: Summary): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(LOCAL_HEADER, 0);
    this.entryFields(h, 4, flags, s);
    h.writeUInt16LE(name.length, 26);
    // extra field length: 0
    return Buffer.concat([h, name]);
  }

  /** The run of fields a local header (at 4) and a central directory header (at 6) share: version needed to the sizes. */
  private entryFields(h: Buffer, at: number, flags: number, s: Summary): void {
    h.writeUInt16LE(VERSION_NEEDED, at);
    h.writeUInt16LE(flags, at + 2);
    h.writeUInt16LE(METHOD_DEFLATE, at + 4);
    h.writeUInt16LE(this.dos.time, at + 6);
    h.writeUInt16LE(this.dos.date, at + 8);
    h.writeUInt32LE(s.crc, at + 10);
    h.writeUInt32LE(s.compressedSize, at + 14);
    h.writeUInt32LE(s.size, at + 18);
  }

  private record(name: Buffer, flags: number, offset: number, s: Summary): void {
    if (this.central.length >= MAX_ENTRIES) throw new Error('more zip entries than a zip without ZIP64 holds');
    if (offset > MAX_32 || s.compressedSize > MAX_32) throw new Error('a zip archive over 4 GiB (ZIP64 is not supported)');
    this.central.push({ name, flags, offset, ...s });
  }

  private assertIdle(): void {
    if (this.open) throw new Error('a zip entry is still being written');
  }

  /**
   * Starts a streamed entry: write its text with `write` (awaiting what it returns), then
   * `end`. One entry at a time.
   */
  async begin(name: string): Promise<{ write: (data: string | Buffer) => Promise<void> | undefined; end: () => Promise<void> }> {
    this.assertIdle();
    const nameBytes = Buffer.from(name, 'utf8');
    const flags = FLAG_DATA_DESCRIPTOR | FLAG_UTF8;
    const offset = this.offset;
    await this.put(this.localHeader(nameBytes, flags, { crc: 0, size: 0, compressedSize: 0 }));
    const part = new DeflatedPart(this.level, this.streamOut);
    this.open = part;
    return {
      write: (data) => part.write(data),
      end: async () => {
        const s = await part.end();
        this.open = undefined;
        const d = Buffer.alloc(16);
        d.writeUInt32LE(DATA_DESCRIPTOR, 0);
        d.writeUInt32LE(s.crc, 4);
        d.writeUInt32LE(s.compressedSize, 8);
        d.writeUInt32LE(s.size, 12);
        await this.put(d);
        this.record(nameBytes, flags, offset, s);
      },
    };
  }

  /** A part deflated in memory (DeflatedPart without an output), added whole. */
  async addDeflated(name: string, part: DeflatedPart): Promise<void> {
    this.assertIdle();
    const s = await part.end();
    const nameBytes = Buffer.from(name, 'utf8');
    const offset = this.offset;
    await this.put(this.localHeader(nameBytes, FLAG_UTF8, s));
    for (const c of s.chunks) await this.put(c);
    this.record(nameBytes, FLAG_UTF8, offset, s);
  }

  /** A small part known whole. */
  async add(name: string, text: string): Promise<void> {
    const part = new DeflatedPart(this.level);
    await part.write(text);
    await this.addDeflated(name, part);
  }

  /** Writes the central directory: the archive is complete. */
  async finish(): Promise<void> {
    this.assertIdle();
    const start = this.offset;
    for (const e of this.central) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(CENTRAL_HEADER, 0);
      h.writeUInt16LE(VERSION_MADE_BY, 4);
      this.entryFields(h, 6, e.flags, e);
      h.writeUInt16LE(e.name.length, 28);
      // extra field, comment length, disk number, internal attributes: 0
      h.writeUInt32LE((UNIX_FILE_MODE << 16) >>> 0, 38);
      h.writeUInt32LE(e.offset, 42);
      await this.put(Buffer.concat([h, e.name]));
    }
    const size = this.offset - start;
    if (start > MAX_32 || this.offset > MAX_32) throw new Error('a zip archive over 4 GiB (ZIP64 is not supported)');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
    end.writeUInt16LE(this.central.length, 8);
    end.writeUInt16LE(this.central.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(start, 16);
    await this.put(end);
  }

  /** Stops an entry being written (the archive is abandoned after a failure). */
  abort(): void {
    this.open?.destroy();
    this.open = undefined;
  }
}
