// MIF: Member Information File (plan → ECM provider), spec/layouts.md [POLICY]. The same
// layout serves the monthly MIF and the mini-MIF. The workbook's second sheet is the RTF.
import { ACUITY, ECM_STATUS, MIF_TYPE, POF } from './codes.js';
import { address, city, col, ecmProviderName, ecmProviderNpi, ecmProviderTin, language, mcpId, mcpName, memberIdentity, memberPhone, state, zip } from './columns.js';
import { layout } from './layout.js';

export const MIF = layout({
  name: 'MIF',
  title: 'Member Information File',
  sheetName: 'MIF',
  direction: 'outbound',
  columns: [
    mcpId(),
    mcpName('req'),
    col('mifType', 'MIF Type', 'req', 'code', { codes: MIF_TYPE, rule: 'MONTHLY or MINI' }),
    col('productionDate', 'Member Information File Production Date', 'req', 'date', { aliases: ['MIF Production Date'], width: 14 }),
    col('reportingPeriod', 'Member Information File Reporting Period', 'req', 'period', { aliases: ['MIF Reporting Period'], width: 14 }),
    ...memberIdentity(),
    language(),
    address(),
    city(),
    state(),
    zip(),
    memberPhone(),
    col('homeless', 'Member Homelessness Indicator', 'opt', 'YN', { phi: true }),
    col('pof', 'Member POF', 'opt', 'codeList', { codes: POF, caseInsensitive: true, phi: true }),
    col('ecmStatus', 'Member ECM Status', 'req', 'code', { codes: ECM_STATUS }),
    col('referralApprovalDate', 'ECM Referral Approval Date', 'opt', 'date', { rule: 'Filled on mini-MIF rows' }),
    col('startDate', 'ECM Enrollment Start Date', 'opt', 'date'),
    col('endDate', 'ECM Enrollment End Date', 'opt', 'date'),
    col('acuity', 'Member Acuity Level', 'opt', 'code', { codes: ACUITY, caseInsensitive: true }),
    col('lcmName', 'ECM Lead Care Manager Name', 'opt', 'text', { max: 60 }),
    col('lcmPhone', 'ECM Lead Care Manager Phone Number', 'opt', 'phone'),
    col('pcpName', 'Member PCP Name', 'opt', 'text', { max: 100 }),
    col('pcpNpi', 'Member PCP NPI', 'opt', 'NPI'),
    ecmProviderName(),
    ecmProviderNpi(),
    ecmProviderTin(),
  ],
});
