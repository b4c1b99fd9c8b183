// The issue catalogue: every problem the plan can report about a file, a sheet or a row,
// with a stable code, a severity and a plain-language message saying how to fix it.
// Other modules reference codes through ISSUES / IssueCode, never as loose strings.

export type Severity = 'error' | 'warning' | 'info';
/** file: the whole file; sheet: one sheet (or its header); row: one data row. */
export type IssueScope = 'file' | 'sheet' | 'row';

export interface IssueDef { severity: Severity; scope: IssueScope; message: string }

const e = (scope: IssueScope, message: string): IssueDef => ({ severity: 'error', scope, message });
const w = (scope: IssueScope, message: string): IssueDef => ({ severity: 'warning', scope, message });
const i = (scope: IssueScope, message: string): IssueDef => ({ severity: 'info', scope, message });

// Placeholders: {column} the column label, {detail} a parser's reason, {value} a safe value,
// {other} another column, {row} another row, {days}, {period}, {expected}, {allowed}, ...
export const ISSUES = {
  // ---- file level (the reader and the ingest pipeline use these too)
  FILE_EMPTY: e('file', 'The file is empty (0 bytes). Upload the workbook again.'),
  FILE_TOO_LARGE: e('file', 'The file is larger than the {limit} allowed. Split it or remove unused sheets and formatting.'),
  FILE_NOT_PROCESSED: e('file', "The plan could not process this file, because of a problem on the plan's side. The plan's team has been told and will follow up with you; you do not need to send it again unless asked."),
  FILE_UNREADABLE: e('file', 'The plan could not read this file on the sFTP server: its permissions do not let the plan open it (for example, they were changed after the upload). Nothing in it was read. Upload the file again as it is, without changing its permissions afterwards.'),
  FILE_WRONG_TYPE: e('file', 'The file is not an Excel workbook. Save it as .xlsx (Excel Workbook) and upload it again.'),
  FILE_XLS_LEGACY: e('file', 'The file is an old-format .xls workbook. Open it in Excel, choose Save As → Excel Workbook (.xlsx), and upload the .xlsx.'),
  FILE_CSV: e('file', 'The file is CSV text, not a workbook. Open it in Excel, choose Save As → Excel Workbook (.xlsx), and upload the .xlsx.'),
  FILE_CORRUPT: e('file', 'The workbook could not be read ({detail}). Open it in Excel, save it again as .xlsx, and upload it again.'),
  FILE_ENCRYPTED: e('file', 'The workbook is password-protected or encrypted. Remove the password (File → Info → Protect Workbook) and upload it again.'),
  FILE_ZIP_BOMB: e('file', 'The workbook expands to far more data than its size suggests and was not opened. Save a clean copy as .xlsx and upload it again.'),
  FILE_UNSAFE_ZIP: e('file', 'The workbook contains unsafe internal paths and was not opened. Save a clean copy as .xlsx and upload it again.'),
  FILE_XML_ENTITIES: e('file', 'The workbook contains XML entity declarations, which are not allowed. Save a clean copy from Excel as .xlsx and upload it again.'),
  FILE_TOO_MANY_ROWS: e('file', 'A sheet has more than {limit} rows. Send at most {limit} rows per sheet.'),
  FILE_TOO_MANY_COLUMNS: e('file', 'A sheet has more than {limit} columns. Remove the extra columns and upload it again.'),
  NO_LAYOUT_MATCHED: e('file', 'No sheet has a header row we recognise ({expected}). Use the plan template: the column titles must be in one of the first 10 rows.'),
  DUPLICATE_FILE: e('file', 'This exact file was already received on {date} and was not processed again. Send a corrected file if you meant to change something.'),
  // {reason} says which deadline day passed (src/calendar declinedParams fills every placeholder here)
  DECLINED_LATE: e('file', 'Your file for reporting period {period} was received on {date} and has been declined: it was not processed. {reason} Please include these updates in next month\'s file (reporting period {nextPeriod}) instead. The next submission window opens on {nextWindow} and files are on time through {onTimeUntil}.'),
  PERIOD_MISMATCH: e('row', 'The reporting period {value} is not the period this file answers ({expected}). Enter {expected} in {column}.'),

  // ---- sheet level
  SHEET_MISSING_COLUMNS: e('sheet', 'The {layout} sheet is missing required columns: {detail}. Add them with these titles (see the template) and upload again.'),
  SHEET_NO_DATA_ROWS: e('sheet', 'The {layout} sheet has a header row but no data rows below it. Fill in one row per {unit} and upload again.'),
  SHEET_EMPTY: i('sheet', 'The {layout} sheet has no data rows; nothing was read from it.'),
  SHEET_IGNORED: i('sheet', 'Sheet "{sheet}" was ignored: {detail}.'),
  COLUMN_UNKNOWN: w('sheet', 'Column "{value}" is not a {layout} column and was ignored. Check its title against the template if it should have been read.'),
  COLUMN_DUPLICATE: w('sheet', 'Column "{value}" repeats {column}; only the first one was read. Remove the repeat.'),
  FORMULA_ROWS_UNREAD: w('sheet', '{count} rows, from row {row}, hold only formulas whose results were never saved (the file was written by a program that does not calculate), so they were not read. If they hold members, open the file in Excel or LibreOffice, save it, and upload it again.'),
  TABLE_TOTAL_ROW: i('row', 'This row is the Total row of an Excel table and was not read: it is not a member row.'),
  HEADER_REPEATED: i('row', 'This row repeats the {layout} header row (row {headerRow}) and was skipped: it is not a member row.'),
  // (read on the Errors sheet and the Codes sheet: "this sheet" there named the wrong one)
  ROWS_NOT_LISTED: i('file', '{count} more rejected rows are not listed on the rejected rows sheet (the list stops at {limit}); the Errors sheet lists their errors.'),

  // ---- generic cell checks
  REQUIRED_BLANK: e('row', '{column} is required and is blank. Fill it in.'),
  FORMULA_NO_RESULT: e('row', '{column} holds a formula whose result was never saved (the file was written by a program that does not calculate). Open the file in Excel or LibreOffice and save it, or type the value itself.'),
  CELL_ERROR: e('row', '{column} holds the Excel error {value} (a broken formula). Replace it with the value itself.'),
  TEXT_TOO_LONG: e('row', '{column} is longer than {max} characters. Shorten it.'),
  TEXT_CONTROL_CHARS: e('row', '{column} contains invisible control characters. Retype the value.'),
  CIN_FORMAT: e('row', '{column} is not a valid CIN: a CIN is 8 digits followed by 1 letter, e.g. 91234567A.'),
  CIN_IDCARD_NUMBER: e('row', '{column} holds the 14-character Medi-Cal ID-card number, not the CIN: send only the first 9 characters.'),
  CIN_DUMMY: e('row', '{column} is a placeholder CIN (all the same digit), not a real member. Enter the member\'s CIN.'),
  NPI_FORMAT: e('row', '{column} is not a valid NPI: {detail}.'),
  TIN_FORMAT: e('row', '{column} is not a valid TIN: a TIN is 9 digits, optionally written 12-3456789.'),
  PHONE_FORMAT: e('row', '{column} is not a valid phone number: enter 10 digits, e.g. (559) 555-0123.'),
  ZIP_FORMAT: e('row', '{column} is not a valid ZIP code: enter 5 digits or ZIP+4 (12345-6789).'),
  STATE_FORMAT: e('row', '{column} is not a state: enter 2 letters, e.g. CA.'),
  EMAIL_FORMAT: e('row', '{column} is not an email address.'),
  YN_FORMAT: e('row', '{column} must be Y or N.'),
  DATE_FORMAT: e('row', '{column} is not a valid date ({detail}). Enter a date as MM/DD/YYYY.'),
  INT_FORMAT: e('row', '{column} must be a whole number, 0 or more.'),
  INT_TOO_LARGE: e('row', '{column} must be at most {max}.'),
  CODE_UNKNOWN: e('row', '{column} has a value that is not allowed. Use one of: {allowed}.'),
  PERIOD_FORMAT: e('row', '{column} is not a reporting period. Enter the month as MM/YYYY, e.g. 10/2026.'),
  DATE_AFTER_RECEIPT: e('row', '{column} ({value}) is after the date the file was received ({expected}). Dates cannot be in the future.'),

  // ---- RTF rules
  ACUITY_DEFAULTED: w('row', '{column} is blank and was set to Low. Enter Low, Medium or High if Low is not right.'),
  RTF_ADDRESS_REQUIRED: e('row', '{column} is required when Member New Address Indicator is Y. Fill in the new address or set the indicator to N.'),
  RTF_PHONE_REQUIRED: e('row', '{column} is required when Member New Phone Number Indicator is Y. Fill in the new phone number or set the indicator to N.'),
  RTF_POF_REQUIRED: e('row', '{column} is required when Member POF Indicator is Y. Enter the population-of-focus codes separated by ; (e.g. 1a;3).'),
  RTF_ENROLLED_NEEDS_START: e('row', '{column} is required for status 3 (Enrolled). Enter the enrollment start date.'),
  RTF_ENROLLED_NEEDS_LCM: e('row', '{column} is required for status 3 (Enrolled). Enter the lead care manager\'s name and phone number.'),
  RTF_END_DATE_NEEDS_START: e('row', '{column} needs an ECM Enrollment Start Date. For a member who was never enrolled, use Discontinuation Date instead.'),
  RTF_END_BEFORE_START: e('row', '{column} is before the ECM Enrollment Start Date. The end date must be on or after the start date.'),
  RTF_END_AND_DISCONTINUATION: e('row', 'Both ECM Enrollment End Date and Discontinuation Date are filled. Use End Date for an enrolled member who left, Discontinuation Date for a member never enrolled, not both.'),
  RTF_DISCONTINUATION_WITH_START: e('row', '{column} is only for a member who was never enrolled, but an ECM Enrollment Start Date is filled. For an enrolled member who left, use ECM Enrollment End Date.'),
  RTF_REASON_CODE_REQUIRED: e('row', '{column} is required with an Enrollment End Date or a Discontinuation Date. Enter one of: {allowed}.'),
  RTF_REASON_TEXT_REQUIRED: e('row', '{column} is required when the reason code is OTH (other). Describe the reason.'),
  RTF_DECLINED_NEEDS_DISCONTINUATION: e('row', '{column} is required for status 4 when the member was never enrolled (Start Date blank). Enter the date the member was discontinued; if the member was enrolled, enter the ECM Enrollment Start Date and End Date instead.'),
  RTF_DECLINED_NEEDS_REASON: e('row', '{column} is required for status 4 (Declined / Discontinued). Enter one of: {allowed}.'),
  RTF_DECLINED_NEEDS_END: e('row', '{column} is required for status 4 when the member was enrolled (Start Date filled). Enter the enrollment end date.'),
  // [POLICY] a status the dates contradict (statusDates, src/filetypes/rtf/rules.ts): warnings, the row and its dates are kept
  RTF_NOT_ENROLLED_WITH_START: w('row', 'Status 1 (Pending Outreach) and 2 (Currently in Outreach) are for a member not yet enrolled, but an ECM Enrollment Start Date is filled. If the member has enrolled, enter status 3 (Enrolled) in {column}; if not, clear the start date.'),
  RTF_ENROLLED_WITH_END: w('row', 'Status 3 (Enrolled) is for a member still enrolled, but {other} is filled. A member who left or was discontinued is reported with status 4 (Declined / Discontinued) in {column}; if the member is still enrolled, clear the date.'),
  RTF_CARE_PLAN_BEFORE_START: e('row', '{column} is before the ECM Enrollment Start Date. Check both dates.'),
  ASSESSMENT_COMPLETED_BEFORE_STARTED: e('row', '{column} is before Date Assessment Started. Check both dates.'),
  ASSESSMENT_START_LATE: w('row', 'The assessment started {days} days after enrollment (expected within {limit}). No change is needed if the dates are right.'),
  ASSESSMENT_COMPLETE_LATE: w('row', 'The assessment was completed {days} days after enrollment (expected within {limit}). No change is needed if the dates are right.'),
  ASSESSMENT_START_OVERDUE: w('row', '{column} is blank, but {days} days had passed since enrollment by {until} (the assessment should start within {limit} days). Enter the date it started; if it has not started yet, start it now.'),
  ASSESSMENT_COMPLETE_OVERDUE: w('row', '{column} is blank, but {days} days had passed since enrollment by {until} (the assessment should be completed within {limit} days). Enter the date it was completed; if it is not done yet, complete it now.'),
  CARE_PLAN_LATE: w('row', 'The care plan date is {days} days after enrollment (a care plan is expected within {limit} days). No change is needed if the dates are right, or if this date is a later revision of a care plan made in time.'),
  CARE_PLAN_OVERDUE: w('row', '{column} is blank, but {days} days had passed since enrollment by {until} (a care plan is expected within {limit} days). Enter the care plan date; if there is no care plan yet, make one now.'),
  REFERRAL_DATE_REQUIRED: e('row', '{column} is required when Referral Status is filled. Enter the date the referral status changed.'),
  DUPLICATE_CIN: e('row', 'This member (CIN) is already on row {row} of this file for the same Primary Payer (MCP). Send one row per member and line of business: merge the two rows.'),

  // ---- OTF rules
  OTF_MINUTES_ROUNDED: w('row', '{column} was {value} and was rounded up to {rounded} whole minutes. Enter whole minutes.'),
  MINUTES_FORMAT: e('row', '{column} must be the minutes spent as a number, 1 or more (e.g. 15; a time such as 0:15 is read as 15 minutes).'),
  // {value}: the minutes as reported (the column holds no PHI), or "blank"
  OTF_MAIL_ONE_MINUTE: w('row', 'An outreach attempt by mail is recorded as Telephonic/Electronic with 1 minute: {column} was {value}, and 1 minute was recorded. Enter 1 for mail.'),
  OTF_MINUTES_TOO_SMALL: e('row', '{column} must be at least 1 minute (mail counts as 1).'),
  OTF_DATE_OUTSIDE_PERIOD: e('row', '{column} ({value}) is outside the reporting period {period} and the {days} days before it. Older attempts are not accepted; later ones belong in next month\'s file.'),
  OTF_DUPLICATE_ATTEMPT: w('row', 'Possible double entry: row {row} has the same member, date, method and minutes. Delete one if it is the same attempt.'),
  // [POLICY] the attempt (member × date × method, the key corrections merge by) once per file: accepted, one of the rows would not count
  OTF_ATTEMPT_MINUTES_DIFFER: e('row', 'Row {row} already reports this member\'s outreach attempt on the same date by the same method, with other minutes: the plan counts one attempt per member, date and method, so this row was not accepted and that row counts. If its minutes are wrong (for two attempts that day by the same method, enter their minutes added up), send this row again with the right minutes in a corrected file: it replaces that row.'),

  // ---- CSPRTF rules
  CSPRTF_OUTREACH_DATE_REQUIRED: e('row', '{column} is required for status 2 (Currently in Outreach). Enter the date of the latest outreach attempt.'),
  CSPRTF_OUTREACH_METHOD_REQUIRED: e('row', '{column} is required with a Date of Outreach Attempt. Enter 1 In-Person, 2 Telephonic or 3 Electronic.'),
  CSPRTF_AUTH_NUMBER_REQUIRED: e('row', '{column} is required for status 3 (Currently Delivering Service). Enter the approved authorization number from your CSASF.'),
  CSPRTF_SERVICE_START_REQUIRED: e('row', '{column} is required for status 3 (Currently Delivering Service). Enter the date the service started.'),
  CSPRTF_REASON_REQUIRED: e('row', '{column} is required for status 4 (Services Discontinued). Enter one of: {allowed}.'),
  CSPRTF_END_DATE_REQUIRED: e('row', '{column} is required for status 4 when the service had started. Enter the date the service ended.'),
  CSPRTF_END_NEEDS_START: e('row', '{column} needs a Service Start Date. Enter the start date or clear the end date.'),
  CSPRTF_END_BEFORE_START: e('row', '{column} is before the Service Start Date. The end date must be on or after the start date.'),
  CSPRTF_HOUSED_NOT_HOUSING: e('row', '{column} applies only to housing services (HTN, HD, HTSS, STPHH, NFTD, CTS). Leave it blank for {value}.'),
  CSPRTF_DATE_HOUSED_REQUIRED: e('row', '{column} is required when Has Member Been Housed is 1. Enter the date the member was housed.'),
  // ---- database context of the submitting provider (src/ingest)
  PROVIDER_NPI_MISMATCH: e('row', '{column} ({value}) is not the NPI of the provider that uploaded this file ({expected}). A file can only report for the provider whose folder it was uploaded to.'),
  PROVIDER_TIN_MISMATCH: e('row', '{column} ({value}) is not the TIN of the provider that uploaded this file ({expected}). Enter your organisation\'s TIN.'),
  PROVIDER_NPI_PREVIOUS: w('row', '{column} ({value}) is the NPI the plan had for your organisation until {date}; the plan now has {expected}. The row is accepted: use {expected} from your next file.'),
  PROVIDER_TIN_PREVIOUS: w('row', '{column} ({value}) is the TIN the plan had for your organisation until {date}; the plan now has {expected}. The row is accepted: use {expected} from your next file.'),
  LOB_NOT_CONTRACTED: e('row', '{column} {value} is not a line of business you contract with for {program}. Use one of: {allowed}.'),
  MEMBER_NOT_ASSIGNED: e('row', 'This member is not assigned to you{detail}: submit a referral first. An RTF or OTF may only report members on your latest MIF or with an approved ECM referral to you.'),
  ECM_LOB_MISMATCH: e('row', '{column} {value} is not the line of business this member is assigned to you in ({expected}). Enter {expected}: a member is reported under the line of business of the MIF that lists them.'),
  MEMBER_REASSIGNED: e('row', 'This member was yours (on your latest MIF, or assigned to you during this reporting period) but the plan has since assigned them to another ECM provider{detail}: the row is not accepted. Leave the member out of your next files; ask your liaison how to report care given before the change.'),
  MEMBER_REASSIGNED_COUNTED: w('row', 'This member was yours (on your latest MIF, or assigned to you during this reporting period) but the plan has since assigned them to another ECM provider{detail}: the row counts for this reporting period, and changes nothing in the member\'s record. From your next MIF on, leave the member out.'),
  MEMBER_NOT_ELIGIBLE: w('row', 'The plan has this member\'s Medi-Cal eligibility with the plan ending on {date}, before this reporting period: the row is accepted; {action}.'),
  MEMBER_LEFT_LINE: w('row', 'The plan has this member in another of its lines of business from the day after {date}, before this reporting period: the row is accepted; report the ECM discontinuation (status 4 with its end date) and leave the member out of your next {lob} files.'),
  NAME_MISMATCH: w('row', '{column} differs from the plan\'s record for this member. Check the CIN; no change is needed if the name is right.'),
  DOB_MISMATCH: w('row', '{column} differs from the plan\'s record for this member. Check the CIN.'),
  NOT_ON_CSASF: e('row', 'This member and service ({value}) are not on the latest CSASF sent to you{detail}. Report only members on your most recent CSASF; adding a member here does not create an authorization.'),
  AUTH_NOT_APPROVED: e('row', 'Status 3 (Currently Delivering Service) needs an approved authorization on your latest CSASF; for this member and service it is {value}. {detail}.'),
  AUTH_NUMBER_MISMATCH: e('row', '{column} ({value}) does not match the authorization number on your latest CSASF for this member and service ({expected}). Report on the authorization sent to you.'),
  CS_LOB_MISMATCH: e('row', '{column} {value} is not the line of business of this member\'s authorization for this service on your latest CSASF ({expected}). Enter {expected}: a CS service is reported under the line of business it was authorized for.'),
  SERVICE_OUTSIDE_AUTH: e('row', '{column} ({value}) is outside the authorization dates on your CSASF ({expected}).'),
  UE_OUTREACH_INSUFFICIENT: w('row', 'Discontinued as UE (unable to engage), but the outreach tracker shows {detail}; the plan expects at least {expected} before unable to engage. Send the missing attempts on your OTF.'),
  PAST_ENROLLMENT_NOT_REPORTED: w('sheet', 'An enrolled member on your latest MIF is missing from this RTF (past enrollment not reported). Include every new and past enrollment on the latest MIF.'),
  CASELOAD_HIGH: w('sheet', 'Lead Care Manager {detail} has {count} enrolled members, above the {limit} the plan expects per care manager.'),

  DUPLICATE_CIN_SERVICE: e('row', 'This member and CS service are already on row {row} of this file. Send one row per member and service: merge the two rows.'),
} as const satisfies Record<string, IssueDef>;

export type IssueCode = keyof typeof ISSUES;
export const ISSUE_CODES = Object.keys(ISSUES) as IssueCode[];
/** `CODES.CIN_FORMAT === 'CIN_FORMAT'`: reference codes without string literals. */
export const CODES = Object.fromEntries(ISSUE_CODES.map((c) => [c, c])) as { readonly [K in IssueCode]: K };

/**
 * AUTH_NOT_APPROVED's {detail}: what the provider reports instead of status 3, by the
 * authorization's status on the CSASF. A request (or a potential member) may still be approved; a
 * denied or expired authorization will not be, so "until it is approved" would have the provider
 * wait for nothing.
 */
export const NOT_APPROVED_ACTION: Readonly<Record<'Denied' | 'Expired' | 'other', string>> = {
  Denied: 'It was denied, so no service under it is covered: report status 4 if you have stopped, or status 1 or 2 while the plan reviews a new request',
  Expired: 'It has ended: ask the plan for a re-authorization, and report status 1, 2 or 4 until one is approved',
  other: 'Report status 1, 2 or 4 until the authorization is approved',
};

/** MEMBER_NOT_ELIGIBLE's {action}: what the provider does next, by program (the rest of the message is the catalogue's). */
export const NOT_ELIGIBLE_ACTION: Readonly<Record<'ECM' | 'CS', string>> = {
  ECM: 'report the ECM discontinuation (status 4 with its end date) and leave the member out of your next files',
  CS: 'stop services and report them discontinued (status 4): the member leaves your CSASF',
};

export type MessageParams = Readonly<Record<string, string | number | undefined>>;

export function severityOf(code: IssueCode): Severity {
  return ISSUES[code].severity;
}

/** Fills the template; an absent placeholder reads as blank. */
export function formatMessage(code: IssueCode, params: MessageParams = {}): string {
  return ISSUES[code].message.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    return v === undefined ? '' : String(v);
  });
}

/**
 * A code's message as a reference entry (the response's Codes sheet): `known` placeholders filled
 * in (the deadline rule, say), {column} read as "the column", and what differs from file to file
 * left as "…". No raw placeholder reaches a provider.
 */
export function codeMeaning(code: IssueCode, known: MessageParams = {}): string {
  const template = ISSUES[code].message;
  return template.replace(/\{(\w+)\}/g, (_, k: string, at: number) => {
    const v = known[k];
    const text = v !== undefined ? String(v) : k === 'column' ? 'the column' : '…';
    const startsSentence = at === 0 || /[.!?]\s+$/.test(template.slice(0, at));
    return startsSentence ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  });
}
