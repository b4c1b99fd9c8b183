// Which remote folders a provider's files are taken from and published to.
import { describe, expect, it } from 'vitest';
import { providerFolders } from '../../src/sftp/pickup.js';

describe('providerFolders', () => {
  it("keeps every provider inside its own folder under the root", () => {
    expect(providerFolders('/', 'ACME')).toEqual({
      root: '/ACME',
      uploads: '/ACME/uploads',
      downloads: '/ACME/downloads',
      processed: '/ACME/uploads/processed',
      failed: '/ACME/uploads/failed',
    });
  });

  it("refuses a folder name that would reach another provider's folder or the root", () => {
    for (const bad of ['../RIVAL', 'ACME/../RIVAL', 'RIVAL/uploads', '..', '.', '', '/RIVAL', 'A\0B'])
      expect(() => providerFolders('/', bad), JSON.stringify(bad)).toThrow(/single folder name/);
  });
});
