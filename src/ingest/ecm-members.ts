// The provider's ECM members as the context rules read them (a ReadonlyMap of CIN → EcmMember),
// packed: a large provider has hundreds of thousands, and an object per member with its own
// copies of the line of business and Lead Care Manager strings made that provider's context the
// largest thing an ingest held (~70 MB for 200k members). Here a member is its CIN's slot in
// typed arrays plus its two name strings; lines and care managers are kept once each. A lookup
// makes the member object the rules expect, which dies young.
import type { EcmMember } from '../filetypes/provider-context.js';

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

export class EcmMembers implements ReadonlyMap<string, EcmMember> {
  private readonly slots = new Map<string, number>();
  private readonly lobs = new Interned();
  private readonly lcms = new Interned();
  private readonly lob: Uint32Array;
  private readonly lcm: Uint32Array;
  private readonly status: Int16Array;
  private readonly flags: Uint8Array;
  private readonly lastNames: string[];
  private readonly firstNames: string[];

  /** @param capacity the most members that will be added */
  constructor(capacity: number) {
    this.lob = new Uint32Array(capacity);
    this.lcm = new Uint32Array(capacity);
    this.status = new Int16Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.lastNames = new Array<string>(capacity);
    this.firstNames = new Array<string>(capacity);
  }

  /** Adds (or, as Map.set does, replaces) a member. */
  set(cin: string, m: EcmMember): this {
    let slot = this.slots.get(cin);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot >= this.lob.length) throw new RangeError(`more members than the ${this.lob.length} announced`);
      this.slots.set(cin, slot);
    }
    this.lob[slot] = this.lobs.id(m.lob);
    this.lcm[slot] = this.lcms.id(m.lcmName);
    this.status[slot] = m.status;
    this.flags[slot] = (m.onLatestMif ? ON_MIF : 0) | (m.enrolledOnLatestMif ? ENROLLED_ON_MIF : 0);
    this.lastNames[slot] = m.lastName;
    this.firstNames[slot] = m.firstName;
    return this;
  }

  get size(): number {
    return this.slots.size;
  }

  has(cin: string): boolean {
    return this.slots.has(cin);
  }

  get(cin: string): EcmMember | undefined {
    const slot = this.slots.get(cin);
    return slot === undefined ? undefined : this.at(slot);
  }

  forEach(fn: (value: EcmMember, key: string, map: ReadonlyMap<string, EcmMember>) => void, thisArg?: unknown): void {
    for (const [cin, slot] of this.slots) fn.call(thisArg, this.at(slot), cin, this);
  }

  *entries(): MapIterator<[string, EcmMember]> {
    for (const [cin, slot] of this.slots) yield [cin, this.at(slot)];
  }

  keys(): MapIterator<string> {
    return this.slots.keys();
  }

  *values(): MapIterator<EcmMember> {
    for (const slot of this.slots.values()) yield this.at(slot);
  }

  [Symbol.iterator](): MapIterator<[string, EcmMember]> {
    return this.entries();
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
    };
  }
}
