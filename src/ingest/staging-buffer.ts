// A batch of staged rows as one JSON array, written as UTF-8 bytes into a reusable buffer
// outside the JS heap. Each row's JSON string dies as soon as it is copied in, so a batch
// never holds thousands of strings long enough for the garbage collector to copy them into
// the old generation (that copying was ~10% of a large file's ingest time).
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

  /** Appends one row's JSON (an object or array literal). */
  add(json: string): void {
    // worst case 3 bytes of UTF-8 per UTF-16 unit, plus the separator and the closing bracket
    this.ensure(this.length + json.length * 3 + 2);
    this.buf[this.length++] = this.rows === 0 ? 0x5b /* [ */ : 0x2c /* , */;
    this.length += this.buf.write(json, this.length, 'utf8');
    this.rows++;
  }

  /**
   * The batch as a JSON array (a view of the buffer, valid until the batch after next is
   * started), and an empty batch to fill; null when no row was added.
   */
  take(): Buffer | null {
    if (this.rows === 0) return null;
    this.buf[this.length++] = 0x5d; // ]
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
