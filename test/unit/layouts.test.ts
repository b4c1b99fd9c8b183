import { describe, expect, it } from 'vitest';
import { CSASF, CSPRTF, INBOUND_LAYOUTS, LAYOUTS, MIF, OTF, RTF, codesFor, layoutByName, matchHeader } from '../../schemas/index.js';
import { config } from './validate-helpers.js';

// spec/layouts.md, column by column in file order: label and Req/Cond/Opt.
const SPEC: Record<string, [string, 'req' | 'cond' | 'opt'][]> = {
  RTF: [
    ['Primary Payer (MCP) Identifier', 'req'], ['MCP Name', 'opt'], ['Member Client Index Number (CIN)', 'req'], ['Member Last Name', 'req'],
    ['Member First Name', 'req'], ['Member New Address Indicator', 'opt'], ['Member Homelessness Indicator', 'opt'], ['Member Residential Address', 'cond'],
    ['Member Residential City', 'cond'], ['Member Residential State', 'cond'], ['Member Residential Zip', 'cond'], ['Member New Phone Number Indicator', 'opt'],
    ['Member Phone Number', 'cond'], ['Member POF Indicator', 'opt'], ['Member POF', 'cond'], ['Member ECM Status', 'req'], ['Member Acuity Level', 'req'],
    ['ECM Enrollment Start Date', 'cond'], ['ECM Enrollment End Date', 'cond'], ['Date of Latest Care Plan Revision', 'opt'],
    ['Date of Most Recent Care Conference', 'opt'], ['Date Assessment Started', 'opt'], ['Date of Most Recent Completed Assessment', 'opt'],
    ['Date of Most Recent Encounter with Member', 'opt'], ['ECM Lead Care Manager Name', 'cond'], ['ECM Lead Care Manager Phone Number', 'cond'],
    ['ECM Lead Care Manager Email', 'opt'], ['Discontinuation Date', 'cond'], ['Discontinuation Reason Code', 'cond'], ['Discontinuation Reason', 'cond'],
    ['In Person', 'req'], ['Telephonic/Video', 'req'], ['Member Information Return Transmission File Production Date', 'req'],
    ['Member Information File Reporting Period', 'req'], ['ECM Provider Name', 'req'], ['ECM Provider National Provider Identifier (NPI)', 'req'],
    ['ECM Provider Tax ID Number (TIN)', 'req'], ['ECM Provider Phone Number', 'opt'], ['Referral Status', 'opt'], ['Date of Referral Status Update', 'cond'],
    ['Reason for Referral Loop Closure', 'opt'],
  ],
  OTF: [
    ['Primary Payer (MCP) Identifier', 'req'], ['MCP Name', 'opt'], ['ECM Provider Name', 'req'], ['ECM Provider National Provider Identifier (NPI)', 'req'],
    ['ECM Provider Tax ID Number (TIN)', 'req'], ['Client Name', 'req'], ['Member Client Index Number (CIN)', 'req'], ['Provider Type', 'req'],
    ['Date of Outreach Attempt', 'req'], ['Outreach Attempt Method', 'req'], ['Outreach Attempt Successful', 'req'], ['Time Spent Performing Outreach', 'req'],
  ],
  CSPRTF: [
    ['Primary Payer (MCP) Identifier', 'req'], ['CS Provider Name', 'req'], ['CS Provider NPI', 'req'], ['CS Provider TIN', 'req'],
    ['Member Client Index Number (CIN)', 'req'], ['Member Last Name', 'opt'], ['Member First Name', 'opt'], ['Member Date of Birth', 'opt'],
    ['CS Service Code', 'req'], ['Authorization Number', 'cond'], ['Status of Member Engagement', 'req'], ['Date of Outreach Attempt', 'cond'],
    ['Outreach Attempt Method', 'cond'], ['Provider Type', 'opt'], ['Service Start Date', 'cond'], ['Service End Date', 'cond'],
    ['Discontinuation Reason Code', 'cond'], ['Has Member Been Housed', 'cond'], ['Date Housed', 'cond'],
    ['Community Supports Provider RTF Production Date', 'req'], ['Community Supports Provider RTF Reporting Period', 'req'], ['Referral Status', 'opt'],
    ['Date of Referral Status Update', 'cond'], ['Reason for Referral Loop Closure', 'opt'],
  ],
};

const MIF_LABELS = [
  'Primary Payer (MCP) Identifier', 'MCP Name', 'MIF Type', 'Member Information File Production Date', 'Member Information File Reporting Period',
  'Member Client Index Number (CIN)', 'Member MCP ID', 'Member Last Name', 'Member First Name', 'Member Date of Birth', 'Member Gender Code',
  'Member Preferred Language', 'Member Residential Address', 'Member Residential City', 'Member Residential State', 'Member Residential Zip',
  'Member Phone Number', 'Member Homelessness Indicator', 'Member POF', 'Member ECM Status', 'ECM Referral Approval Date', 'ECM Enrollment Start Date',
  'ECM Enrollment End Date', 'Member Acuity Level', 'ECM Lead Care Manager Name', 'ECM Lead Care Manager Phone Number', 'Member PCP Name',
  'Member PCP NPI', 'ECM Provider Name', 'ECM Provider National Provider Identifier (NPI)', 'ECM Provider Tax ID Number (TIN)',
];
const CSASF_LABELS = [
  'Primary Payer (MCP) Identifier', 'MCP Name', 'CSASF Production Date', 'CS Provider Name', 'CS Provider NPI', 'CS Provider TIN',
  'Member Client Index Number (CIN)', 'Member MCP ID', 'Member Last Name', 'Member First Name', 'Member Date of Birth', 'Member Gender Code',
  'Member Residential Address', 'Member Residential City', 'Member Residential Zip', 'Medi-Cal Coverage County', 'Member Phone Number',
  'Member Preferred Language', 'CS Service Code', 'CS Service Name', 'Member Record Type', 'Authorization Status', 'Authorization Number',
  'Authorization Start Date', 'Authorization End Date', 'Date Received Request for Authorization', 'Date of Authorization Decision',
  'Referring Organization', 'Date Assigned to Provider',
];

describe('layouts match spec/layouts.md', () => {
  it.each([['RTF', RTF], ['OTF', OTF], ['CSPRTF', CSPRTF]] as const)('%s columns, order and requiredness', (name, layout) => {
    expect(layout.columns.map((c) => [c.label, c.req])).toEqual(SPEC[name]);
  });
  it('MIF and CSASF columns', () => {
    expect(MIF.columns.map((c) => c.label)).toEqual(MIF_LABELS);
    expect(CSASF.columns.map((c) => c.label)).toEqual(CSASF_LABELS);
  });
  it('registry', () => {
    expect(LAYOUTS.map((l) => l.name)).toEqual(['RTF', 'OTF', 'CSPRTF', 'MIF', 'CSASF']);
    expect(INBOUND_LAYOUTS.map((l) => l.name)).toEqual(['RTF', 'OTF', 'CSPRTF']);
    expect(layoutByName('otf')).toBe(OTF);
    expect(layoutByName('xyz')).toBeUndefined();
  });
});

describe.each(LAYOUTS.map((l) => [l.name, l] as const))('%s declaration', (_, layout) => {
  it('keys are unique camelCase; every column has a width', () => {
    const keys = layout.columns.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of layout.columns) {
      expect(c.key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(c.width).toBeGreaterThan(0);
    }
  });
  it('code columns have their code set (a table or a setting)', () => {
    for (const c of layout.columns.filter((col) => col.type === 'code' || col.type === 'codeList'))
      expect(Object.keys(codesFor(c, config) ?? {}).length, c.key).toBeGreaterThan(0);
  });
  it('no label or alias names two columns, and the canonical header matches itself', () => {
    const m = matchHeader(layout.columns.map((c) => c.label), [layout]);
    expect(m?.layout).toBe(layout);
    expect(m?.missingRequired).toEqual([]);
    expect(m?.unknown).toEqual([]);
  });
  it('member identity columns are flagged PHI', () => {
    for (const key of ['cin', 'lastName', 'firstName', 'dob', 'clientName', 'address', 'phone'])
      for (const c of layout.columns.filter((col) => col.key === key)) expect(c.phi, `${layout.name}.${key}`).toBe(true);
  });
});

describe('name and text limits', () => {
  it.each([
    [RTF, 'lastName', 60], [RTF, 'firstName', 60], [RTF, 'address', 100], [RTF, 'city', 60], [RTF, 'lcmName', 60], [RTF, 'discontinuationReason', 200],
    [RTF, 'providerName', 100], [OTF, 'clientName', 120], [CSPRTF, 'authNumber', 30], [CSPRTF, 'lastName', 60],
  ] as const)('%s.%s max %i', (layout, key, max) => {
    expect(layout.columns.find((c) => c.key === key)?.max).toBe(max);
  });
});
