// The provider's ECM members as the context rules read them (CIN and line of business →
// EcmMember: a member may be assigned to the provider in two lines, each its own assignment),
// packed: a large provider has hundreds of thousands, and an object per member with its own
// copies of the line of business and Lead Care Manager strings made that provider's context the
// largest thing an ingest held (~70 MB for 200k members). Here a member is its CIN's slot in
// typed arrays plus its two name strings; lines and care managers are kept once each. A lookup
// makes the member object the rules expect, which dies young.
import type { AssignmentSet, EcmMember, EcmMemberIndex } from '../filetypes/provider-context.js';

/** One string per distinct value, numbered in order of arrival. */
class Interned {
  readonly values: (string | null)[] = [];
  private readonly ids = new Map<string | null, number>();
  id(v: string | null): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
    }
    return id;
  }
}

const ON_MIF = 1;
const ENROLLED_ON_MIF = 2;
const REASSIGNED = 4;

export class EcmMembers implements EcmMemberIndex {
  /** A CIN's first slot; its other lines (rare) chain from it through `next`. */
  private readonly slots = new Map<string, number>();
  private next: Int32Array;
  private count = 0;
  private readonly lobs = new Interned();
  private readonly lcms = new Interned();
  private lob: Uint32Array;
  private lcm: Uint32Array;
  private status: Int16Array;
  private flags: Uint8Array;
  private readonly lastNames: string[] = [];
  private readonly firstNames: string[] = [];

  /**
   * @param capacity how many members to make room for at first; more are added by doubling it
   *   (the context packs its members as they arrive, before it knows how many there are)
   */
  constructor(capacity = 1024) {
    const n = Math.max(capacity, 1);
    this.next = new Int32Array(n).fill(-1);
    this.lob = new Uint32Array(n);
    this.lcm = new Uint32Array(n);
    this.status = new Int16Array(n);
    this.flags = new Uint8Array(n);
  }

  /** Adds a member's assignment in its line (or replaces the one it has in that line). */
  set(cin: string, m: EcmMember): this {
    const lob = this.lobs.id(m.lob);
    let slot = this.slots.get(cin);
    if (slot === undefined) {
      slot = this.allocate();
      this.slots.set(cin, slot);
    } else {
      while (this.lob[slot] !== lob && this.next[slot]! !== -1) slot = this.next[slot]!;
      if (this.lob[slot] !== lob) {
        const added = this.allocate();
        this.next[slot] = added;
        slot = added;
      }
    }
    this.lob[slot] = lob;
    this.lcm[slot] = this.lcms.id(m.lcmName);
    this.status[slot] = m.status;
    this.flags[slot] = (m.onLatestMif ? ON_MIF : 0) | (m.enrolledOnLatestMif ? ENROLLED_ON_MIF : 0) | (m.reassigned ? REASSIGNED : 0);
    this.lastNames[slot] = m.lastName;
    this.firstNames[slot] = m.firstName;
    return this;
  }

  private allocate(): number {
    if (this.count === this.lob.length) this.grow(this.count * 2);
    return this.count++;
  }

  private grow(n: number): void {
    const bigger = <A extends Int32Array | Uint32Array | Int16Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.next = bigger(this.next, (k) => new Int32Array(k).fill(-1));
    this.lob = bigger(this.lob, (k) => new Uint32Array(k));
    this.lcm = bigger(this.lcm, (k) => new Uint32Array(k));
    this.status = bigger(this.status, (k) => new Int16Array(k));
    this.flags = bigger(this.flags, (k) => new Uint8Array(k));
  }

  /** Assignments held (a member in two lines counts twice). */
  get size(): number {
    return this.count;
  }

  /** The member's assignment in `lob`; with no line (a row whose line is unreadable), the first one loaded. */
  get(cin: string, lob?: string): EcmMember | undefined {
    const slot = this.slotOf(cin, lob);
    return slot === -1 ? undefined : this.at(slot);
  }

  /**
   * A set of assignments as a byte per slot: a rule marking each member a 200k-row file
   * reports held a Map of 200k entries (a 7 MB table) for it.
   */
  newSet(): AssignmentSet {
    const marks = new Uint8Array(this.count);
    return {
      add: (cin, lob) => {
        const slot = this.slotOf(cin, lob);
        if (slot !== -1) marks[slot] = 1;
      },
      has: (cin, lob) => {
        const slot = this.slotOf(cin, lob);
        return slot !== -1 && marks[slot] === 1;
      },
    };
  }

  private slotOf(cin: string, lob: string | undefined): number {
    let slot = this.slots.get(cin);
    if (slot === undefined) return -1;
    if (lob !== undefined) while (slot !== -1 && this.lobs.values[this.lob[slot]!] !== lob) slot = this.next[slot]!;
    return slot;
  }

  /** Each assignment, a member's lines one after another in the order loaded. */
  *[Symbol.iterator](): IterableIterator<[string, EcmMember]> {
    for (const [cin, first] of this.slots) for (let slot = first; slot !== -1; slot = this.next[slot]!) yield [cin, this.at(slot)];
  }

  private at(slot: number): EcmMember {
    const flags = this.flags[slot]!;
    return {
      lob: this.lobs.values[this.lob[slot]!]!,
      status: this.status[slot]!,
      lastName: this.lastNames[slot]!,
      firstName: this.firstNames[slot]!,
      onLatestMif: (flags & ON_MIF) !== 0,
      enrolledOnLatestMif: (flags & ENROLLED_ON_MIF) !== 0,
      lcmName: this.lcms.values[this.lcm[slot]!] ?? null,
      reassigned: (flags & REASSIGNED) !== 0,
    };
  }
}
