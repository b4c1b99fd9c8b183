// A batch of staged rows as COPY text-format lines, written as UTF-8 bytes into a reusable
// buffer outside the JS heap. Each row's line dies as soon as it is copied in, so a batch never
// holds thousands of strings long enough for the garbage collector to copy them into the old
// generation (that copying was ~10% of a large file's ingest time).
//
// Two buffers take turns: a batch is sent to Postgres in full before the batch after the next
// one is started (the pipeline keeps one batch in flight), so a buffer is only rewritten once
// its bytes have gone.
export class StagingBuffer {
  private buf: Buffer;
  private other: Buffer;
  private length = 0;
  /** Rows in the batch being built. */
  rows = 0;

  constructor(initialBytes = 1024 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.other = Buffer.allocUnsafe(initialBytes);
  }

  /** Appends one row's line (without its newline: added here). */
  add(line: string): void {
    // worst case 3 bytes of UTF-8 per UTF-16 unit, plus the newline
    this.ensure(this.length + line.length * 3 + 1);
    this.length += this.buf.write(line, this.length, 'utf8');
    this.buf[this.length++] = 0x0a;
    this.rows++;
  }

  /**
   * The batch's bytes (a view of the buffer, valid until the batch after next is started), and
   * an empty batch to fill; null when no row was added.
   */
  take(): Buffer | null {
    if (this.rows === 0) return null;
    const out = this.buf.subarray(0, this.length);
    [this.buf, this.other] = [this.other, this.buf];
    this.length = 0;
    this.rows = 0;
    return out;
  }

  private ensure(bytes: number): void {
    if (bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(bytes, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}
