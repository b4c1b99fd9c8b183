// Simulated providers for the demo: they read what the plan published (the MIF's RTF sheet,
// the CSASF) and fill it in the way real providers do, including their usual mistakes.
import { CSPRTF, OTF, RTF } from '../../schemas/index.js';
import type { Layout } from '../../schemas/layout.js';
import { addDays, type IsoDate } from '../../schemas/primitives.js';
import { layoutSheet } from '../generate/sheets.js';
import { readLayoutRecords } from '../xlsx/layout-records.js';
import { isCellDate, type CellValue } from '../xlsx/types.js';
import { writeWorkbookToBuffer } from '../xlsx/writer.js';

export type Rec = Record<string, CellValue>;
const d = (date: string): CellValue => ({ date });
const dateOf = (v: CellValue | undefined): IsoDate | undefined => (isCellDate(v) ? v.date : undefined);

export async function sheetRows(bytes: Buffer, layout: Layout): Promise<Rec[]> {
  const recs = await readLayoutRecords(bytes, [layout]);
  return Object.values(recs).find((s) => s.layout === layout)?.rows ?? [];
}

export function workbook(sheets: [Layout, Rec[], string?][]): Promise<Buffer> {
  return writeWorkbookToBuffer(sheets.map(([layout, rows, name]) => layoutSheet(layout, rows, name ? { name } : {})));
}

/** A careful provider: every row of the MIF's RTF sheet updated and complete. */
export function cleanRtf(rows: Rec[], produced: IsoDate): Rec[] {
  return rows.map((r, i) => {
    const out: Rec = { ...r, productionDate: d(produced), inPerson: i % 3, telephonic: (i % 4) + 1 };
    if (!out.acuity) out.acuity = 'Low';
    if (out.ecmStatus === '1' && i % 3 === 0) out.ecmStatus = '2';
    // (an end date the plan planned for after the period, which the demo's plan data has, is
    // not on the MIF's pre-filled sheet: rtfPrefillRecord leaves it blank)
    if (out.endDate && !out.discontinuationReasonCode) out.discontinuationReasonCode = 'SC';
    if (out.ecmStatus === '3' && !out.lcmName) Object.assign(out, { lcmName: 'Jordan Reyes', lcmPhone: '5595550199' });
    // A careful provider keeps the 30/60/90-day timelines (domain §4.8): the assessment and
    // care plan dates are filled in once they have happened, in time.
    const start = dateOf(out.startDate);
    // (an enrolled member who left in the period comes pre-filled as status 4 with its Start and
    // End Dates, rtfPrefillRecord: its timelines were kept while it was enrolled)
    if ((out.ecmStatus === '3' || out.ecmStatus === '4') && start) {
      const timeline: [string, number][] = [['assessmentStartedDate', 7], ['assessmentCompletedDate', 21], ['carePlanDate', 30]];
      for (const [key, days] of timeline) {
        const on = addDays(start, days);
        if (!out[key] && on <= produced) out[key] = d(on);
      }
    }
    return out;
  });
}

/** The same provider on a bad day: an ID-card number, dates out of order, a stranger's CIN, a missing care manager. */
export function rtfWithErrors(rows: Rec[], produced: IsoDate, strangerCin: string): Rec[] {
  const out = cleanRtf(rows, produced);
  const enrolled = out.filter((r) => r.ecmStatus === '3' && dateOf(r.startDate));
  if (out[0]) out[0] = { ...out[0], cin: `${String(out[0].cin)}12345` };
  if (enrolled[0]) Object.assign(enrolled[0], { endDate: d(addDays(dateOf(enrolled[0].startDate)!, -10)), discontinuationReasonCode: 'WM' });
  if (enrolled[1]) Object.assign(enrolled[1], { lcmName: null, lcmPhone: null });
  const stranger = out.find((r) => r.ecmStatus === '2' && r !== out[0]);
  if (stranger) stranger.cin = strangerCin;
  return out;
}

/** The corrected file: everything fixed except the ID-card number the provider missed. */
export function rtfResubmission(rows: Rec[], produced: IsoDate, strangerCin: string): Rec[] {
  const fixed = cleanRtf(rows, produced);
  const withErrors = rtfWithErrors(rows, produced, strangerCin);
  return fixed.map((r, i) => (i === 0 ? withErrors[0]! : r));
}

/** Outreach attempts for members in outreach: a phone call and a visit each. */
export function otfFor(rtfRows: Rec[], provider: { name: string; npi: string; tin: string }, period: string): Rec[] {
  const inOutreach = rtfRows.filter((r) => r.ecmStatus === '2').slice(0, 8);
  return inOutreach.flatMap((r, i): Rec[] => [
    { mcpId: r.mcpId ?? null, mcpName: r.mcpName ?? null, providerName: provider.name, providerNpi: provider.npi, providerTin: provider.tin, clientName: `${String(r.firstName)} ${String(r.lastName)}`,
      cin: r.cin ?? null, providerType: '2', attemptDate: d(`${period}-0${(i % 8) + 2}`), method: '2', successful: 'N', minutes: 12.5 },
    { mcpId: r.mcpId ?? null, mcpName: r.mcpName ?? null, providerName: provider.name, providerNpi: provider.npi, providerTin: provider.tin, clientName: `${String(r.firstName)} ${String(r.lastName)}`,
      cin: r.cin ?? null, providerType: '1', attemptDate: d(`${period}-1${i % 8}`), method: '1', successful: i % 2 === 0 ? 'Y' : 'N', minutes: 45 },
  ]);
}

/** A CS provider answering its CSASF: delivering approved services, reaching out to the rest. */
export function csprtfFor(csasf: Rec[], produced: IsoDate, period: string, extra?: Rec): Rec[] {
  const rows = csasf.map((r): Rec => {
    const approved = r.authStatus === 'Approved';
    const start = dateOf(r.authStart);
    return {
      mcpId: r.mcpId ?? null, providerName: r.providerName ?? null, providerNpi: r.providerNpi ?? null, providerTin: r.providerTin ?? null, cin: r.cin ?? null,
      lastName: r.lastName ?? null, firstName: r.firstName ?? null, dob: r.dob ?? null, serviceCode: r.serviceCode ?? null, authNumber: approved ? (r.authNumber ?? null) : null,
      engagementStatus: approved && start && start <= `${period}-28` ? '3' : '2',
      outreachDate: approved && start && start <= `${period}-28` ? null : d(`${period}-12`),
      outreachMethod: approved && start && start <= `${period}-28` ? null : '2',
      serviceStartDate: approved && start && start <= `${period}-28` ? d(start) : null,
      productionDate: d(produced), reportingPeriod: `${period.slice(5, 7)}/${period.slice(0, 4)}`,
    };
  });
  return extra ? [...rows, extra] : rows;
}

export { CSPRTF, OTF, RTF };
