import { describe, expect, it } from 'vitest';
import type { EcmMember } from '../../src/filetypes/provider-context.js';
import { EcmMembers } from '../../src/ingest/ecm-members.js';

const member = (i: number): EcmMember => ({
  lob: ['HN', 'CV', 'CHPIV'][i % 3]!, status: (i % 5) + 1, lastName: `Last ${i}`, firstName: `First ${i}`,
  onLatestMif: i % 2 === 0, enrolledOnLatestMif: i % 4 === 0, lcmName: i % 7 === 0 ? null : `LCM ${i % 11}`, reassigned: i % 9 === 0,
});

describe('EcmMembers', () => {
  it('with one line per member, answers every lookup and iteration as a Map of the same members would', () => {
    const map = new Map<string, EcmMember>();
    const packed = new EcmMembers(100);
    for (let i = 0; i < 100; i++) {
      const cin = `9${String(i).padStart(7, '0')}A`;
      map.set(cin, member(i));
      packed.set(cin, member(i));
    }
    // the same CIN in the same line again replaces it, in its first place
    map.set('90000003A', member(51));
    packed.set('90000003A', member(51));
    expect(packed.size).toBe(map.size);
    expect([...packed]).toEqual([...map]);
    expect(packed.get('90000007A')).toEqual(map.get('90000007A'));
    expect(packed.get('90000007A', map.get('90000007A')!.lob)).toEqual(map.get('90000007A'));
    expect(packed.get('nope')).toBeUndefined();
  });

  it("keeps a member's assignment in each line of business: looked up by line, each one iterated", () => {
    const packed = new EcmMembers(3);
    packed.set('91000007G', { ...member(0), lob: 'HN', status: 3 });
    packed.set('91000007G', { ...member(1), lob: 'CV', status: 1 });
    packed.set('91000008H', { ...member(2), lob: 'CV' });
    // the same member and line again replaces that line's entry only
    packed.set('91000007G', { ...member(1), lob: 'CV', status: 2 });
    expect(packed.get('91000007G', 'HN')).toMatchObject({ lob: 'HN', status: 3 });
    expect(packed.get('91000007G', 'CV')).toMatchObject({ lob: 'CV', status: 2 });
    expect(packed.get('91000007G', 'CHPIV')).toBeUndefined();
    expect(packed.get('91000008H', 'HN')).toBeUndefined();
    // with no line (a row whose line is unreadable): the first one loaded
    expect(packed.get('91000007G')).toMatchObject({ lob: 'HN' });
    expect([...packed].map(([cin, m]) => `${cin}:${m.lob}:${m.status}`)).toEqual(['91000007G:HN:3', '91000007G:CV:2', '91000008H:CV:3']);
    expect(packed.size).toBe(3);
  });

  it('grows past the room it was made with (the context packs members before it knows how many), keeping every one', () => {
    const packed = new EcmMembers(1);
    const map = new Map<string, EcmMember>();
    for (let i = 0; i < 1000; i++) {
      const cin = `9${String(i).padStart(7, '0')}B`;
      map.set(cin, member(i));
      packed.set(cin, member(i));
      // a second line for some members: chained from the first slot, across the copies
      if (i % 97 === 0) packed.set(cin, { ...member(i + 1), lob: member(i).lob === 'HN' ? 'CV' : 'HN' });
    }
    expect([...packed].filter(([cin, m]) => map.get(cin)!.lob === m.lob)).toEqual([...map]);
    expect(packed.size).toBe(1000 + 11);
    expect(packed.get('90000097B', member(97).lob === 'HN' ? 'CV' : 'HN')).toMatchObject({ status: member(98).status });
    const marks = packed.newSet();
    marks.add('90000999B', member(999).lob);
    expect(marks.has('90000999B', member(999).lob)).toBe(true);
    expect(marks.has('90000998B', member(998).lob)).toBe(false);
  });

  it('a set of its assignments holds each (member, line) added, and only assignments the index has', () => {
    const packed = new EcmMembers(3);
    packed.set('91000007G', { ...member(0), lob: 'HN' }).set('91000007G', { ...member(1), lob: 'CV' }).set('91000008H', { ...member(2), lob: 'CV' });
    const a = packed.newSet();
    const b = packed.newSet();
    a.add('91000007G', 'CV');
    a.add('91000009J', 'HN'); // not the provider's member: nothing to hold
    a.add('91000008H', 'HN'); // the member, but not in that line
    const held = (s: typeof a) => [['91000007G', 'HN'], ['91000007G', 'CV'], ['91000008H', 'CV'], ['91000008H', 'HN'], ['91000009J', 'HN']].filter(([c, l]) => s.has(c!, l!));
    expect(held(a)).toEqual([['91000007G', 'CV']]);
    // each set is its own
    expect(held(b)).toEqual([]);
    b.add('91000008H', 'CV');
    b.add('91000007G', 'HN');
    expect(held(b)).toEqual([['91000007G', 'HN'], ['91000008H', 'CV']]);
    expect(held(a)).toEqual([['91000007G', 'CV']]);
  });
});
