// RTF: ECM Return Transmission File (provider → plan), spec/layouts.md. One row per member.
import { ACUITY, ECM_STATUS, POF } from './codes.js';
import { address, cin, city, col, discontinuationReasonCode, ecmProviderName, ecmProviderNpi, ecmProviderTin, firstName, lastName, mcpId, mcpName, memberPhone, referralColumns, state, zip } from './columns.js';
import { layout } from './layout.js';

/**
 * [POLICY] The most encounters of one kind a member's row can report for a month: more is a
 * typing error (a date, a phone number in the cell), and a row error says so, where a number
 * past the database's integer made the whole file fail.
 */
export const ENCOUNTERS_MAX = 999;

export const RTF = layout({
  name: 'RTF',
  title: 'ECM Return Transmission File',
  sheetName: 'RTF',
  direction: 'inbound',
  columns: [
    mcpId(),
    mcpName(),
    cin(),
    lastName('req'),
    firstName('req'),
    col('newAddress', 'Member New Address Indicator', 'opt', 'YN', { aliases: ['New Address Indicator'], rule: 'Y → residential address, city, state and zip required' }),
    col('homeless', 'Member Homelessness Indicator', 'opt', 'YN', { aliases: ['Homelessness Indicator', 'Member Homeless Indicator'], phi: true }),
    address('cond', { aliases: ['Residential Address'], rule: 'Required when New Address Indicator is Y' }),
    city('cond', { aliases: ['Residential City'], rule: 'Required when New Address Indicator is Y' }),
    state('cond', { aliases: ['Residential State'], rule: 'Required when New Address Indicator is Y' }),
    zip('cond', { aliases: ['Member Residential Zip Code', 'Residential Zip'], rule: 'Required when New Address Indicator is Y' }),
    col('newPhone', 'Member New Phone Number Indicator', 'opt', 'YN', { aliases: ['New Phone Number Indicator', 'Member New Phone Indicator'], rule: 'Y → Member Phone Number required' }),
    memberPhone('cond', { aliases: ['Member Phone'], rule: 'Required when New Phone Number Indicator is Y' }),
    col('pofIndicator', 'Member POF Indicator', 'opt', 'YN', { aliases: ['POF Indicator', 'Member Population of Focus Indicator'], rule: 'Y → Member POF required' }),
    col('pof', 'Member POF', 'cond', 'codeList', {
      codes: POF, caseInsensitive: true, phi: true,
      aliases: ['Member Population of Focus', 'Population of Focus', 'POF'], rule: 'Population of focus codes separated by ;, e.g. 1a;3',
    }),
    col('ecmStatus', 'Member ECM Status', 'req', 'code', { codes: ECM_STATUS, aliases: ['ECM Status'], rule: '1 Pending Outreach, 2 Currently in Outreach, 3 Enrolled, 4 Declined / Discontinued' }),
    col('acuity', 'Member Acuity Level', 'req', 'code', { codes: ACUITY, caseInsensitive: true, aliases: ['Acuity Level', 'Acuity'], rule: 'Low, Medium or High; blank is taken as Low' }),
    col('startDate', 'ECM Enrollment Start Date', 'cond', 'date', { aliases: ['Enrollment Start Date'], rule: 'Required for status 3 (Enrolled); not after the file is sent' }),
    col('endDate', 'ECM Enrollment End Date', 'cond', 'date', { aliases: ['Enrollment End Date'], rule: 'Only with a Start Date, on or after it; not with a Discontinuation Date; not after the file is sent' }),
    col('carePlanDate', 'Date of Latest Care Plan Revision', 'opt', 'date', { aliases: ['Latest Care Plan Revision Date', 'Care Plan Date'], rule: 'On or after the Start Date; not in the future' }),
    col('careConferenceDate', 'Date of Most Recent Care Conference', 'opt', 'date', { aliases: ['Most Recent Care Conference Date'], rule: 'Not in the future' }),
    col('assessmentStartedDate', 'Date Assessment Started', 'opt', 'date', { aliases: ['Assessment Start Date', 'Assessment Started Date'], rule: 'Expected within 30 days of the Start Date' }),
    col('assessmentCompletedDate', 'Date of Most Recent Completed Assessment', 'opt', 'date', {
      aliases: ['Most Recent Completed Assessment Date', 'Assessment Completed Date'], rule: 'On or after Date Assessment Started; expected within 60 days of the Start Date',
    }),
    col('lastEncounterDate', 'Date of Most Recent Encounter with Member', 'opt', 'date', { aliases: ['Most Recent Encounter Date', 'Date of Most Recent Encounter'], rule: 'Latest successful encounter; not in the future' }),
    col('lcmName', 'ECM Lead Care Manager Name', 'cond', 'text', { max: 60, aliases: ['Lead Care Manager Name', 'LCM Name'], rule: 'Required for status 3 (Enrolled)' }),
    col('lcmPhone', 'ECM Lead Care Manager Phone Number', 'cond', 'phone', { aliases: ['Lead Care Manager Phone Number', 'LCM Phone', 'ECM Lead Care Manager Phone'], rule: 'Required for status 3 (Enrolled)' }),
    col('lcmEmail', 'ECM Lead Care Manager Email', 'opt', 'email', { max: 100, aliases: ['Lead Care Manager Email', 'LCM Email'] }),
    col('discontinuationDate', 'Discontinuation Date', 'cond', 'date', { rule: 'Only for a member never enrolled (Start Date blank); not after the file is sent' }),
    discontinuationReasonCode('Required with an Enrollment End Date or a Discontinuation Date'),
    col('discontinuationReason', 'Discontinuation Reason', 'cond', 'text', { max: 200, phi: true, aliases: ['Discontinuation Reason Description'], rule: 'Required when the reason code is OTH' }),
    col('inPerson', 'In Person', 'req', 'int', { aliases: ['In-Person', 'In Person Encounters', 'In Person Count'], max: ENCOUNTERS_MAX, rule: `In-person encounters this period, successful or not (0 to ${ENCOUNTERS_MAX})` }),
    col('telephonic', 'Telephonic/Video', 'req', 'int', { aliases: ['Telephonic', 'Telephonic Video', 'Telephonic/Video Encounters', 'Telephonic Count'], max: ENCOUNTERS_MAX, rule: `Telephonic or video encounters this period (0 to ${ENCOUNTERS_MAX})` }),
    col('productionDate', 'Member Information Return Transmission File Production Date', 'req', 'date', {
      aliases: ['Return Transmission File Production Date', 'RTF Production Date', 'Production Date'], rule: 'The date you produced this file', width: 14,
    }),
    col('reportingPeriod', 'Member Information File Reporting Period', 'req', 'period', {
      aliases: ['Reporting Period', 'RTF Reporting Period', 'Member Information Return Transmission File Reporting Period'],
      rule: 'The month this file reports: MM/YYYY, YYYY-MM or MM/DD/YYYY-MM/DD/YYYY', width: 14,
    }),
    ecmProviderName(),
    ecmProviderNpi(),
    ecmProviderTin(),
    col('providerPhone', 'ECM Provider Phone Number', 'opt', 'phone', { aliases: ['Provider Phone Number', 'Provider Phone'] }),
    ...referralColumns(),
  ],
});
