// HEAP_GROWTH_PERCENT: validated like every setting, and turned into the one V8 flag it stands for.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { applyHeapGrowth, heapGrowthFlag } from '../../src/heap.js';

describe('HEAP_GROWTH_PERCENT', () => {
  it.each([
    [0, undefined],
    [50, '--heap-growing-percent=50'],
    [300, '--heap-growing-percent=300'],
  ])('%i → %s', (percent, flag) => {
    expect(heapGrowthFlag(percent)).toBe(flag);
  });

  it('defaults to 50 and is applied as a V8 flag; 0 leaves V8 its own rule', () => {
    const set: string[] = [];
    applyHeapGrowth(loadConfig({}), (f) => set.push(f));
    applyHeapGrowth(loadConfig({ HEAP_GROWTH_PERCENT: '0' }), (f) => set.push(f));
    expect(set).toEqual(['--heap-growing-percent=50']);
  });

  it.each(['-1', '301', 'lots', '12.5'])('refuses %s, naming the variable', (v) => {
    const err = (() => {
      try {
        loadConfig({ HEAP_GROWTH_PERCENT: v });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('HEAP_GROWTH_PERCENT');
  });
});
