// Column factories and the columns several layouts share (payer, provider identity, CIN,
// names, referral loop). Only declarations: the rules live in src/validate.
import { DISCONTINUATION_REASONS, GENDER, LINES_OF_BUSINESS } from './codes.js';
import type { ColumnDef, ColumnType, Requiredness } from './layout.js';

type Extra = Omit<ColumnDef, 'key' | 'label' | 'req' | 'type'>;

/** One column; width defaults to the label length within [10, 40]. Its key keeps its literal type (typed column keys). */
export function col<const K extends string>(key: K, label: string, req: Requiredness, type: ColumnType, extra: Extra = {}): ColumnDef<K> {
  return { key, label, req, type, width: Math.min(40, Math.max(10, label.length + 2)), ...extra };
}

export const mcpId = () =>
  col('mcpId', 'Primary Payer (MCP) Identifier', 'req', 'code', {
    codes: LINES_OF_BUSINESS, caseInsensitive: true,
    aliases: ['Primary Payer Identifier', 'MCP Identifier', 'Primary Payer', 'Payer Identifier'],
    rule: 'Line of business: HN, CV or CHPIV; one you contract for', width: 14,
  });

export const mcpName = (req: Requiredness = 'opt') => col('mcpName', 'MCP Name', req, 'text', { max: 100, aliases: ['Plan Name'], width: 24 });

export const cin = () =>
  col('cin', 'Member Client Index Number (CIN)', 'req', 'CIN', {
    aliases: ['CIN', 'Member CIN', 'Client Index Number', 'Member Client Index Number', 'Medi-Cal CIN', 'Client Index Number (CIN)'],
    rule: '9 characters: 8 digits then 1 letter (not the 14-character ID-card number)', phi: true, width: 14,
  });

export const lastName = (req: Requiredness) =>
  col('lastName', 'Member Last Name', req, 'text', { max: 60, aliases: ['Last Name'], phi: true, width: 20 });
export const firstName = (req: Requiredness) =>
  col('firstName', 'Member First Name', req, 'text', { max: 60, aliases: ['First Name'], phi: true, width: 20 });
export const dob = (req: Requiredness) =>
  col('dob', 'Member Date of Birth', req, 'date', { aliases: ['Date of Birth', 'DOB', 'Member DOB', 'Birth Date'], phi: true, width: 12 });

export const ecmProviderName = () => col('providerName', 'ECM Provider Name', 'req', 'text', { max: 100, aliases: ['Provider Name'], width: 30 });
export const ecmProviderNpi = (req: Requiredness = 'req') =>
  col('providerNpi', 'ECM Provider National Provider Identifier (NPI)', req, 'NPI', {
    aliases: ['ECM Provider NPI', 'Provider NPI', 'NPI', 'ECM Provider National Provider Identifier'],
    rule: 'Your organisation NPI (10 digits)', width: 14,
  });
export const ecmProviderTin = (req: Requiredness = 'req') =>
  col('providerTin', 'ECM Provider Tax ID Number (TIN)', req, 'TIN', {
    aliases: ['ECM Provider TIN', 'Provider TIN', 'TIN', 'ECM Provider Tax ID Number', 'ECM Provider Tax Identification Number'],
    rule: 'Your organisation TIN (9 digits)', width: 14,
  });

export const csProviderName = () =>
  col('providerName', 'CS Provider Name', 'req', 'text', { max: 100, aliases: ['Community Supports Provider Name', 'Provider Name'], width: 30 });
export const csProviderNpi = () =>
  col('providerNpi', 'CS Provider NPI', 'req', 'NPI', {
    aliases: ['CS Provider National Provider Identifier (NPI)', 'Community Supports Provider NPI', 'Provider NPI', 'NPI'],
    rule: 'Your organisation NPI (10 digits)', width: 14,
  });
export const csProviderTin = () =>
  col('providerTin', 'CS Provider TIN', 'req', 'TIN', {
    aliases: ['CS Provider Tax ID Number (TIN)', 'Community Supports Provider TIN', 'Provider TIN', 'TIN'],
    rule: 'Your organisation TIN (9 digits)', width: 14,
  });

export const discontinuationReasonCode = (rule: string) =>
  col('discontinuationReasonCode', 'Discontinuation Reason Code', 'cond', 'code', {
    codes: DISCONTINUATION_REASONS, caseInsensitive: true, aliases: ['Discontinuation Reason Cd', 'Reason Code'], rule, width: 14,
  });

/** Closed-loop referral columns; their values come from settings (see CONFIGURED_CODES). */
export const referralColumns = () => [
  col('referralStatus', 'Referral Status', 'opt', 'code', {
    caseInsensitive: true, rule: 'Closed-loop referral status (values set by the plan)', width: 18,
  }),
  col('referralStatusDate', 'Date of Referral Status Update', 'cond', 'date', {
    aliases: ['Referral Status Date', 'Referral Status Update Date'], rule: 'Required when Referral Status is filled', width: 14,
  }),
  col('referralClosureReason', 'Reason for Referral Loop Closure', 'opt', 'code', {
    caseInsensitive: true, aliases: ['Referral Loop Closure Reason', 'Referral Closure Reason'], rule: 'Values set by the plan', width: 24,
  }),
] as const;

// The member's demographics, as the MIF and CSASF carry them and the RTF updates them.
export const mcpMemberId = () => col('mcpMemberId', 'Member MCP ID', 'opt', 'text', { max: 30, phi: true });
export const gender = () => col('gender', 'Member Gender Code', 'opt', 'code', { codes: GENDER, caseInsensitive: true });
/**
 * Who the member is, as the outbound files (MIF, CSASF) carry it: one run, in this order (a
 * layout's column order is part of its contract). The inbound layouts carry fewer of them.
 */
export const memberIdentity = () => [cin(), mcpMemberId(), lastName('req'), firstName('req'), dob('req'), gender()] as const;
export const language = () => col('language', 'Member Preferred Language', 'opt', 'text', { max: 40 });
export const address = (req: Requiredness = 'opt', extra: Extra = {}) =>
  col('address', 'Member Residential Address', req, 'text', { max: 100, phi: true, ...extra });
export const city = (req: Requiredness = 'opt', extra: Extra = {}) =>
  col('city', 'Member Residential City', req, 'text', { max: 60, phi: true, ...extra });
export const state = (req: Requiredness = 'opt', extra: Extra = {}) => col('state', 'Member Residential State', req, 'state', extra);
export const zip = (req: Requiredness = 'opt', extra: Extra = {}) => col('zip', 'Member Residential Zip', req, 'zip', { phi: true, ...extra });
export const memberPhone = (req: Requiredness = 'opt', extra: Extra = {}) =>
  col('phone', 'Member Phone Number', req, 'phone', { phi: true, ...extra });
