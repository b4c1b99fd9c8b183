// Case C: the naive approach a user might write. exceljs's non-streaming readFile (the whole
// workbook in memory), a zod check per row, one INSERT per row in one transaction.
import ExcelJS from 'exceljs';
import pg from 'pg';
import { z } from 'zod';
import { caseArgs, runCase, timed } from '../lib/child.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const opt = <T extends z.ZodType>(t: T) => t.nullable().optional();
const yn = z.enum(['Y', 'N']);
const date = z.date();
const phone = z.string().regex(/^\d{10}$/);

const Row = z.object({
  mcpId: z.enum(['HN', 'CV', 'CHPIV']),
  mcpName: opt(text(100)),
  cin: z.string().regex(/^[0-9]{8}[A-Z]$/),
  lastName: text(60),
  firstName: text(60),
  newAddress: opt(yn),
  homeless: opt(yn),
  address: opt(text(100)),
  city: opt(text(60)),
  state: opt(z.string().regex(/^[A-Z]{2}$/)),
  zip: opt(z.string().regex(/^\d{5}(-?\d{4})?$/)),
  newPhone: opt(yn),
  phone: opt(phone),
  pofIndicator: opt(yn),
  pof: opt(z.string()),
  ecmStatus: z.enum(['1', '2', '3', '4']),
  acuity: z.enum(['Low', 'Medium', 'High']),
  startDate: opt(date),
  endDate: opt(date),
  carePlanDate: opt(date),
  careConferenceDate: opt(date),
  assessmentStartedDate: opt(date),
  assessmentCompletedDate: opt(date),
  lastEncounterDate: opt(date),
  lcmName: opt(text(60)),
  lcmPhone: opt(phone),
  lcmEmail: opt(z.string().email()),
  discontinuationDate: opt(date),
  discontinuationReasonCode: opt(z.enum(['WM', 'DP', 'UE', 'UBE', 'EXP', 'NE', 'OH', 'CAP', 'ERR', 'SC', 'OTH'])),
  discontinuationReason: opt(text(200)),
  inPerson: z.number().int().min(0),
  telephonic: z.number().int().min(0),
  productionDate: date,
  reportingPeriod: z.string().regex(/^\d{2}\/\d{4}$/),
  providerName: text(100),
  providerNpi: z.string().regex(/^[12]\d{9}$/),
  providerTin: z.string().regex(/^\d{9}$/),
  providerPhone: opt(phone),
  referralStatus: opt(z.string()),
  referralStatusDate: opt(date),
  referralClosureReason: opt(z.string()),
});
const KEYS = Object.keys(Row.shape);

runCase(async () => {
  const { file, url } = caseArgs<{ file: string; url: string }>();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create table naive_rows (id serial primary key, row_number int not null, cin text, last_name text, first_name text,
    ecm_status text, start_date date, accepted boolean not null, errors text, data jsonb not null)`);
  try {
    const { value, seconds, cpuSeconds } = await timed(async () => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const ws = wb.worksheets[0]!;
      let rows = 0;
      let rejected = 0;
      await client.query('begin');
      for (let r = 2; r <= ws.rowCount; r++) {
        const row = ws.getRow(r);
        const rec: Record<string, unknown> = {};
        KEYS.forEach((k, i) => {
          const v = row.getCell(i + 1).value;
          rec[k] = v instanceof Date || typeof v !== 'object' ? v : null;
        });
        const parsed = Row.safeParse(rec);
        if (!parsed.success) rejected++;
        rows++;
        await client.query(
          `insert into naive_rows (row_number, cin, last_name, first_name, ecm_status, start_date, accepted, errors, data) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [r, rec.cin, rec.lastName, rec.firstName, rec.ecmStatus, rec.startDate ?? null, parsed.success, parsed.success ? null : parsed.error.message, JSON.stringify(rec)],
        );
      }
      await client.query('commit');
      return { rows, rejected };
    });
    return { rows: value.rows, seconds, cpuSeconds, extra: { rejected: value.rejected } };
  } finally {
    await client.end();
  }
});
