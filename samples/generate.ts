// A small synthetic plan for the demo and the tests: providers, members, ECM assignments,
// referrals and CS authorizations, written as the upstream extracts `calaim-exchange import`
// loads (DESIGN.md §2; columns from schemas/upstream.ts). Deterministic: a fixed seed and a
// fixed base month, no clock, so `npm run samples` always writes byte-identical files.
// Every person, CIN, NPI, address and phone number here is made up.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CS_SERVICES, POF, type CsService, type Lob } from '../schemas/codes.js';
import { addDays, daysBetween, npiWithCheckDigit, type IsoDate } from '../schemas/primitives.js';
import { UPSTREAM, type UpstreamKind } from '../schemas/upstream.js';

/** The demo month: MIF and CSASF of 2026-10 go out in October; RTFs for it come back 2026-11-01..10. */
export const SAMPLE_MONTH = '2026-10';
/** The seed of the PRNG. Change it and every file changes. */
export const SEED = 20261015;
export const MEMBER_COUNT = 2000;
/** Referrals are approved on every day of this range (inclusive). */
export const REFERRAL_FIRST_DAY: IsoDate = '2026-10-01';
export const REFERRAL_LAST_DAY: IsoDate = '2026-11-20';
/** Upstream data (assignments, authorizations) is as of the day before the sample month. */
const AS_OF: IsoDate = '2026-09-30';

export const SAMPLE_FILES: Record<UpstreamKind, string> = {
  providers: 'providers.csv',
  members: 'members.csv',
  'ecm-assignments': 'ecm-assignments.csv',
  referrals: 'referrals.csv',
  'cs-authorizations': 'cs-authorizations.csv',
};

// ---------------------------------------------------------------------------------------
// PRNG: mulberry32 (public domain), 32-bit state, good enough for synthetic data.

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  date(from: IsoDate, to: IsoDate): IsoDate {
    return addDays(from, this.int(0, daysBetween(from, to)));
  }
  /** k distinct items, in list order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const idx = items.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx.slice(0, k).sort((a, b) => a - b).map((i) => items[i]!);
  }
}

// ---------------------------------------------------------------------------------------
// Reference lists (small, built in).

const FIRST_F = [
  'Maria', 'Guadalupe', 'Juana', 'Rosa', 'Ana', 'Sofia', 'Isabella', 'Camila', 'Jennifer', 'Jessica', 'Ashley', 'Emily',
  'Linda', 'Patricia', 'Mary', 'Barbara', 'Nguyen Thi', 'Mai', 'Lan', 'Linh', 'Xia', 'Mee', 'Pa', 'Gurpreet', 'Harpreet',
  'Jasmine', 'Aaliyah', 'Destiny', 'Angela', 'Norma', 'Yesenia', 'Leticia', 'Alejandra', 'Veronica', 'Kimberly', 'Grace',
  'Mei', 'Anahit', 'Fatima', 'Olivia',
] as const;
const FIRST_M = [
  'Jose', 'Juan', 'Luis', 'Carlos', 'Jesus', 'Miguel', 'Francisco', 'Antonio', 'Daniel', 'David', 'Michael', 'James',
  'Robert', 'John', 'Christopher', 'Anthony', 'Minh', 'Tuan', 'Duc', 'Tou', 'Pao', 'Chue', 'Gurpreet', 'Harjit', 'Manpreet',
  'DeShawn', 'Marcus', 'Andre', 'Jaime', 'Ricardo', 'Alejandro', 'Eduardo', 'Kevin', 'Brian', 'Wei', 'Armen', 'Omar',
  'Samuel', 'Ethan', 'Noah',
] as const;
const FIRST_X = ['Alex', 'Jordan', 'Taylor', 'Casey', 'River', 'Sky', 'Jamie', 'Avery'] as const;
const LAST = [
  'Garcia', 'Hernandez', 'Lopez', 'Martinez', 'Rodriguez', 'Gonzalez', 'Perez', 'Sanchez', 'Ramirez', 'Torres', 'Flores',
  'Rivera', 'Gomez', 'Diaz', 'Reyes', 'Cruz', 'Morales', 'Ortiz', 'Gutierrez', 'Chavez', 'Ramos', 'Ruiz', 'Alvarez',
  'Mendoza', 'Castillo', 'Jimenez', 'Vasquez', 'Moreno', 'Romero', 'Herrera', 'Medina', 'Aguilar', 'Vargas', 'Guzman',
  'Nguyen', 'Tran', 'Le', 'Pham', 'Vang', 'Xiong', 'Yang', 'Lee', 'Thao', 'Moua', 'Singh', 'Kaur', 'Sandhu', 'Gill',
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Thomas', 'Jackson', 'White',
  'Harris', 'Martin', 'Thompson', 'Robinson', 'Walker', 'Young', 'Wong', 'Chen', 'Kim', 'Park', 'Santos', 'Reyes-Lopez',
  "O'Brien", 'Hovsepian', 'Sarkisian', 'Haddad', 'Ali',
] as const;
const STREETS = [
  'Main', 'Maple', 'Oak', 'Olive', 'Cedar', 'Pine', 'Walnut', 'Elm', 'Sierra', 'Shaw', 'Blackstone', 'Ventura', 'Tulare',
  'Kings Canyon', 'Cesar Chavez', 'Imperial', 'Adams', 'Washington', 'Lincoln', 'Jefferson', 'Palm', 'Mission', 'Vista',
  'Orange', 'Fig', 'Magnolia', 'Hacienda', 'El Camino', 'Rio Grande', 'Alta Vista',
] as const;
const SUFFIXES = ['St', 'Ave', 'Blvd', 'Dr', 'Way', 'Rd', 'Ln', 'Ct'] as const;
const SHELTERS = ['Poverello House', 'Salvation Army Shelter', 'Rescue Mission', 'Family Shelter', 'General Delivery'] as const;

interface Place {
  city: string;
  zip: string;
  county: string;
  area: string; // phone area code
}
/** Member home areas per line of business (real city / ZIP / county combinations). */
const PLACES: Record<Lob, readonly Place[]> = {
  HN: [
    { city: 'Los Angeles', zip: '90011', county: 'Los Angeles', area: '323' },
    { city: 'Los Angeles', zip: '90033', county: 'Los Angeles', area: '323' },
    { city: 'Long Beach', zip: '90813', county: 'Los Angeles', area: '562' },
    { city: 'Pasadena', zip: '91103', county: 'Los Angeles', area: '626' },
    { city: 'Sacramento', zip: '95817', county: 'Sacramento', area: '916' },
    { city: 'Sacramento', zip: '95823', county: 'Sacramento', area: '916' },
    { city: 'Elk Grove', zip: '95758', county: 'Sacramento', area: '916' },
    { city: 'San Diego', zip: '92105', county: 'San Diego', area: '619' },
    { city: 'Chula Vista', zip: '91910', county: 'San Diego', area: '619' },
    { city: 'Bakersfield', zip: '93307', county: 'Kern', area: '661' },
    { city: 'Visalia', zip: '93291', county: 'Tulare', area: '559' },
    { city: 'Stockton', zip: '95205', county: 'San Joaquin', area: '209' },
    { city: 'Modesto', zip: '95351', county: 'Stanislaus', area: '209' },
  ],
  CV: [
    { city: 'Fresno', zip: '93701', county: 'Fresno', area: '559' },
    { city: 'Fresno', zip: '93702', county: 'Fresno', area: '559' },
    { city: 'Fresno', zip: '93706', county: 'Fresno', area: '559' },
    { city: 'Fresno', zip: '93727', county: 'Fresno', area: '559' },
    { city: 'Clovis', zip: '93612', county: 'Fresno', area: '559' },
    { city: 'Sanger', zip: '93657', county: 'Fresno', area: '559' },
    { city: 'Reedley', zip: '93654', county: 'Fresno', area: '559' },
    { city: 'Hanford', zip: '93230', county: 'Kings', area: '559' },
    { city: 'Lemoore', zip: '93245', county: 'Kings', area: '559' },
    { city: 'Madera', zip: '93637', county: 'Madera', area: '559' },
    { city: 'Chowchilla', zip: '93610', county: 'Madera', area: '559' },
  ],
  CHPIV: [
    { city: 'El Centro', zip: '92243', county: 'Imperial', area: '760' },
    { city: 'Calexico', zip: '92231', county: 'Imperial', area: '760' },
    { city: 'Brawley', zip: '92227', county: 'Imperial', area: '760' },
    { city: 'Imperial', zip: '92251', county: 'Imperial', area: '760' },
    { city: 'Holtville', zip: '92250', county: 'Imperial', area: '760' },
    { city: 'Calipatria', zip: '92233', county: 'Imperial', area: '760' },
  ],
};
const LANGUAGES: Record<Lob, readonly (readonly [string, number])[]> = {
  HN: [['English', 45], ['Spanish', 35], ['Vietnamese', 4], ['Tagalog', 3], ['Armenian', 3], ['Korean', 2], ['Cantonese', 2], ['Mandarin', 2], ['Russian', 1], ['Farsi', 1], ['Arabic', 1], ['Punjabi', 1]],
  CV: [['English', 40], ['Spanish', 45], ['Hmong', 8], ['Punjabi', 4], ['Lao', 2], ['Arabic', 1]],
  CHPIV: [['Spanish', 65], ['English', 35]],
};
const REFERRING_ORGS = [
  'Community Regional Medical Center', 'Kaweah Health Medical Center', 'El Centro Regional Medical Center',
  'Pioneers Memorial Hospital', 'Sutter Medical Center Sacramento', 'LAC+USC Medical Center', 'Scripps Mercy Hospital',
  'County Behavioral Health', 'Clinica Sierra Vista', 'Family HealthCare Network', 'Clinicas de Salud del Pueblo',
  'Self-referral', 'Plan Care Management',
] as const;

// ---------------------------------------------------------------------------------------
// Providers: one row per contract (lob × program).

interface ProviderSpec {
  code: string;
  name: string;
  domain: string;
  area: string;
  ecm: readonly Lob[];
  cs: readonly Lob[];
  /** CS services this provider offers (empty for ECM-only providers). */
  services: readonly CsService[];
}

const ALL_SERVICES = Object.keys(CS_SERVICES) as CsService[];

export const PROVIDERS: readonly ProviderSpec[] = [
  { code: 'ACMEHLTH', name: 'Acme Health Partners', domain: 'acmehealth.example', area: '559', ecm: ['HN', 'CV'], cs: ['HN', 'CV'], services: ['HTN', 'HTSS', 'HD', 'RC', 'STPHH'] },
  { code: 'SUNVLYCM', name: 'Sun Valley Care Management', domain: 'sunvalleycm.example', area: '323', ecm: ['HN'], cs: [], services: [] },
  { code: 'FRESNOCC', name: 'Fresno Community Care', domain: 'fresnocc.example', area: '559', ecm: ['CV'], cs: [], services: [] },
  { code: 'IMPVLYHS', name: 'Imperial Valley Health Services', domain: 'ivhs.example', area: '760', ecm: ['CHPIV'], cs: ['CHPIV'], services: ['HTN', 'HTSS', 'HD', 'STPHH', 'RC', 'RS', 'DHP'] },
  { code: 'HOMEFRST', name: 'Home First Housing Collaborative', domain: 'homefirst.example', area: '916', ecm: [], cs: ['HN', 'CV'], services: ['HTN', 'HD', 'HTSS', 'STPHH', 'CTS'] },
  { code: 'GOLDMEAL', name: 'Golden State Meals', domain: 'goldenstatemeals.example', area: '213', ecm: [], cs: ['HN', 'CV', 'CHPIV'], services: ['MTM'] },
  { code: 'BAYRESPT', name: 'Bayside Respite and Day Programs', domain: 'baysiderespite.example', area: '619', ecm: [], cs: ['HN'], services: ['RS', 'DHP', 'PCH'] },
  { code: 'CENTRLCM', name: 'Central Valley Care Coordination', domain: 'cvcarecoord.example', area: '209', ecm: ['HN', 'CV'], cs: [], services: [] },
  { code: 'DESERTCS', name: 'Desert Community Supports', domain: 'desertcs.example', area: '760', ecm: [], cs: ['CHPIV'], services: ['NFTD', 'CTS', 'PCH', 'EAA', 'SOB', 'AR'] },
  { code: 'PACIFCHW', name: 'Pacific Community Health Workers', domain: 'pacificchw.example', area: '619', ecm: ['HN', 'CHPIV'], cs: [], services: [] },
  { code: 'SIERRARC', name: 'Sierra Recuperative Care', domain: 'sierrarc.example', area: '559', ecm: [], cs: ['HN', 'CV'], services: ['RC', 'STPHH', 'SOB'] },
  { code: 'HARBORCL', name: 'Harbor Community Clinic', domain: 'harborclinic.example', area: '562', ecm: ['HN'], cs: ['HN'], services: ['NFTD', 'PCH', 'EAA', 'AR', 'MTM'] },
  { code: 'KINGSFAM', name: 'Kings Family Services', domain: 'kingsfamily.example', area: '559', ecm: ['CV'], cs: ['CV'], services: ['RS', 'DHP', 'NFTD', 'PCH', 'EAA', 'AR'] },
  { code: 'SAFEHAVN', name: 'Safe Haven Sobering Center', domain: 'safehaven.example', area: '916', ecm: [], cs: ['HN'], services: ['SOB'] },
];

const LOBS: readonly Lob[] = ['HN', 'CV', 'CHPIV'];
const LIAISONS: Record<Lob, readonly string[]> = {
  HN: ['hn.liaison1@healthplan.example', 'hn.liaison2@healthplan.example'],
  CV: ['cv.liaison@healthplan.example'],
  CHPIV: ['chpiv.liaison@healthplan.example'],
};

// ---------------------------------------------------------------------------------------
// Generation.

type Row = Record<string, string>;

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * CSV text with exactly the columns of UPSTREAM[kind], in order, then those of its optional
 * columns any row gives (in their declared order); '\n' line ends (a null is an empty field).
 */
export function toCsv(kind: UpstreamKind, rows: readonly Readonly<Record<string, string | null>>[]): string {
  const spec = UPSTREAM[kind];
  const optional = (spec.optionalColumns as readonly string[]).filter((c) => rows.some((r) => c in r));
  const columns: readonly string[] = [...spec.columns, ...optional];
  const lines = [columns.join(',')];
  for (const row of rows) {
    for (const k of Object.keys(row)) if (!columns.includes(k)) throw new Error(`${kind}: unknown column ${k}`);
    lines.push(columns.map((c) => csvField(row[c] ?? '')).join(','));
  }
  return lines.join('\n') + '\n';
}

interface Member {
  cin: string;
  lob: Lob;
  dob: IsoDate;
  gender: string;
  homeless: boolean;
}

const ageOn = (dob: IsoDate, on: IsoDate): number => {
  const [y1, m1, d1] = dob.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = on.split('-').map(Number) as [number, number, number];
  return y2 - y1 - (m2 < m1 || (m2 === m1 && d2 < d1) ? 1 : 0);
};

function phone(rng: Rng, area: string): string {
  return area + String(rng.int(2, 9)) + rng.digits(2) + rng.digits(4);
}

export interface SamplePlan {
  rows: Record<UpstreamKind, Row[]>;
  /** The CSV text of each file, keyed by file name. */
  files: Record<string, string>;
}

/** Builds the whole plan in memory. Pure: the same seed always gives the same text. */
export function generateSamples(seed = SEED): SamplePlan {
  const rng = new Rng(seed);

  // Providers ---------------------------------------------------------------------------
  const providerRows: Row[] = [];
  const usedNpis = new Set<string>();
  const ecmByLob = new Map<Lob, ProviderSpec[]>(LOBS.map((l) => [l, []]));
  const csByLob = new Map<Lob, ProviderSpec[]>(LOBS.map((l) => [l, []]));
  const lcms = new Map<string, { name: string; phone: string }[]>();
  for (const p of PROVIDERS) {
    let npi: string;
    do npi = npiWithCheckDigit(rng.pick(['1', '2'] as const) + rng.digits(8));
    while (usedNpis.has(npi));
    usedNpis.add(npi);
    const tin = String(rng.int(10, 99)) + rng.digits(7);
    const officePhone = phone(rng, p.area);
    const contracts: [Lob, 'ECM' | 'CS'][] = [];
    for (const lob of LOBS) {
      if (p.ecm.includes(lob)) contracts.push([lob, 'ECM']);
      if (p.cs.includes(lob)) contracts.push([lob, 'CS']);
    }
    for (const [lob, program] of contracts) {
      providerRows.push({
        provider_code: p.code,
        npi,
        tin,
        name: p.name,
        lob,
        program,
        phone: officePhone,
        contact_email: `${program.toLowerCase()}.files@${p.domain}`,
        liaison_email: rng.pick(LIAISONS[lob]),
      });
      (program === 'ECM' ? ecmByLob : csByLob).get(lob)!.push(p);
    }
    if (p.ecm.length) {
      const team = [];
      for (let i = 0, n = rng.int(3, 5); i < n; i++) {
        const female = rng.chance(0.7);
        team.push({ name: `${rng.pick(female ? FIRST_F : FIRST_M)} ${rng.pick(LAST)}`, phone: phone(rng, p.area) });
      }
      lcms.set(p.code, team);
    }
  }
  for (const lob of LOBS) {
    if (!ecmByLob.get(lob)!.length) throw new Error(`no ECM provider for ${lob}`);
    const offered = new Set(csByLob.get(lob)!.flatMap((p) => p.services));
    const missing = ALL_SERVICES.filter((s) => !offered.has(s));
    if (missing.length) throw new Error(`${lob}: no CS provider offers ${missing.join(', ')}`);
  }

  // Members -----------------------------------------------------------------------------
  const memberRows: Row[] = [];
  const members: Member[] = [];
  const cins = new Set<string>();
  const memberIds = new Set<string>();
  for (let i = 0; i < MEMBER_COUNT; i++) {
    let cin: string;
    do cin = '9' + rng.digits(7) + String.fromCharCode(65 + rng.int(0, 25));
    while (cins.has(cin) || /^(\d)\1{7}/.test(cin));
    cins.add(cin);
    let memberId: string;
    do memberId = 'M' + rng.digits(9);
    while (memberIds.has(memberId));
    memberIds.add(memberId);
    const lob = rng.weighted<Lob>([['HN', 50], ['CV', 35], ['CHPIV', 15]]);
    const gender = rng.weighted([['F', 52], ['M', 45], ['X', 1], ['U', 2]] as const);
    const first = rng.pick(gender === 'F' ? FIRST_F : gender === 'M' ? FIRST_M : rng.chance(0.5) ? FIRST_X : rng.pick([FIRST_F, FIRST_M]));
    // ages 0-90, weighted to adults; children are an ECM population of focus
    const age = rng.weighted([[rng.int(0, 17), 22], [rng.int(18, 39), 30], [rng.int(40, 64), 33], [rng.int(65, 90), 15]] as const);
    const dob = addDays(`${2026 - age - 1}-10-01`, rng.int(0, 364));
    const place = rng.pick(PLACES[lob]);
    const homeless = age >= 16 && rng.chance(0.09);
    let address = '';
    if (!homeless) {
      address = `${rng.int(100, 9899)} ${rng.chance(0.25) ? 'N ' : rng.chance(0.2) ? 'E ' : ''}${rng.pick(STREETS)} ${rng.pick(SUFFIXES)}`;
      if (rng.chance(0.2)) address += `, Apt ${rng.int(1, 40)}${rng.chance(0.3) ? rng.pick(['A', 'B', 'C']) : ''}`;
    } else if (rng.chance(0.5)) address = rng.pick(SHELTERS);
    memberRows.push({
      cin,
      mcp_member_id: memberId,
      last_name: rng.pick(LAST) + (rng.chance(0.08) ? ` ${rng.pick(LAST)}` : ''),
      first_name: first,
      dob,
      gender,
      language: rng.weighted(LANGUAGES[lob]),
      address,
      city: place.city,
      state: 'CA',
      zip: rng.chance(0.15) ? `${place.zip}-${rng.digits(4)}` : place.zip,
      phone: homeless && rng.chance(0.4) ? '' : phone(rng, place.area),
      county: place.county,
      homeless: homeless ? 'Y' : 'N',
    });
    members.push({ cin, lob, dob, gender, homeless });
  }
  // The members' PCPs (the extract's optional pcp_name, pcp_npi: the MIF's Member PCP Name and
  // NPI): a few primary care physicians per line of business, most members with one. A PRNG of
  // its own, so that adding them left every other sample value as it was.
  const pcpRng = new Rng(seed + 47);
  const pcps = new Map(LOBS.map((lob) => [lob, Array.from({ length: 8 }, () => {
    const female = pcpRng.chance(0.55);
    let npi: string;
    do npi = npiWithCheckDigit(pcpRng.pick(['1', '2'] as const) + pcpRng.digits(8));
    while (usedNpis.has(npi));
    usedNpis.add(npi);
    return { name: `${pcpRng.pick(female ? FIRST_F : FIRST_M)} ${pcpRng.pick(LAST)}, ${pcpRng.weighted([['MD', 70], ['DO', 20], ['NP', 10]] as const)}`, npi };
  })]));
  members.forEach((m, i) => {
    const pcp = pcpRng.chance(0.9) ? pcpRng.pick(pcps.get(m.lob)!) : null;
    memberRows[i]!.pcp_name = pcp?.name ?? '';
    memberRows[i]!.pcp_npi = pcp?.npi ?? '';
  });

  // ECM assignments (as of AS_OF) --------------------------------------------------------
  const ecmRows: Row[] = [];
  const ecmAssigned = new Set<string>(); // cin|lob
  const pofFor = (m: Member): string => {
    const age = ageOn(m.dob, AS_OF);
    const options: string[] = age < 21 ? ['7', '8', '3', '2'] : ['2', '3', '4', '5', '6'];
    if (age >= 21 && m.gender === 'F' && age <= 45) options.push('9');
    const picked = rng.sample(options, rng.chance(0.3) ? 2 : 1);
    if (m.homeless) picked.unshift(age < 21 || rng.chance(0.2) ? '1b' : '1a');
    for (const p of picked) if (!(p in POF)) throw new Error(`bad POF ${p}`);
    return [...new Set(picked)].join(';');
  };
  members.forEach((m, i) => {
    // every 25th member is guaranteed an assignment so all four statuses appear in every lob
    if (i % 25 !== 0 && !rng.chance(m.homeless ? 0.7 : 0.42)) return;
    const provider = rng.pick(ecmByLob.get(m.lob)!);
    const status = i % 25 === 0 ? String(((i / 25) % 4) + 1) : rng.weighted([['1', 18], ['2', 20], ['3', 47], ['4', 15]] as const);
    const lcm = rng.pick(lcms.get(provider.code)!);
    const row: Row = { cin: m.cin, provider_code: provider.code, lob: m.lob, status, pof: pofFor(m) };
    if (status === '1') {
      row.assigned_date = rng.date('2026-08-01', AS_OF);
    } else if (status === '2') {
      row.assigned_date = rng.date('2026-05-01', '2026-09-20');
      row.lcm_name = lcm.name;
      row.lcm_phone = lcm.phone;
      if (rng.chance(0.3)) row.acuity = rng.pick(['Low', 'Medium', 'High']);
    } else if (status === '3') {
      row.assigned_date = rng.date('2024-07-01', '2026-08-31');
      row.enrollment_start = addDays(row.assigned_date, rng.int(3, 30));
      // a few planned end dates (graduations), on or after the start
      if (rng.chance(0.1)) {
        row.enrollment_end = addDays(row.enrollment_start, rng.int(120, 540));
        if (row.enrollment_end <= AS_OF) row.enrollment_end = addDays(AS_OF, rng.int(10, 120));
      }
      row.acuity = rng.weighted([['Low', 40], ['Medium', 40], ['High', 20], ['', 3]] as const);
      row.lcm_name = lcm.name;
      row.lcm_phone = lcm.phone;
    } else {
      // status 4: about half were enrolled and ended (start + end), the rest never enrolled
      row.assigned_date = rng.date('2024-07-01', '2026-08-31');
      if (rng.chance(0.5)) {
        row.enrollment_start = addDays(row.assigned_date, rng.int(3, 30));
        row.enrollment_end = addDays(row.enrollment_start, rng.int(30, 300));
        if (row.enrollment_end > AS_OF) row.enrollment_end = AS_OF;
        row.acuity = rng.pick(['Low', 'Medium', 'High']);
        row.lcm_name = lcm.name;
        row.lcm_phone = lcm.phone;
      }
    }
    ecmRows.push(row);
    ecmAssigned.add(`${m.cin}|${m.lob}`);
  });

  // Referrals: approved every day from REFERRAL_FIRST_DAY to REFERRAL_LAST_DAY ------------
  const referralRows: Row[] = [];
  const unassigned = members.filter((m) => !ecmAssigned.has(`${m.cin}|${m.lob}`));
  const referred = new Set<string>();
  let refNo = 100;
  for (let day = REFERRAL_FIRST_DAY; day <= REFERRAL_LAST_DAY; day = addDays(day, 1)) {
    for (let k = 0, n = rng.int(1, 4); k < n; k++) {
      let m: Member;
      do m = rng.pick(unassigned);
      while (referred.has(m.cin));
      referred.add(m.cin);
      refNo += rng.int(1, 3);
      referralRows.push({
        referral_id: `REF-${String(refNo).padStart(6, '0')}`,
        cin: m.cin,
        provider_code: rng.pick(ecmByLob.get(m.lob)!).code,
        lob: m.lob,
        approved_date: day,
      });
    }
  }

  // CS authorizations ---------------------------------------------------------------------
  const csRows: Row[] = [];
  const csPair = new Map<string, string>(); // cin|service → provider code
  const serviceWeights: [CsService, number][] = [
    ['HTN', 14], ['HTSS', 12], ['MTM', 16], ['HD', 6], ['RC', 6], ['STPHH', 5], ['RS', 4], ['DHP', 3], ['NFTD', 3], ['CTS', 3],
    ['PCH', 6], ['EAA', 2], ['SOB', 4], ['AR', 3],
  ];
  const housing: CsService[] = ['HTN', 'HD', 'HTSS', 'STPHH'];
  let authNo = 1000;
  let forced = 0; // the first rows walk through every service × every status
  const STATUSES = ['Approved', 'Pending', 'Denied', 'Expired', ''] as const; // '' = POTENTIAL
  for (const m of members) {
    if (!rng.chance(m.homeless ? 0.6 : 0.28) && forced >= ALL_SERVICES.length * STATUSES.length) continue;
    const count = rng.weighted([[1, 70], [2, 22], [3, 8]] as const);
    for (let k = 0; k < count; k++) {
      let service: CsService;
      let status: (typeof STATUSES)[number];
      if (forced < ALL_SERVICES.length * STATUSES.length) {
        service = ALL_SERVICES[forced % ALL_SERVICES.length]!;
        status = STATUSES[Math.floor(forced / ALL_SERVICES.length)]!;
      } else {
        service = m.homeless && rng.chance(0.5) ? rng.pick(housing) : rng.weighted(serviceWeights);
        status = rng.weighted([['Approved', 45], ['Pending', 15], ['Denied', 10], ['Expired', 10], ['', 20]] as const);
      }
      const key = `${m.cin}|${service}`;
      if (csPair.has(key)) continue;
      forced++;
      const offering = csByLob.get(m.lob)!.filter((p) => p.services.includes(service));
      const provider = rng.pick(offering);
      csPair.set(key, provider.code);
      const row: Row = {
        cin: m.cin,
        provider_code: provider.code,
        lob: m.lob,
        service_code: service,
        record_type: status === '' ? 'POTENTIAL' : 'AUTHORIZED',
        auth_status: status,
        referring_org: rng.pick(REFERRING_ORGS),
      };
      if (status === '') {
        row.assigned_date = rng.date('2026-08-15', AS_OF);
        if (rng.chance(0.5)) row.requested_date = addDays(row.assigned_date, -rng.int(0, 10));
      } else if (status === 'Pending') {
        row.requested_date = rng.date('2026-09-01', AS_OF);
        row.assigned_date = row.requested_date;
      } else {
        const decided = status === 'Expired' ? rng.date('2025-06-01', '2026-03-31') : rng.date('2026-01-15', AS_OF);
        row.requested_date = addDays(decided, -rng.int(1, 14));
        row.decision_date = decided;
        row.assigned_date = decided;
        if (status !== 'Denied') {
          row.auth_number = `CS${m.lob === 'CHPIV' ? 'IV' : m.lob}${String((authNo += rng.int(1, 9))).padStart(7, '0')}`;
          row.auth_start = addDays(decided, rng.int(0, 5));
          const months = service === 'HD' || service === 'EAA' || service === 'SOB' ? 1 : rng.pick([3, 6, 6, 12]);
          row.auth_end = addDays(row.auth_start, months * 30 - 1);
          if (status === 'Expired' && row.auth_end >= AS_OF) row.auth_end = addDays(AS_OF, -rng.int(1, 60));
          if (row.auth_end < row.auth_start) row.auth_end = row.auth_start;
          if (status === 'Approved' && row.auth_end < AS_OF) row.auth_end = addDays(AS_OF, rng.int(15, 200));
        }
      }
      csRows.push(row);
    }
  }

  const rows: Record<UpstreamKind, Row[]> = {
    providers: providerRows,
    members: memberRows,
    'ecm-assignments': ecmRows,
    referrals: referralRows,
    'cs-authorizations': csRows,
  };
  const files: Record<string, string> = {};
  for (const kind of Object.keys(SAMPLE_FILES) as UpstreamKind[]) files[SAMPLE_FILES[kind]] = toCsv(kind, rows[kind]);
  return { rows, files };
}

export const SAMPLE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'plan');

/** Writes samples/plan/*.csv; returns the written paths. */
export function writeSamples(dir = SAMPLE_DIR): string[] {
  const { files } = generateSamples();
  fs.mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { rows } = generateSamples();
  writeSamples();
  for (const kind of Object.keys(SAMPLE_FILES) as UpstreamKind[])
    console.log(`${path.relative(process.cwd(), path.join(SAMPLE_DIR, SAMPLE_FILES[kind]))}: ${rows[kind].length} rows`);
}
