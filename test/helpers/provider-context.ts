// A provider context for the context rules' unit tests, as loadProviderContext would load it for
// ACME with nothing on file: no members, no replaced identities, an HN ECM contract. A test sets
// what its rule reads.
import type { ProviderContext } from '../../src/filetypes/provider-context.js';
import { OutreachAttempts } from '../../src/filetypes/outreach-attempts.js';
import { EcmMembers } from '../../src/ingest/ecm-members.js';

export const providerContext = (set: Partial<ProviderContext> = {}): ProviderContext => ({
  code: 'ACME', npi: '1245678903', tin: '123456789', name: 'Acme', sftpFolder: 'ACME', previousIdentities: { npis: new Map(), tins: new Map() },
  ecmLobs: new Set(['HN']), csLobs: new Set(), ecm: new EcmMembers(0), csasf: new Map(), csasfSent: false, outreach: new OutreachAttempts(), ineligible: new Map(), leftLine: new Map(),
  ...set,
});
