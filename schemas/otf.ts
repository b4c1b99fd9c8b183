// OTF: ECM Outreach Tracker File (provider → plan), spec/layouts.md. One row per attempt.
import { OTF_METHOD, PROVIDER_TYPE } from './codes.js';
import { cin, col, ecmProviderName, ecmProviderNpi, ecmProviderTin, mcpId, mcpName } from './columns.js';
import { layout } from './layout.js';

/** [POLICY] The longest one outreach attempt can take: a day. More is a typing error, a row error. */
export const ATTEMPT_MINUTES_MAX = 1440;

export const OTF = layout({
  name: 'OTF',
  title: 'ECM Outreach Tracker File',
  sheetName: 'OTF',
  direction: 'inbound',
  columns: [
    mcpId(),
    mcpName(),
    ecmProviderName(),
    ecmProviderNpi(),
    ecmProviderTin(),
    col('clientName', 'Client Name', 'req', 'text', { max: 120, aliases: ['Member Name', 'Client Full Name'], phi: true, width: 24 }),
    cin(),
    col('providerType', 'Provider Type', 'req', 'code', { codes: PROVIDER_TYPE, aliases: ['Outreach Provider Type', 'Staff Type'], rule: '1 clinical staff, 2 non-clinical staff' }),
    col('attemptDate', 'Date of Outreach Attempt', 'req', 'date', {
      aliases: ['Outreach Attempt Date', 'Outreach Date'], rule: 'In the reporting period or the 90 days before it; not after the file is sent',
    }),
    col('method', 'Outreach Attempt Method', 'req', 'code', {
      codes: OTF_METHOD, aliases: ['Outreach Method'], rule: '1 In-Person, 2 Telephonic/Electronic (phone, video, text, email, mail)',
    }),
    col('successful', 'Outreach Attempt Successful', 'req', 'YN', { aliases: ['Outreach Successful', 'Attempt Successful'] }),
    col('minutes', 'Time Spent Performing Outreach', 'req', 'minutes', {
      aliases: ['Time Spent Performing Outreach (Minutes)', 'Time Spent Performing Outreach (in minutes)', 'Time Spent', 'Minutes Spent', 'Outreach Minutes'],
      max: ATTEMPT_MINUTES_MAX,
      rule: `Whole minutes, 1 to ${ATTEMPT_MINUTES_MAX} (mail counts 1); fractions are rounded up`,
    }),
  ],
});
