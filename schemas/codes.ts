// The code sets of spec/layouts.md, each a table: code → meaning. Readers, validators,
// writers (drop-down lists) and the response Codes sheet all use these.

export const LINES_OF_BUSINESS = { HN: 'Health Net', CV: 'CalViva Health', CHPIV: 'Community Health Plan of Imperial Valley' } as const;
export type Lob = keyof typeof LINES_OF_BUSINESS;
/** Every line of business, in declaration order (a statement that names every line, so a key starting with the line finds its rows). */
export const LOB_CODES: readonly Lob[] = Object.keys(LINES_OF_BUSINESS) as Lob[];

export const PROGRAMS = { ECM: 'Enhanced Care Management', CS: 'Community Supports' } as const;
export type Program = keyof typeof PROGRAMS;
export const PROGRAM_CODES: readonly Program[] = Object.keys(PROGRAMS) as Program[];

export const ECM_STATUS = { '1': 'Pending Outreach', '2': 'Currently in Outreach', '3': 'Enrolled', '4': 'Declined / Discontinued' } as const;

export const ACUITY = { Low: 'Low', Medium: 'Medium', High: 'High' } as const;
export type Acuity = keyof typeof ACUITY;

export const POF = {
  '1a': 'Homeless adults without dependent children/youth',
  '1b': 'Homeless families or unaccompanied children/youth',
  '2': 'At risk for avoidable hospital or ED use',
  '3': 'Serious mental health and/or SUD needs',
  '4': 'Transitioning from incarceration',
  '5': 'Adults in the community at risk for long-term-care institutionalization',
  '6': 'Adult nursing facility residents transitioning to the community',
  '7': 'Children/youth in CCS or CCS WCM with needs beyond the CCS condition',
  '8': 'Children/youth involved in child welfare',
  '9': 'Birth equity',
} as const;

export const DISCONTINUATION_REASONS = {
  WM: 'Well managed / no longer needed',
  DP: 'Declined to participate',
  UE: 'Unable to engage',
  UBE: 'Unsafe behaviour or environment',
  EXP: 'Deceased',
  NE: 'Not enrolled with the plan',
  OH: 'Medi-Cal on hold or terminated',
  CAP: 'Provider at capacity',
  ERR: 'Member information incorrect',
  SC: 'Successfully completed',
  OTH: 'Other (describe in Discontinuation Reason)',
} as const;

export const CS_SERVICES = {
  HTN: 'Housing Transition Navigation',
  HD: 'Housing Deposits',
  HTSS: 'Housing Tenancy and Sustaining Services',
  STPHH: 'Short-Term Post-Hospitalization Housing',
  RC: 'Recuperative Care (Medical Respite)',
  RS: 'Respite Services',
  DHP: 'Day Habilitation Programs',
  NFTD: 'Nursing Facility Transition/Diversion to Assisted Living Facilities',
  CTS: 'Community Transition Services / Nursing Facility Transition to a Home',
  PCH: 'Personal Care and Homemaker Services',
  EAA: 'Environmental Accessibility Adaptations (Home Modifications)',
  MTM: 'Medically Tailored Meals / Medically Supportive Food',
  SOB: 'Sobering Centers',
  AR: 'Asthma Remediation',
} as const;
export type CsService = keyof typeof CS_SERVICES;

/** Services for which "Has Member Been Housed" applies. */
export const HOUSING_SERVICES: readonly CsService[] = ['HTN', 'HD', 'HTSS', 'STPHH', 'NFTD', 'CTS'];

export const CS_ENGAGEMENT_STATUS = {
  '1': 'Pending Outreach',
  '2': 'Currently in Outreach',
  '3': 'Currently Delivering Service',
  '4': 'Services Discontinued',
} as const;

export const OTF_METHOD = { '1': 'In-Person', '2': 'Telephonic/Electronic (phone, video, text, email, mail)' } as const;
export const CS_OUTREACH_METHOD = { '1': 'In-Person', '2': 'Telephonic', '3': 'Electronic' } as const;
export const PROVIDER_TYPE = { '1': 'Clinical staff', '2': 'Non-clinical staff' } as const;
export const HOUSED = { '1': 'Yes', '0': 'No' } as const;
export const GENDER = { F: 'Female', M: 'Male', X: 'Non-binary', U: 'Unknown' } as const;
export const CS_RECORD_TYPE = { AUTHORIZED: 'Has an authorization', POTENTIAL: 'New potential member, no authorization yet' } as const;
export const AUTH_STATUS = { Approved: 'Approved', Pending: 'Pending', Denied: 'Denied', Expired: 'Expired' } as const;
export const MIF_TYPE = { MONTHLY: 'Monthly MIF', MINI: 'Ad hoc mini-MIF' } as const;

export type CodeSet = Readonly<Record<string, string>>;
