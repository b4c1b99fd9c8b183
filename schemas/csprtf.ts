// CSPRTF: CS Provider Return Transmission File (provider → plan), spec/layouts.md.
// One row per member × CS service.
import { CS_ENGAGEMENT_STATUS, CS_OUTREACH_METHOD, CS_SERVICES, HOUSED, PROVIDER_TYPE } from './codes.js';
import { cin, col, csProviderName, csProviderNpi, csProviderTin, discontinuationReasonCode, dob, firstName, lastName, mcpId, referralColumns } from './columns.js';
import { layout } from './layout.js';

export const CSPRTF = layout({
  name: 'CSPRTF',
  title: 'CS Provider Return Transmission File',
  sheetName: 'CSPRTF',
  direction: 'inbound',
  columns: [
    mcpId(),
    csProviderName(),
    csProviderNpi(),
    csProviderTin(),
    cin(),
    lastName('opt'),
    firstName('opt'),
    dob('opt'),
    col('serviceCode', 'CS Service Code', 'req', 'code', {
      codes: CS_SERVICES, caseInsensitive: true, aliases: ['Community Supports Service Code', 'CS Service', 'Service Code'], rule: 'One of the 14 CS service codes, e.g. HTN',
    }),
    col('authNumber', 'Authorization Number', 'cond', 'text', { max: 30, aliases: ['Auth Number', 'Authorization #', 'Authorization No'], rule: 'Required for status 3; as on the CSASF', width: 18 }),
    col('engagementStatus', 'Status of Member Engagement', 'req', 'code', {
      codes: CS_ENGAGEMENT_STATUS, aliases: ['Member Engagement Status', 'Engagement Status'],
      rule: '1 Pending Outreach, 2 Currently in Outreach, 3 Currently Delivering Service, 4 Services Discontinued',
    }),
    col('outreachDate', 'Date of Outreach Attempt', 'cond', 'date', { aliases: ['Outreach Attempt Date', 'Outreach Date'], rule: 'Required for status 2' }),
    col('outreachMethod', 'Outreach Attempt Method', 'cond', 'code', { codes: CS_OUTREACH_METHOD, aliases: ['Outreach Method'], rule: '1 In-Person, 2 Telephonic, 3 Electronic; required with the outreach date' }),
    col('providerType', 'Provider Type', 'opt', 'code', { codes: PROVIDER_TYPE, rule: '1 clinical, 2 non-clinical' }),
    col('serviceStartDate', 'Service Start Date', 'cond', 'date', { aliases: ['CS Service Start Date'], rule: 'Required for status 3' }),
    col('serviceEndDate', 'Service End Date', 'cond', 'date', { aliases: ['CS Service End Date'], rule: 'Required for status 4 when the service started; on or after the start' }),
    discontinuationReasonCode('Required for status 4'),
    col('housed', 'Has Member Been Housed', 'cond', 'code', { codes: HOUSED, aliases: ['Member Housed', 'Housed'], rule: '1 yes, 0 no; housing services only (HTN, HD, HTSS, STPHH, NFTD, CTS)' }),
    col('dateHoused', 'Date Housed', 'cond', 'date', { aliases: ['Housed Date'], rule: 'Required when Has Member Been Housed is 1' }),
    col('productionDate', 'Community Supports Provider RTF Production Date', 'req', 'date', {
      aliases: ['CS Provider RTF Production Date', 'CSPRTF Production Date', 'Production Date'], rule: 'The date you produced this file', width: 14,
    }),
    col('reportingPeriod', 'Community Supports Provider RTF Reporting Period', 'req', 'period', {
      aliases: ['CS Provider RTF Reporting Period', 'CSPRTF Reporting Period', 'Reporting Period'],
      rule: 'The month this file reports: MM/YYYY, YYYY-MM or MM/DD/YYYY-MM/DD/YYYY', width: 14,
    }),
    ...referralColumns(),
  ],
});
