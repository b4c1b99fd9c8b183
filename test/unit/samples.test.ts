// The committed synthetic plan (samples/plan/*.csv) must load through the upstream import
// schemas, cover what the demo needs, and be exactly what `npm run samples` writes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { generateSamples, mulberry32, REFERRAL_FIRST_DAY, REFERRAL_LAST_DAY, SAMPLE_DIR, SAMPLE_FILES, writeSamples } from '../../samples/generate.js';
import { CS_SERVICES, ECM_STATUS, LINES_OF_BUSINESS } from '../../schemas/codes.js';
import { addDays, npiCheckDigitValid, parseCin } from '../../schemas/primitives.js';
import { UPSTREAM, UPSTREAM_KINDS, type UpstreamKind, type UpstreamRow } from '../../schemas/upstream.js';

function readRaw(kind: UpstreamKind): { header: string[]; records: Record<string, string>[] } {
  const text = fs.readFileSync(path.join(SAMPLE_DIR, SAMPLE_FILES[kind]), 'utf8');
  const all = parse(text, { skip_empty_lines: false }) as string[][];
  const records = parse(text, { columns: true, skip_empty_lines: false }) as Record<string, string>[];
  return { header: all[0] ?? [], records };
}

function load<K extends UpstreamKind>(kind: K): UpstreamRow<K>[] {
  const { records } = readRaw(kind);
  const schema = UPSTREAM[kind].schema;
  const failures: string[] = [];
  const rows = records.map((r, i) => {
    const p = schema.safeParse(r);
    if (!p.success) failures.push(`line ${i + 2}: ${p.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
    return p.data as UpstreamRow<K>;
  });
  expect(failures, `${kind} rows failing the schema`).toEqual([]);
  return rows;
}

const providers = load('providers');
const members = load('members');
const ecm = load('ecm-assignments');
const referrals = load('referrals');
const cs = load('cs-authorizations');

const contracts = (program: 'ECM' | 'CS') => new Set(providers.filter((p) => p.program === program).map((p) => `${p.provider_code}|${p.lob}`));

describe('samples/plan files', () => {
  it.each(UPSTREAM_KINDS)('%s.csv has exactly the upstream columns, in order (members: then its optional PCP columns)', (kind) => {
    const { header, records } = readRaw(kind);
    expect(header).toEqual([...UPSTREAM[kind].columns, ...(kind === 'members' ? ['pcp_name', 'pcp_npi'] : [])]);
    expect(records.length).toBeGreaterThan(0);
  });

  it('members: most have a PCP with a name and a valid NPI, some none; a PCP\'s NPI is no provider\'s', () => {
    const withPcp = members.filter((m) => m.pcp_name !== undefined);
    expect(withPcp.length).toBeGreaterThan(1600);
    expect(withPcp.length).toBeLessThan(2000);
    for (const m of members) {
      expect(m.pcp_npi === undefined, m.cin).toBe(m.pcp_name === undefined);
      if (m.pcp_npi !== undefined) expect(npiCheckDigitValid(m.pcp_npi)).toBe(true);
    }
    const providerNpis = new Set(providers.map((p) => p.npi));
    expect(withPcp.filter((m) => providerNpis.has(m.pcp_npi!))).toEqual([]);
  });

  it('providers: ≥ 12, ECM-only, CS-only and both, every lob, one row per contract, valid identifiers', () => {
    const codes = [...new Set(providers.map((p) => p.provider_code!))];
    expect(codes.length).toBeGreaterThanOrEqual(12);
    const programs = (code: string) => new Set(providers.filter((p) => p.provider_code === code).map((p) => p.program));
    const ecmOnly = codes.filter((c) => programs(c).has('ECM') && !programs(c).has('CS'));
    const csOnly = codes.filter((c) => programs(c).has('CS') && !programs(c).has('ECM'));
    const both = codes.filter((c) => programs(c).has('CS') && programs(c).has('ECM'));
    expect(ecmOnly.length).toBeGreaterThan(0);
    expect(csOnly.length).toBeGreaterThan(0);
    expect(both.length).toBeGreaterThan(0);
    const contractKeys = providers.map((p) => `${p.provider_code}|${p.lob}|${p.program}`);
    expect(new Set(contractKeys).size).toBe(contractKeys.length);
    for (const lob of Object.keys(LINES_OF_BUSINESS)) {
      expect(providers.some((p) => p.lob === lob && p.program === 'ECM'), `${lob} ECM`).toBe(true);
      expect(providers.some((p) => p.lob === lob && p.program === 'CS'), `${lob} CS`).toBe(true);
    }
    for (const p of providers) {
      expect(p.provider_code).toMatch(/^[A-Z0-9]{4,12}$/);
      expect(npiCheckDigitValid(p.npi!)).toBe(true);
      expect(p.tin).toMatch(/^\d{9}$/);
      expect(p.phone).toMatch(/^\d{10}$/);
      expect(p.contact_email).toMatch(/@[a-z0-9.-]+\.example$/);
      expect(p.liaison_email).toMatch(/@[a-z0-9.-]+\.example$/);
    }
    // one NPI / TIN per provider code
    for (const c of codes) expect(new Set(providers.filter((p) => p.provider_code === c).map((p) => `${p.npi}|${p.tin}`)).size).toBe(1);
    expect(new Set(providers.map((p) => p.npi)).size).toBe(codes.length);
  });

  it('members: 2,000 unique valid CINs, all genders, some homeless, California addresses', () => {
    expect(members.length).toBe(2000);
    const cins = members.map((m) => m.cin!);
    expect(new Set(cins).size).toBe(2000);
    for (const cin of cins) {
      expect(cin).toMatch(/^9\d{7}[A-Z]$/);
      expect(parseCin(cin).ok).toBe(true);
    }
    expect(new Set(members.map((m) => m.mcp_member_id)).size).toBe(2000);
    expect(new Set(members.map((m) => m.gender))).toEqual(new Set(['F', 'M', 'X', 'U']));
    expect(members.every((m) => m.state === 'CA')).toBe(true);
    const homeless = members.filter((m) => m.homeless === true).length;
    expect(homeless).toBeGreaterThan(20);
    expect(homeless).toBeLessThan(400);
    expect(new Set(members.map((m) => m.language)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(members.map((m) => m.county)).has('Imperial')).toBe(true);
    expect(new Set(members.map((m) => m.county)).has('Fresno')).toBe(true);
  });

  it('ECM assignments: every status, every lob, one per member and lob, ECM-contracted providers only', () => {
    const cins = new Set(members.map((m) => m.cin));
    const ecmContracts = contracts('ECM');
    const seen = new Set<string>();
    for (const a of ecm) {
      expect(cins.has(a.cin)).toBe(true);
      expect(ecmContracts.has(`${a.provider_code}|${a.lob}`), `${a.provider_code} ${a.lob}`).toBe(true);
      const key = `${a.cin}|${a.lob}`;
      expect(seen.has(key), `duplicate ${key}`).toBe(false);
      seen.add(key);
      if (a.status === '3') expect(a.enrollment_start).toBeTruthy();
      if (a.status === '4' && a.enrollment_start) expect(a.enrollment_end).toBeTruthy();
    }
    for (const lob of Object.keys(LINES_OF_BUSINESS))
      expect(new Set(ecm.filter((a) => a.lob === lob).map((a) => a.status)), lob).toEqual(new Set(Object.keys(ECM_STATUS)));
    expect(ecm.some((a) => a.status === '3' && a.enrollment_end)).toBe(true);
    expect(ecm.some((a) => a.status === '4' && a.enrollment_start && a.enrollment_end)).toBe(true);
    expect(ecm.some((a) => a.status === '4' && !a.enrollment_start)).toBe(true);
    expect(new Set(ecm.map((a) => a.acuity).filter(Boolean))).toEqual(new Set(['Low', 'Medium', 'High']));
    expect(ecm.filter((a) => a.status === '3').every((a) => a.lcm_name && a.lcm_phone)).toBe(true);
  });

  it('referrals: REF ids, unique, approved on every day of the demo range, to ECM-contracted providers', () => {
    const ecmContracts = contracts('ECM');
    const cins = new Set(members.map((m) => m.cin));
    const ids = referrals.map((r) => r.referral_id!);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of referrals) {
      expect(r.referral_id).toMatch(/^REF-\d{6}$/);
      expect(cins.has(r.cin)).toBe(true);
      expect(ecmContracts.has(`${r.provider_code}|${r.lob}`)).toBe(true);
    }
    const days = new Set(referrals.map((r) => r.approved_date));
    for (let d = REFERRAL_FIRST_DAY; d <= REFERRAL_LAST_DAY; d = addDays(d, 1)) expect(days.has(d), d).toBe(true);
    expect([...days].every((d) => d! >= REFERRAL_FIRST_DAY && d! <= REFERRAL_LAST_DAY)).toBe(true);
    // a referred member holds no other ECM assignment in that lob
    const assigned = new Set(ecm.map((a) => `${a.cin}|${a.lob}`));
    expect(referrals.filter((r) => assigned.has(`${r.cin}|${r.lob}`))).toEqual([]);
  });

  it('CS authorizations: all 14 services, every status and POTENTIAL, one CS provider per member × service', () => {
    const csContracts = contracts('CS');
    const cins = new Set(members.map((m) => m.cin));
    expect(new Set(cs.map((r) => r.service_code))).toEqual(new Set(Object.keys(CS_SERVICES)));
    expect(new Set(cs.map((r) => r.auth_status ?? 'POTENTIAL'))).toEqual(new Set(['Approved', 'Pending', 'Denied', 'Expired', 'POTENTIAL']));
    const pairs = new Map<string, string>();
    for (const r of cs) {
      expect(cins.has(r.cin)).toBe(true);
      expect(csContracts.has(`${r.provider_code}|${r.lob}`), `${r.provider_code} ${r.lob}`).toBe(true);
      const key = `${r.cin}|${r.service_code}`;
      expect(pairs.has(key), `duplicate ${key}`).toBe(false);
      pairs.set(key, r.provider_code!);
      if (r.record_type === 'POTENTIAL') expect([r.auth_status, r.auth_number, r.auth_start, r.auth_end]).toEqual([undefined, undefined, undefined, undefined]);
      if (r.auth_status === 'Approved') {
        expect(r.auth_number).toBeTruthy();
        expect(r.auth_start).toBeTruthy();
        expect(r.auth_end! >= r.auth_start!).toBe(true);
      }
    }
    const authNumbers = cs.map((r) => r.auth_number).filter(Boolean);
    expect(new Set(authNumbers).size).toBe(authNumbers.length);
    // every service appears in every status (the generator walks the grid first)
    for (const s of Object.keys(CS_SERVICES))
      for (const st of ['Approved', 'Pending', 'Denied', 'Expired', undefined])
        expect(cs.some((r) => r.service_code === s && r.auth_status === st), `${s} ${st ?? 'POTENTIAL'}`).toBe(true);
    for (const lob of Object.keys(LINES_OF_BUSINESS)) expect(cs.some((r) => r.lob === lob)).toBe(true);
  });

  it('a member belongs to one line of business across all files', () => {
    const lobOf = new Map<string, string>();
    for (const r of [...ecm, ...referrals, ...cs]) {
      const prev = lobOf.get(r.cin!);
      if (prev) expect(r.lob, r.cin).toBe(prev);
      lobOf.set(r.cin!, r.lob!);
    }
  });
});

describe('generator', () => {
  it('re-running reproduces the committed files byte for byte', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-samples-'));
    try {
      const written = writeSamples(dir);
      expect(written.map((f) => path.basename(f)).sort()).toEqual(Object.values(SAMPLE_FILES).sort());
      for (const name of Object.values(SAMPLE_FILES)) {
        const fresh = fs.readFileSync(path.join(dir, name));
        const committed = fs.readFileSync(path.join(SAMPLE_DIR, name));
        expect(fresh.equals(committed), `${name} differs: run npm run samples`).toBe(true);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(generateSamples().files).toEqual(generateSamples().files);
  });

  it('mulberry32 is the reference sequence', () => {
    const r = mulberry32(1);
    // values of the canonical public-domain mulberry32 (Tommy Ettinger / bryc) for seed 1
    expect([r(), r(), r()].map((x) => x.toFixed(10))).toEqual(['0.6270739406', '0.0027357212', '0.5274470400']);
  });
});
