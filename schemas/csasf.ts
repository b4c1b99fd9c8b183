// CSASF: CS Authorization Status File (plan → CS provider), spec/layouts.md [POLICY].
// One row per member × CS service.
import { AUTH_STATUS, CS_RECORD_TYPE, CS_SERVICES, GENDER } from './codes.js';
import { cin, col, csProviderName, csProviderNpi, csProviderTin, dob, firstName, lastName, mcpId, mcpName } from './columns.js';
import type { Layout } from './layout.js';

export const CSASF: Layout = {
  name: 'CSASF',
  title: 'CS Authorization Status File',
  sheetName: 'CSASF',
  direction: 'outbound',
  columns: [
    mcpId(),
    mcpName('req'),
    col('productionDate', 'CSASF Production Date', 'req', 'date'),
    csProviderName(),
    csProviderNpi(),
    csProviderTin(),
    cin(),
    col('mcpMemberId', 'Member MCP ID', 'opt', 'text', { max: 30, phi: true }),
    lastName('req'),
    firstName('req'),
    dob('req'),
    col('gender', 'Member Gender Code', 'opt', 'code', { codes: GENDER, caseInsensitive: true }),
    col('address', 'Member Residential Address', 'opt', 'text', { max: 100, phi: true }),
    col('city', 'Member Residential City', 'opt', 'text', { max: 60, phi: true }),
    col('zip', 'Member Residential Zip', 'opt', 'zip', { phi: true }),
    col('county', 'Medi-Cal Coverage County', 'opt', 'text', { max: 40 }),
    col('phone', 'Member Phone Number', 'opt', 'phone', { phi: true }),
    col('language', 'Member Preferred Language', 'opt', 'text', { max: 40 }),
    col('serviceCode', 'CS Service Code', 'req', 'code', { codes: CS_SERVICES }),
    col('serviceName', 'CS Service Name', 'req', 'text', { max: 100, width: 40 }),
    col('recordType', 'Member Record Type', 'req', 'code', { codes: CS_RECORD_TYPE, rule: 'AUTHORIZED or POTENTIAL' }),
    col('authStatus', 'Authorization Status', 'cond', 'code', { codes: AUTH_STATUS, rule: 'Approved, Pending, Denied, Expired; blank for potential members' }),
    col('authNumber', 'Authorization Number', 'cond', 'text', { max: 30 }),
    col('authStart', 'Authorization Start Date', 'cond', 'date'),
    col('authEnd', 'Authorization End Date', 'cond', 'date'),
    col('requestDate', 'Date Received Request for Authorization', 'opt', 'date'),
    col('decisionDate', 'Date of Authorization Decision', 'opt', 'date'),
    col('referringOrg', 'Referring Organization', 'opt', 'text', { max: 100 }),
    col('assignedDate', 'Date Assigned to Provider', 'opt', 'date'),
  ],
};
