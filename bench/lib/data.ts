// Deterministic synthetic data for the benchmark: providers, members, ECM assignments and the
// RTF rows a provider returns for them. Everything derives from indexes (no randomness), so
// the seeding process and the case runners agree on every value without sharing state.
import { npiWithCheckDigit } from '../../schemas/primitives.js';

export const LAST = [
  'Garcia', 'Hernandez', 'Lopez', 'Martinez', 'Gonzalez', 'Rodriguez', 'Perez', 'Sanchez', 'Ramirez', 'Torres', 'Flores', 'Rivera', 'Gomez',
  'Diaz', 'Reyes', 'Cruz', 'Morales', 'Ortiz', 'Gutierrez', 'Chavez', 'Ramos', 'Ruiz', 'Alvarez', 'Mendoza', 'Castillo', 'Jimenez', 'Vasquez',
  'Moreno', 'Romero', 'Herrera', 'Medina', 'Aguilar', 'Vargas', 'Guzman', 'Mendez', 'Castro', 'Munoz', 'Nunez', 'Pena', 'Ibarra', 'Smith',
  'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee',
  'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Hill', 'Green', 'Adams',
  'Nguyen', 'Tran', 'Le', 'Pham', 'Vang', 'Xiong', 'Yang', 'Thao', 'Lor', 'Moua', 'Her', 'Vue', 'Kim', 'Park', 'Singh', 'Kaur', 'Patel', 'Khan',
  'Baker', 'Nelson', 'Carter', 'Mitchell', 'Roberts', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins',
];
export const FIRST = [
  'Maria', 'Jose', 'Juan', 'Luis', 'Carlos', 'Ana', 'Rosa', 'Jesus', 'Miguel', 'Sofia', 'Isabella', 'Daniel', 'David', 'James', 'John', 'Robert',
  'Michael', 'William', 'Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth', 'Barbara', 'Susan', 'Jessica', 'Sarah', 'Karen', 'Nancy', 'Lisa',
  'Betty', 'Margaret', 'Sandra', 'Ashley', 'Kimberly', 'Emily', 'Donna', 'Michelle', 'Dorothy', 'Carol', 'Amanda', 'Melissa', 'Deborah',
  'Stephanie', 'Rebecca', 'Sharon', 'Laura', 'Cynthia', 'Kathleen', 'Amy', 'Angela', 'Shirley', 'Anna', 'Brenda', 'Pamela', 'Emma', 'Nicole',
  'Helen', 'Samantha', 'Katherine', 'Christine', 'Debra', 'Rachel', 'Carolyn', 'Janet', 'Catherine', 'Heather', 'Diane', 'Ruth', 'Julie',
  'Joyce', 'Virginia', 'Victoria', 'Kelly', 'Lauren', 'Christina', 'Joan', 'Evelyn', 'Judith', 'Megan', 'Andrea', 'Cheryl', 'Hannah', 'Jacqueline',
  'Martha', 'Gloria', 'Teresa', 'Ann', 'Sara', 'Madison', 'Frances', 'Kathryn', 'Janice', 'Jean', 'Abigail', 'Alice', 'Judy', 'Sophia', 'Grace',
  'Denise', 'Amber', 'Doris', 'Marilyn', 'Danielle', 'Beverly', 'Isabel', 'Theresa', 'Diana', 'Natalie', 'Brittany', 'Charlotte', 'Marie', 'Kayla',
];
const CITIES = ['Fresno', 'Madera', 'Clovis', 'Sanger', 'Selma', 'Reedley', 'Kerman', 'Visalia', 'Tulare', 'Hanford', 'Merced', 'Chowchilla'];
const STREETS = ['Main St', 'Oak Ave', 'Blackstone Ave', 'Shaw Ave', 'Cedar Ave', 'Kings Canyon Rd', 'Olive Ave', 'Belmont Ave', 'Tulare St', 'Ventura Ave'];
const LANGS = ['English', 'Spanish', 'Hmong', 'Punjabi', 'Vietnamese', 'Lao', 'Khmer', 'Arabic'];
export const LCMS = Array.from({ length: 400 }, (_, i) => `${FIRST[(i * 7) % FIRST.length]} ${LAST[(i * 13) % LAST.length]}`);

export interface BenchProvider { code: string; npi: string; tin: string; name: string; phone: string; lobs: string[] }

export function provider(code: string, n: number, lobs: string[] = ['HN', 'CV']): BenchProvider {
  return {
    code,
    npi: npiWithCheckDigit(`1${String(200000000 + n * 7919).slice(1, 9).padStart(8, '0')}`),
    tin: String(300000000 + n * 104729).slice(0, 9),
    name: `${LAST[n % LAST.length]} Community Health ${n}`,
    phone: `559555${String(1000 + (n % 9000)).padStart(4, '0')}`,
    lobs,
  };
}

/** The i-th member of the whole synthetic plan (global index). */
export interface BenchMember {
  cin: string;
  mcpMemberId: string;
  lastName: string;
  firstName: string;
  dob: string;
  gender: string;
  language: string;
  address: string;
  city: string;
  state: string;
  zip: string;
  phone: string;
  county: string;
  homeless: boolean;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

export function member(i: number): BenchMember {
  return {
    // 8 digits + a letter; the leading 3 keeps it from being a placeholder (all the same digit).
    cin: `${30000000 + i}${LETTERS[i % LETTERS.length]}`,
    mcpMemberId: `M${pad(i, 9)}`,
    lastName: LAST[(i * 31) % LAST.length]!,
    firstName: FIRST[(i * 17) % FIRST.length]!,
    dob: `${1940 + (i % 70)}-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}`,
    gender: 'FMFMX'[i % 5]!,
    language: LANGS[i % LANGS.length]!,
    address: `${100 + (i % 9000)} ${STREETS[i % STREETS.length]}`,
    city: CITIES[i % CITIES.length]!,
    state: 'CA',
    zip: `93${pad(600 + (i % 130), 3)}`,
    phone: `559${pad(2000000 + (i % 7000000), 7)}`,
    county: i % 3 === 0 ? 'Madera' : 'Fresno',
    homeless: i % 23 === 0,
  };
}

/** The member's assignment to its provider (k = index within the provider's caseload). */
export interface BenchAssignment {
  lob: string;
  status: number;
  assignedDate: string;
  enrollmentStart: string | null;
  acuity: string | null;
  lcmName: string | null;
  lcmPhone: string | null;
}

export function assignment(k: number, lobs: readonly string[]): BenchAssignment {
  const lob = lobs.length > 1 && k % 5 === 4 ? lobs[1]! : lobs[0]!;
  const r = k % 20;
  const status = r < 5 ? 1 : r < 12 ? 2 : r < 19 ? 3 : 4;
  const enrolled = status === 3;
  return {
    lob,
    status,
    assignedDate: `2026-${pad(1 + (k % 9), 2)}-${pad(1 + (k % 27), 2)}`,
    enrollmentStart: enrolled ? `2026-${pad(1 + (k % 9), 2)}-${pad(2 + (k % 26), 2)}` : null,
    acuity: enrolled ? ['Low', 'Medium', 'High'][k % 3]! : null,
    lcmName: enrolled ? LCMS[k % LCMS.length]! : null,
    lcmPhone: enrolled ? `559777${pad(k % LCMS.length, 4)}` : null,
  };
}

type Cell = string | number | Date | null;
const date = (iso: string | null): Date | null => (iso ? new Date(`${iso}T00:00:00Z`) : null);

/** Share of rows the bench file gets wrong on purpose (a realistic few percent). */
export const BAD_EVERY = 50;

/**
 * The RTF row (in RTF layout column order, as the provider's spreadsheet holds it) for the
 * k-th member of a provider. One row in BAD_EVERY carries an error (bad phone, placeholder
 * CIN, an enrolled member without a start date, or a member of nobody).
 */
export function rtfRow(p: BenchProvider, k: number, m: BenchMember, a: BenchAssignment): Cell[] {
  const enrolled = a.status === 3;
  const declined = a.status === 4;
  const newAddress = k % 10 === 3;
  const newPhone = k % 20 === 7;
  const pof = k % 5 === 1;
  const referral = k % 4 === 2;
  const bad = k % BAD_EVERY === BAD_EVERY - 1 ? Math.floor(k / BAD_EVERY) % 4 : -1;
  const status = a.status === 1 && k % 3 === 0 ? 2 : a.status;
  const start = a.enrollmentStart;
  const plus = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000);
  const row: Cell[] = [
    a.lob,
    a.lob === 'HN' ? 'Health Net' : 'CalViva Health',
    bad === 1 ? '11111111A' : bad === 3 ? `${90000000 + k}Z` : m.cin,
    m.lastName,
    m.firstName,
    newAddress ? 'Y' : 'N',
    m.homeless ? 'Y' : 'N',
    newAddress ? `${200 + (k % 800)} ${STREETS[(k + 3) % STREETS.length]}` : null,
    newAddress ? CITIES[(k + 1) % CITIES.length]! : null,
    newAddress ? 'CA' : null,
    newAddress ? `93${pad(700 + (k % 20), 3)}` : null,
    newPhone ? 'Y' : 'N',
    newPhone ? (bad === 0 ? '555-12' : `559${pad(3000000 + (k % 6000000), 7)}`) : bad === 0 ? '555-12' : null,
    pof ? 'Y' : 'N',
    pof ? ['1a;3', '2', '3', '1b', '5;6'][k % 5]! : null,
    String(status),
    a.acuity ?? 'Low',
    enrolled && bad !== 2 ? date(start) : null,
    null,
    enrolled && start ? plus(start, 20) : null,
    enrolled && k % 7 === 0 ? date('2026-11-10') : null,
    enrolled && start ? plus(start, 5) : null,
    enrolled && start ? plus(start, 25) : null,
    enrolled || status === 2 ? date(`2026-11-${pad(1 + (k % 28), 2)}`) : null,
    enrolled ? a.lcmName : null,
    enrolled ? a.lcmPhone : null,
    enrolled ? `${a.lcmName!.toLowerCase().replace(' ', '.')}@${p.code.toLowerCase()}.example` : null,
    declined ? date('2026-11-20') : null,
    declined ? 'DP' : null,
    null,
    k % 4,
    k % 3,
    date('2026-12-02'),
    '11/2026',
    p.name,
    p.npi,
    p.tin,
    p.phone,
    referral ? ['Accepted', 'Pending', 'Services Received'][k % 3]! : null,
    referral ? date(`2026-11-${pad(1 + (k % 28), 2)}`) : null,
    referral && k % 3 === 2 ? 'Services Received' : null,
  ];
  if (bad === 0 && !newPhone) row[11] = 'Y';
  return row;
}

/**
 * The OTF row (OTF layout column order) of one outreach attempt for the k-th member of a
 * provider: two attempts a member (k and k + 1 share one), in November, by phone or in person.
 */
export function otfRow(p: BenchProvider, k: number, m: BenchMember, a: BenchAssignment): Cell[] {
  return [
    a.lob,
    a.lob === 'HN' ? 'Health Net' : 'CalViva Health',
    p.name,
    p.npi,
    p.tin,
    `${m.firstName} ${m.lastName}`,
    m.cin,
    String(1 + (k % 2)),
    date(`2026-11-${pad(1 + ((k * 7) % 28), 2)}`),
    String(1 + ((k >> 1) % 2)),
    k % 5 === 0 ? 'Y' : 'N',
    5 + (k % 40),
  ];
}
