// CSASF: CS Authorization Status File (plan → CS provider), spec/layouts.md [POLICY].
// One row per member × CS service.
import { AUTH_STATUS, CS_RECORD_TYPE, CS_SERVICES } from './codes.js';
import { address, city, col, csProviderName, csProviderNpi, csProviderTin, language, mcpId, mcpName, memberIdentity, memberPhone, zip } from './columns.js';
import { layout } from './layout.js';

export const CSASF = layout({
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
    ...memberIdentity(),
    address(),
    city(),
    zip(),
    col('county', 'Medi-Cal Coverage County', 'opt', 'text', { max: 40 }),
    memberPhone(),
    language(),
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
});
