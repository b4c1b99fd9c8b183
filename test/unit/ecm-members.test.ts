import { describe, expect, it } from 'vitest';
import type { EcmMember } from '../../src/filetypes/provider-context.js';
import { EcmMembers } from '../../src/ingest/ecm-members.js';

const member = (i: number): EcmMember => ({
  lob: ['HN', 'CV', 'CHPIV'][i % 3]!, status: (i % 5) + 1, lastName: `Last ${i}`, firstName: `First ${i}`,
  onLatestMif: i % 2 === 0, enrolledOnLatestMif: i % 4 === 0, lcmName: i % 7 === 0 ? null : `LCM ${i % 11}`,
});

describe('EcmMembers', () => {
  it('answers every lookup and iteration as a Map of the same members would', () => {
    const map = new Map<string, EcmMember>();
    const packed = new EcmMembers(100);
    for (let i = 0; i < 100; i++) {
      const cin = `9${String(i).padStart(7, '0')}A`;
      map.set(cin, member(i));
      packed.set(cin, member(i));
    }
    // as Map.set does: the same CIN again replaces it, in its first place
    map.set('90000003A', member(50));
    packed.set('90000003A', member(50));
    expect(packed.size).toBe(map.size);
    expect([...packed]).toEqual([...map]);
    expect([...packed.keys()]).toEqual([...map.keys()]);
    expect([...packed.values()]).toEqual([...map.values()]);
    expect(packed.get('90000007A')).toEqual(map.get('90000007A'));
    expect(packed.get('nope')).toBeUndefined();
    expect(packed.has('90000099A')).toBe(true);
    const seen: string[] = [];
    packed.forEach((m, cin) => seen.push(`${cin}:${m.lob}`));
    expect(seen).toEqual([...map].map(([cin, m]) => `${cin}:${m.lob}`));
  });

  it('refuses more members than announced (the capacity is the length of the query result)', () => {
    const packed = new EcmMembers(1);
    packed.set('A', member(1));
    expect(() => packed.set('B', member(2))).toThrow(RangeError);
  });
});
