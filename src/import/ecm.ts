// ECM extracts: the plan's assignment list and approved referrals. The extract says WHO is
// assigned; the provider's accepted RTF says status and enrollment (domain §4 items 4a, 4b).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../config.js';
import { normaliseEmail } from '../email-address.js';
import { log } from '../log.js';
import { queueNotification, sendNotification, type Message } from '../notify/mailer.js';
import { localDate } from '../calendar/zone.js';
import { withTransaction } from '../db/pool.js';
import {
  anySwitchDue, applyAssignmentExtract, cancelPlannedInLinesLeft, currentAssignments, endOtherLines, EXTRACT_FIELDS, knownReferralIds, pendingSwitches, PROVIDER_FIELDS,
  recordReferralConflicts, recordSwitchesNotApplied, startReferralEpisodes, takeDueSwitches, upsertReferrals, WHO_FIELDS, type AssignmentExtractWrite, type CurrentAssignment,
  type ExtractField, type ExtractValues as Values, type LineOpened, type PendingSwitch, type ProviderField, type ReferralWrite, type SwitchNotApplied,
} from '../repositories/ecm-assignments.js';
import { contractLiaisons } from '../repositories/providers.js';
import {
  dedupe, fields, fieldsOf, holdsAgainstReferral, isOpenEcm, knownMemberWithEcmContract, orNull, reportedOpen, seen, upsertGuarded, type Applier, type ApplyCtx, type ImportConflict,
  type ImportLineSwitch, type ImportOlderThanReferral, type Row,
} from './common.js';

/** One text per field, in one order, whatever the source (a file row, a table row, stored jsonb). */
function values(v: Partial<Record<ExtractField, unknown>>): Values {
  const out = {} as Values;
  for (const f of EXTRACT_FIELDS) {
    const x = v[f];
    out[f] = f === 'pof' && Array.isArray(x)
      ? (x.length ? [...(x as string[])].sort().join(';') : null)
      : x === undefined || x === null || x === '' ? null : String(x);
  }
  return out;
}

/**
 * The provider-reported fields the extract claims together; each group follows the newer side
 * as one. A status comes with its enrollment dates: the extract's blank dates beside its status
 * say "not enrolled", and a status from one side with dates from the other can be no state at
 * all (in outreach since a start date; an end before the other side's start). A care manager's
 * name comes with their phone.
 */
const CLAIMS: readonly (readonly ProviderField[])[] = [['status', 'enrollment_start', 'enrollment_end'], ['acuity'], ['lcm_name', 'lcm_phone'], ['pof']];

/** The members' assignments by member and line of business. */
async function assignmentsByLine(c: pg.PoolClient, cins: string[]): Promise<Map<string, CurrentAssignment>> {
  return new Map((await currentAssignments(c, cins)).map((a) => [`${a.cin}|${a.lob}`, a]));
}

/**
 * The assignment extract. Per row, against the member's current assignment in that line:
 * - none: inserted;
 * - another provider: a switch (the only way one happens): the extract's values, the old
 *   provider's reports cleared, lineage kept; unless the row's assigned date is before the
 *   current assignment's (an older extract loaded again): rejected. [POLICY] A switch from a day
 *   after the import's (plan-local) day is planned, not applied: the member stays the old
 *   provider's, whose files about the days it still holds them are its own, until that day, when
 *   the first run that reads who holds members applies it (applyDueSwitches); a later extract's
 *   row for the member and line replaces or cancels it (applyAssignmentExtract, a warning each);
 * - the same provider: WHO (assigned date) follows the extract; each provider-reported field
 *   (with the fields claimed with it, CLAIMS) follows whichever is newer, the extract's value (as
 *   of when the extract first said THAT field's value: repeating a value is no news, and a new
 *   POF is no news about the status) or the RTF that reported it (its receipt time). A blank in
 *   the extract is no claim: it never replaces a value the provider reported. Where the two
 *   differ, the row is listed as a disagreement with the side kept, per field and for the row.
 * After a referral started a new episode (the start is recorded), the extract moves the
 * assignment only with values it gave since: who holds it (a switch included) and each field
 * follow the extract only where its value is newer than the episode (and than the RTF).
 */
export const ECM_ASSIGNMENTS: Applier = {
  async check(c, rows, { reject, warn, state, now, today, disagreements, olderThanReferral }) {
    rows = dedupe(rows, (r) => `${String(r.cin)}|${String(r.lob)}`, seen(state, 'cinlob'), reject, 'member and line of business');
    rows = await knownMemberWithEcmContract(c, rows, reject, 'assigned_date');
    const current = await assignmentsByLine(c, rows.map((r) => String(r.cin)));
    const planned = await pendingSwitches(c, rows.map((r) => String(r.cin)));
    const nowIso = now.toISOString();
    const out: Row[] = [];
    for (const r of rows) {
      const ext = values(r as Partial<Record<ExtractField, unknown>>);
      const cur = current.get(`${String(r.cin)}|${String(r.lob)}`);
      r.__values = ext;
      r.__take = [];
      if (!cur) {
        out.push(r);
        r.__action = 'insert';
        r.__opens = true;
        r.__field_as_of = Object.fromEntries(EXTRACT_FIELDS.map((f) => [f, nowIso]));
        r.__as_of = nowIso;
        continue;
      }
      r.__id = cur.id;
      const before = cur.upstream_values ? values(cur.upstream_values) : null;
      const asOf = {} as Record<ExtractField, string>;
      for (const f of EXTRACT_FIELDS) {
        const since = cur.upstream_field_as_of?.[f] ?? cur.upstream_as_of?.toISOString();
        asOf[f] = before && since && before[f] === ext[f] ? since : nowIso;
      }
      const latest = (fs: readonly ExtractField[]) => Math.max(...fs.map((f) => Date.parse(asOf[f])));
      r.__field_as_of = asOf;
      r.__as_of = new Date(latest(EXTRACT_FIELDS)).toISOString();
      // a referral's episode is news newer than the extract repeating what it said before it
      const episode = cur.episode_started_at?.getTime() ?? null;
      const whoIsNews = episode === null || latest(WHO_FIELDS) > episode;
      r.__action = 'update';
      if (cur.provider_code !== ext.provider_code && whoIsNews && ext.assigned_date! < cur.assigned_date) {
        // [POLICY] the assigned date is the one as-of an extract row has: a row naming another
        // provider from before the member's current assignment is an older extract's (loaded
        // again after a newer one), and would undo the move and clear the new provider's reports
        reject(r.__row, `assigned_date is before the member's current assignment with provider ${cur.provider_code}: ` +
          `an older extract? not applied (a move to ${String(ext.provider_code)} needs its own, later assigned date)`, 'assigned_date');
        continue;
      }
      out.push(r);
      const was = planned.get(`${String(r.cin)}|${String(r.lob)}`);
      // the member listed with the provider that holds them (or the one a referral's episode
      // replaced): the switch an earlier extract planned will not happen
      if (was && (cur.provider_code === ext.provider_code || !whoIsNews))
        warn({
          code: 'planned-switch-cancelled', row: r.__row,
          message: `row ${r.__row}: the member stays with provider ${cur.provider_code} in ${String(r.lob)}: ` +
            `the move to provider ${was.provider_code} from ${was.assigned_date} an earlier extract planned is cancelled`,
        });
      if (cur.provider_code !== ext.provider_code) {
        if (whoIsNews) {
          // (a move from a day still to come: planned; one the extract repeats is no news)
          r.__action = ext.assigned_date! > today ? 'plan' : 'switch';
          r.__opens = true;
          if (r.__action === 'plan' && (was?.provider_code !== ext.provider_code || was.assigned_date !== ext.assigned_date))
            warn({
              code: 'planned-switch', row: r.__row,
              message: `row ${r.__row}: the member moves to provider ${String(ext.provider_code)} in ${String(r.lob)} from ${String(ext.assigned_date)}: ` +
                `until then the member stays with provider ${cur.provider_code} (its files about those days are its own)`,
            });
        }
        // else the extract still names the provider the episode replaced: nothing of it applies
        else
          olderThanReferral.push({
            row: r.__row, cin: String(r.cin), lob: String(r.lob), extractProvider: String(ext.provider_code), provider: cur.provider_code, episodeStartedAt: new Date(episode!).toISOString(),
          });
        continue;
      }
      if (episode !== null && ext.assigned_date! < cur.assigned_date) {
        // the same provider's earlier episode, from an extract older than the referral (a re-referral
        // to it): its status and enrollment would replace the new episode's
        olderThanReferral.push({
          row: r.__row, cin: String(r.cin), lob: String(r.lob), extractProvider: String(ext.provider_code), provider: cur.provider_code, episodeStartedAt: new Date(episode).toISOString(),
        });
        continue;
      }
      if (whoIsNews && ext.assigned_date! > cur.assigned_date && !reportedOpen(cur, String(ext.assigned_date))) {
        // the provider's member again from a later date, after what the provider reported ended
        // the assignment (declined, discontinued, an enrollment that ended): a new episode, as a
        // referral to the same provider starts one (§4.4a). Field by field, the extract's status
        // (unchanged since the first assignment) lost to the provider's 4, and the member was on
        // no MIF.
        r.__action = 'switch';
        r.__opens = true;
        continue;
      }
      const reported = cur.reported_at;
      const providerSince = Math.max(reported?.getTime() ?? -Infinity, episode ?? -Infinity);
      const take: ExtractField[] = whoIsNews ? [...WHO_FIELDS] : [];
      // the member back in a line the plan moved them out of, from a day after that end (a move back)
      if (whoIsNews && cur.plan_end !== null && ext.assigned_date! > cur.plan_end) r.__opens = true;
      for (const claim of CLAIMS)
        if (providerSince === -Infinity || (latest(claim) > providerSince && claim.some((f) => ext[f] !== null))) take.push(...claim);
      r.__take = take;
      if (reported === null || cur.last_submission_id === null) continue;
      const mine = values(cur);
      // a blank the assignment did not take is no claim, so nothing to disagree with
      const listed = PROVIDER_FIELDS.filter((f) => ext[f] !== mine[f] && (ext[f] !== null || take.includes(f)));
      const side = (f: ProviderField) => (take.includes(f) ? 'extract' as const : 'provider' as const);
      if (listed.length)
        disagreements.push({
          row: r.__row, cin: String(r.cin), lob: String(r.lob), provider: cur.provider_code,
          fields: listed.map((f) => ({ field: f, extract: ext[f], provider: mine[f] })),
          kept: listed.every((f) => side(f) === 'extract') ? 'extract' : 'provider',
          fieldsKept: Object.fromEntries(listed.map((f) => [f, side(f)])),
          reportedAt: reported.toISOString(), submissionId: Number(cur.last_submission_id),
        });
    }
    return out;
  },

  async upsert(c, rows, ctx) {
    const { now, state } = ctx;
    await applyAssignmentExtract(c, rows.map((r): AssignmentExtractWrite => ({
      row: r.__row, action: r.__action as AssignmentExtractWrite['action'], take: r.__take as ExtractField[], id: (r.__id as number | undefined) ?? null,
      cin: String(r.cin), lob: String(r.lob),
      provider_code: String(r.provider_code), status: Number(r.status), assigned_date: String(r.assigned_date), pof: (r.pof as string[] | undefined) ?? [],
      enrollment_start: orNull(r.enrollment_start), enrollment_end: orNull(r.enrollment_end), acuity: orNull(r.acuity), lcm_name: orNull(r.lcm_name),
      lcm_phone: orNull(r.lcm_phone), upstream_values: r.__values as Values, as_of: String(r.__as_of),
      field_as_of: r.__field_as_of as Record<ExtractField, string>,
      ...(r.__action === 'plan' ? { extract: fieldsOf(r), file_name: ctx.fileName ?? null } : {}),
    })), now);
    // (once written: a batch the database refused is written again row by row)
    // (what endOtherLines needs of each, not the row: a first load inserts every row of the file;
    // a planned switch ends the member's other lines from its day, as the switch would)
    const opened = seen(state, 'lineOpened') as Map<string, Omit<LineOpened, 'listed'>>;
    for (const r of rows) if (r.__opens) opened.set(String(r.__row), { row: r.__row, cin: String(r.cin), lob: String(r.lob), assigned_date: String(r.assigned_date) });
  },

  /**
   * [POLICY LOB_SWITCH] Once the whole file is read (a member's rows of two lines may fall in two
   * batches): each line a row opened or moved ends the member's open assignment in a line the file
   * does not list (endOtherLines), and the switch an earlier extract planned for the member in such a
   * line is cancelled (cancelPlannedInLinesLeft, a warning each). A re-import opens nothing, so ends
   * nothing more.
   */
  async finish(c, { state, now, lineSwitches, lobSwitch, warn }) {
    if (lobSwitch === 'keep') return;
    const rows = [...(seen(state, 'lineOpened') as Map<string, Omit<LineOpened, 'listed'>>).values()];
    if (!rows.length) return;
    const listed = new Map<string, string[]>();
    for (const key of seen(state, 'cinlob').keys()) {
      const [cin, lob] = key.split('|') as [string, string];
      listed.set(cin, [...(listed.get(cin) ?? []), lob]);
    }
    const opened = rows.map((r): LineOpened => ({ ...r, listed: listed.get(r.cin) ?? [r.lob] }));
    for (const p of await cancelPlannedInLinesLeft(c, opened))
      warn({
        code: 'planned-switch-cancelled', row: p.row,
        message: `row ${p.row}: the member joins ${p.joined} and the file no longer lists them in ${p.lob}: ` +
          `the move to provider ${p.provider_code} in ${p.lob} from ${p.assigned_date} an earlier extract planned is cancelled`,
      });
    const ended = await endOtherLines(c, opened, now);
    lineSwitches.push(...ended.map((e) => ({
      row: e.row, cin: e.cin, lineLeft: e.lob, lineJoined: e.joined, provider: e.provider_code, lastDay: e.plan_end, assignmentId: e.id,
    })));
  },
};

/** What applyDueSwitches did with the switches due. */
export interface DueSwitches {
  applied: number;
  /** Those its check did not apply, as recorded (PHI: the CINs are for ops, never logged or emailed). */
  notApplied: SwitchNotApplied[];
  /** The liaisons' emails about them, queued (PENDING) in the same transaction: sendQueuedNotices sends them once it commits. */
  notices: QueuedNotice[];
}

/**
 * [POLICY] The switches the assignment extract planned (ECM_ASSIGNMENTS: a move to another
 * provider of the line from a day after the import's) that are due on `now`'s plan-local day,
 * applied in the caller's transaction (`c`, open) as the extract's row would be applied that
 * day: checked again against the assignment as it stands (what the old provider reported since
 * goes into the lineage, the new provider starts from the extract's values; a referral's episode
 * that started after the extract was loaded keeps the member, as it would against that extract
 * loaded again; the provider's contract must still be in force on the day), as of when the
 * extract said it. The other lines the member leaves were ended from that day when the extract
 * was loaded (endOtherLines). A switch not applied is recorded (ecm_switches_not_applied: ops
 * list it, with the member, in `calaim-exchange switches --not-applied`) and the liaisons of both
 * providers' ECM contracts in the line are told (no CINs), the email queued in this same
 * transaction: it is sent once, whether or not the mail server is up when it commits (the notify
 * job retries it). A member already with the new provider (a referral's episode) is no news.
 * The scheduler's `switches` job applies a day's switches just after its plan-local midnight
 * (SWITCHES_AT); a run that reads who holds the plan's members on a day still asks first
 * (dueSwitchesApplied), for a day the job has not run yet: the upstream imports, an ingest (the
 * file's receipt), a MIF or mini-MIF, the SLA alert.
 */
export async function applyDueSwitches(c: pg.PoolClient, now: Date, timeZone: string): Promise<DueSwitches> {
  const today = localDate(now, timeZone);
  const due = await takeDueSwitches(c, today);
  if (!due.length) return { applied: 0, notApplied: [], notices: [] };
  // (grouped by load: each is checked as of when its extract said it)
  const loads = new Map<number, typeof due>();
  for (const p of due) {
    const at = p.loaded_at.getTime();
    if (!loads.has(at)) loads.set(at, []);
    loads.get(at)!.push(p);
  }
  let applied = 0;
  const kept: { p: PendingSwitch; reason: string | null }[] = [];
  for (const [loadedAt, list] of loads) {
    const refused = new Map<number, string>();
    const older: ImportOlderThanReferral[] = [];
    const ctx: ApplyCtx = {
      reject: (row, message) => void (refused.has(row) || refused.set(row, message)), warn: () => undefined, state: new Map(), now: new Date(loadedAt), today, header: [],
      conflicts: [], disagreements: [], olderThanReferral: older, lineSwitches: [], lobSwitch: 'keep',
    };
    const rows = await ECM_ASSIGNMENTS.check(c, list.map((p): Row => ({ ...p.extract, __row: p.row_number })), ctx);
    // (the switch recorded at the run's clock: what it settles, when; a row the database refuses
    // is dropped alone, as an import rejects it, and the others applied)
    await upsertGuarded(c, ECM_ASSIGNMENTS, rows, { ...ctx, now });
    const switched = new Set(rows.filter((r) => (r.__action === 'switch' || r.__action === 'insert') && !refused.has(r.__row)).map((r) => r.__row));
    applied += switched.size;
    const olderOf = new Set(older.map((o) => `${o.cin}|${o.lob}`));
    for (const p of list) {
      if (switched.has(p.row_number)) continue;
      const reason = refused.get(p.row_number);
      // (neither refused nor older than a referral: the member is with the new provider already)
      if (reason !== undefined || olderOf.has(`${p.cin}|${p.lob}`)) kept.push({ p, reason: reason ?? null });
    }
  }
  if (!kept.length) {
    log.info({ applied }, 'planned ECM switches applied');
    return { applied, notApplied: [], notices: [] };
  }
  const holders = await assignmentsByLine(c, kept.map((k) => k.p.cin));
  const notApplied = await recordSwitchesNotApplied(c, kept.map(({ p, reason }) => {
    const cur = holders.get(`${p.cin}|${p.lob}`);
    return {
      cin: p.cin, lob: p.lob, from_provider: cur?.provider_code ?? null, to_provider: p.provider_code, assigned_date: p.assigned_date, row_number: p.row_number,
      file_name: p.file_name, loaded_at: p.loaded_at,
      // (a rejection's own words end by saying it was not applied: the email says so once)
      reason: reason?.replace(/: not applied$/, '') ??
        `a referral's episode with provider ${cur?.provider_code ?? '?'} from ${cur?.assigned_date ?? '?'}, started after the extract was loaded, keeps the member`,
    };
  }), now);
  const notices = await queueLiaisonAlerts(c, now, notApplied, { ...SWITCH_NOT_APPLIED, notice: (list, to) => SWITCH_NOT_APPLIED.notice(list, to, timeZone) });
  log.warn({ due: due.length, applied, notApplied: notApplied.length, reasons: [...new Set(notApplied.map((k) => k.reason))] },
    'planned ECM switches: some were not applied on their day (recorded; the liaisons are told: calaim-exchange switches --not-applied)');
  return { applied, notApplied, notices };
}

/** A liaison email queued in a transaction that has committed. */
export type QueuedNotice = Message & { key: string };

/**
 * Liaison emails queued in a transaction that has committed (switches not applied, an import's
 * alerts), sent now; one that cannot go out now is the notify job's. Never throws: what they
 * are about is committed.
 */
export async function sendQueuedNotices(config: Config | undefined, pool: pg.Pool, notices: readonly QueuedNotice[], now: Date): Promise<void> {
  if (!config) return;
  for (const msg of notices)
    await sendNotification(config, pool, msg, now).catch((err: Error) => log.error({ err: { message: err.message }, kind: msg.kind }, 'a liaison alert could not be sent now; the notify job sends it'));
}

/**
 * applyDueSwitches in a transaction of its own, when any is due on `now`'s plan-local day (one
 * indexed look-up otherwise): for a run that reads who holds members outside the import. With
 * `config`, the liaisons' emails about switches not applied are sent once it commits (else by
 * the notify job).
 */
export async function dueSwitchesApplied(pool: pg.Pool, now: Date, timeZone: string, config?: Config): Promise<DueSwitches> {
  if (!(await anySwitchDue(pool, localDate(now, timeZone)))) return { applied: 0, notApplied: [], notices: [] };
  const r = await withTransaction(pool, (c) => applyDueSwitches(c, now, timeZone));
  await sendQueuedNotices(config, pool, r.notices, now);
  return r;
}

/**
 * [POLICY] The liaisons of both providers' ECM contracts in the line (the one that keeps the
 * member and the one the extract named) hear of the switches not applied on their day: the
 * extract's row and file, the providers, the line, the planned day and the plain reason, never
 * CINs (ops have them: calaim-exchange switches --not-applied). One message per set of
 * recipients, keyed by the records it lists: a switch is recorded once, so told once.
 */
const SWITCH_NOT_APPLIED = {
  what: 'planned switches not applied', field: 'notApplied', whose: 'the providers',
  providersOf: (k: SwitchNotApplied) => [...(k.from_provider ? [{ code: k.from_provider, lob: k.lob }] : []), { code: k.to_provider, lob: k.lob }],
  notice: (list: SwitchNotApplied[], to: string, timeZone: string) => {
    const providers = [...new Set(list.flatMap((k) => [k.from_provider, k.to_provider]).filter((x): x is string => !!x))].sort();
    const where = (k: SwitchNotApplied) => `row ${k.row_number} of ${k.file_name ?? `the assignment extract loaded ${localDate(k.loaded_at, timeZone)}`}`;
    return {
      kind: 'switch-not-applied',
      subject: `ECM assignments: ${list.length} planned switch(es) not applied on their day (${providers.join(', ')})`,
      text: [
        `${list.length} move(s) to another ECM provider that the plan's assignment extract planned for a later day were NOT applied on that day:`,
        'checked again then, the member\'s assignment as it stood kept the member with the provider that holds them. That provider keeps',
        'the member (on its MIF, owing its reports as before); the provider the extract named should not expect them. A move needs a new row',
        'in the plan\'s assignment extract (calaim-exchange import ecm-assignments).',
        '',
        ...list.map((k) => `  ${where(k)}: ${k.from_provider ?? 'no provider'} to ${k.to_provider} in ${k.lob} from ${k.assigned_date}: not applied: ${k.reason}`),
        '',
        'Ops see the members: calaim-exchange switches --not-applied --json.',
      ].join('\n'),
      key: `switch-not-applied:${createHash('sha256').update(`${to}|${list.map((k) => k.id).sort((a, b) => a - b).join(',')}`).digest('hex').slice(0, 32)}`,
    };
  },
};

/** A referral's place in approval order (an ISO date: compared byte by byte, it sorts as days). */
const approval = (r: Row) => String(r.approved_date);

/**
 * Approved referrals. A referral not seen before, against the member's assignment in its line:
 * - an open one (status 1-3, not ended) with another provider, on the approval day and still
 *   today (holdsAgainstReferral): not applied, a conflict;
 * - an open one with the same provider: the provider keeps what it reported;
 * - an ended one (any provider), or none: a new episode with the referred provider, status 1
 *   from the approval date, the old episode's reports cleared from the row (kept in lineage),
 *   so the member goes out on the next mini-MIF and MIF; the file's later approvals for the
 *   member and line then meet that episode (a conflict when to another provider).
 * A referral already on record (a re-import) changes no assignment.
 */
export const REFERRALS: Applier = {
  // [POLICY] approval order (then row order) across the whole file: a member's referrals may
  // fall in two batches, and the outcome must not depend on where the batches split the file
  // (staged as read and applied from the import's table in this order, a batch at a time)
  orderKey: approval,
  async check(c, rows, { reject, state, now, today, conflicts }) {
    rows = dedupe(rows, (r) => String(r.referral_id), seen(state, 'ref'), reject, 'referral_id');
    rows = await knownMemberWithEcmContract(c, rows, reject, 'approved_date');
    if (!rows.length) return rows;
    const known = await knownReferralIds(c, rows.map((r) => String(r.referral_id)));
    const current = await assignmentsByLine(c, rows.map((r) => String(r.cin)));
    const refused: ImportConflict[] = [];
    // New referrals of one member and line in one file read as if imported one after another, in
    // approval order: the first starts the episode and a later one to another provider is a
    // conflict, as it would be in the next file (else the later silently won and the earlier one
    // stayed on record as a referral never sent, alerted on as overdue).
    // (per file: a line a batch opened is opened for the batches after it)
    const opened = seen(state, 'opened') as Map<string, string>;
    // (rows come in approval order, then row order: the import reads them back so, orderKey)
    const out = new Set<Row>();
    for (const r of rows) {
      const was = known.get(String(r.referral_id));
      if (was && (was.cin !== r.cin || was.provider_code !== r.provider_code || was.lob !== r.lob)) {
        // [POLICY] a referral on record is not moved by a later extract: its episode stays where
        // it started, and the record rewritten would name a provider the member never went to
        const column = was.cin !== r.cin ? 'cin' : was.provider_code !== r.provider_code ? 'provider_code' : 'lob';
        const what = column === 'cin' ? 'another member' : column === 'lob' ? `line ${was.lob}` : `provider ${was.provider_code}`;
        reject(r.__row, `referral ${String(r.referral_id)} is already on record for ${what}: a referral on record is not changed; a new referral needs a new referral_id`, column);
        continue;
      }
      const line = `${String(r.cin)}|${String(r.lob)}`;
      const cur = current.get(line);
      // (open on the approval day: an assignment the plan ended since, moving the member to
      // another line, holds a referral approved before that end, not one approved after it;
      // another provider's holds it only while what it reported still holds the member today)
      const approved = String(r.approved_date);
      const holds = cur && (cur.provider_code === r.provider_code ? isOpenEcm(cur, approved) : holdsAgainstReferral(cur, approved, today));
      const holder = opened.get(line) ?? (holds ? cur.provider_code : null);
      if (known.has(String(r.referral_id))) r.__action = 'keep';
      else if (holder === null) {
        r.__action = 'episode';
        opened.set(line, String(r.provider_code));
      } else if (holder === r.provider_code) r.__action = opened.has(line) ? 'episode' : 'keep'; // (the file's latest approval is the episode's)
      else {
        refused.push({ row: r.__row, referralId: String(r.referral_id), cin: String(r.cin), lob: String(r.lob), currentProvider: holder, referredProvider: String(r.provider_code) });
        reject(r.__row, `member has an open ECM assignment with provider ${holder} in ${String(r.lob)}: referral to ${String(r.provider_code)} not applied (see conflicts; a switch goes through the assignment extract)`, 'provider_code');
        continue;
      }
      out.add(r);
    }
    if (refused.length) {
      conflicts.push(...refused);
      const approved = new Map(rows.map((r) => [r.__row, r.approved_date]));
      await recordReferralConflicts(c, refused.map((k) => ({
        referral_id: k.referralId, cin: k.cin, lob: k.lob, current_provider: k.currentProvider, referred_provider: k.referredProvider,
        approved_date: String(approved.get(k.row)),
      })), now);
    }
    return rows.filter((r) => out.has(r));
  },

  async upsert(c, rows, { now }) {
    await upsertReferrals(c, fields<'referrals'>(rows));
    await startReferralEpisodes(c, rows.map((r): ReferralWrite => ({
      row: r.__row, action: r.__action as ReferralWrite['action'], referral_id: String(r.referral_id), cin: String(r.cin), provider_code: String(r.provider_code),
      lob: String(r.lob), approved_date: String(r.approved_date),
    })), now);
  },
};

/**
 * The liaisons of both providers hear of referrals the import did not apply: counts, row
 * numbers and provider codes (no CINs: ops have those in the import output). The liaisons of
 * the line involved: each provider's ECM contract in the conflict's line (its own liaison when it
 * has no contract there, or the contract names none). One message per set of recipients
 * (compared case-insensitively); a re-import of the same file does not send it again.
 */
export async function queueReferralConflictAlerts(c: pg.PoolClient, fileName: string, conflicts: readonly ImportConflict[], now: Date): Promise<QueuedNotice[]> {
  return queueLiaisonAlerts(c, now, conflicts, {
    what: 'referral conflicts', field: 'conflicts', whose: 'the providers',
    // both providers' liaisons of the referral's line
    providersOf: (k) => [{ code: k.currentProvider, lob: k.lob }, { code: k.referredProvider, lob: k.lob }],
    notice: (list, to) => {
      const providers = [...new Set(list.flatMap((k) => [k.currentProvider, k.referredProvider]))].sort();
      return {
        kind: 'referral-conflict',
        subject: `ECM referral conflicts: ${list.length} referral(s) not applied (${providers.join(', ')})`,
        text: [
          `The ECM referral import of ${fileName} found ${list.length} approved referral(s) for members who have an open ECM assignment`,
          'with another provider in the same line of business. They were NOT applied: each member stays with the current provider.',
          'A switch happens only through the plan\'s assignment extract (calaim-exchange import ecm-assignments); the member may need to call Member Services.',
          '',
          ...list.map((k) => `  row ${k.row}: referred to ${k.referredProvider} (${k.lob}); currently with ${k.currentProvider}`),
          '',
          `Ops see the members in the import's output: calaim-exchange import referrals ${fileName} --json ("conflicts").`,
        ].join('\n'),
        key: `referral-conflict:${createHash('sha256').update(`${to}|${list.map((k) => `${k.referralId}>${k.referredProvider}`).sort().join(',')}`).digest('hex').slice(0, 32)}`,
      };
    },
  });
}

/**
 * [POLICY LOB_SWITCH] The liaison of the line each member left (the old provider's ECM contract in
 * that line; the provider's own liaison when the contract names none) hears of the assignments
 * the import ended: row numbers, lines, provider codes, last days and counts, never CINs (ops have
 * them in the import output). One message per liaison (compared case-insensitively); a re-import
 * ends nothing more, so sends nothing more (and the same ends would not be sent twice).
 */
export async function queueLineSwitchAlerts(c: pg.PoolClient, fileName: string, switches: readonly ImportLineSwitch[], now: Date): Promise<QueuedNotice[]> {
  return queueLiaisonAlerts(c, now, switches, {
    what: 'line switches', field: 'lineSwitches', whose: 'the old providers',
    // the old provider's liaison of the line left
    providersOf: (k) => [{ code: k.provider, lob: k.lineLeft }],
    notice: (list, to) => {
      const providers = [...new Set(list.map((k) => `${k.provider} (${k.lineLeft})`))].sort();
      return {
        kind: 'line-switch',
        subject: `ECM line of business changes: ${list.length} assignment(s) ended (${providers.join(', ')})`,
        text: [
          `The ECM assignment import of ${fileName} assigned ${list.length} member(s) in another line of business, and no longer lists them in the line`,
          'they had an open ECM assignment in. A member is in one of the plan\'s lines at a time, so the plan ended each of those assignments',
          'the day before the new line\'s assigned date (the provider\'s reported status and dates are kept as reported). From then on the member is on no',
          'MIF or mini-MIF of the old line, and the old provider\'s RTF for a later period does not owe them (a row about them is accepted with a warning',
          'so the provider can report the discontinuation).',
          '',
          ...list.map((k) => `  row ${k.row}: left ${k.lineLeft} (provider ${k.provider}), last day ${k.lastDay}; now in ${k.lineJoined}`),
          '',
          `Ops see the members in the import's output: calaim-exchange import ecm-assignments ${fileName} --json ("lineSwitches").`,
        ].join('\n'),
        key: `line-switch:${createHash('sha256').update(`${to}|${list.map((k) => `${k.assignmentId}@${k.lastDay}`).sort().join(',')}`).digest('hex').slice(0, 32)}`,
      };
    },
  });
}

/** Who hears of an import's surprises, and what: see queueLiaisonAlerts. */
interface LiaisonAlert<T> {
  what: string; field: string; whose: string;
  providersOf: (item: T) => { code: string; lob: string }[];
}

/**
 * The items grouped by their recipients: the liaisons of the ECM contracts of each item's
 * providers in their lines (a provider's own liaison when the contract names none), compared
 * case-insensitively, `to` comma-joined. Items with nobody to tell are logged (counts only).
 */
async function liaisonGroups<T>(db: pg.Pool | pg.PoolClient, items: readonly T[], o: LiaisonAlert<T>): Promise<{ to: string; list: T[] }[]> {
  const liaisons = await contractLiaisons(db, [...new Set(items.flatMap((k) => o.providersOf(k).map((p) => p.code)))], 'ECM');
  const liaisonOf = (code: string, lob: string) => (liaisons.has(`${code}|${lob}`) ? liaisons.get(`${code}|${lob}`) : liaisons.get(code)) ?? null;
  const groups = new Map<string, T[]>();
  for (const k of items) {
    const to = [...new Set(o.providersOf(k).map((p) => liaisonOf(p.code, p.lob)).filter((x): x is string => !!x).map(normaliseEmail))].sort().join(',');
    groups.set(to, [...(groups.get(to) ?? []), k]);
  }
  const out: { to: string; list: T[] }[] = [];
  for (const [to, list] of groups) {
    if (to) out.push({ to, list });
    else log.warn({ [o.field]: list.length }, `${o.what}: ${o.whose} have no liaison email; not alerted`);
  }
  return out;
}

/**
 * The liaisons' email about what a transaction wrote (an import's conflicts and line switches,
 * the switches not applied on their day), once per set of recipients (liaisonGroups), recorded
 * (PENDING) in that transaction: what it committed, its alerts included, or nothing. Sent once
 * it commits (sendQueuedNotices), or by the notify job if the process stops first.
 */
async function queueLiaisonAlerts<T>(
  c: pg.PoolClient, now: Date, items: readonly T[],
  o: LiaisonAlert<T> & { notice: (list: T[], to: string) => { kind: string; subject: string; text: string; key: string } },
): Promise<QueuedNotice[]> {
  const queued: QueuedNotice[] = [];
  if (!items.length) return queued;
  for (const { to, list } of await liaisonGroups(c, items, o)) {
    const msg = { ...o.notice(list, to), to: to.split(',') };
    await queueNotification(c, msg, now);
    queued.push(msg);
  }
  return queued;
}
