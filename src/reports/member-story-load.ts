// One member's story read from the database and built: the one place `calaim-exchange member
// show` (every provider's parts) and the member page (/members/CIN: a liaison's, only the parts
// about the providers they may see) load it. The reads are the repository's
// (src/repositories/member-story.ts), the story and what a liaison is shown of it are pure
// (src/reports/member-story.ts: buildStory, storyForProviders).
import type pg from 'pg';
import {
  assignmentImages, assignmentLineage, memberAssignments, memberCsAuthorizations, memberOutboundRows, memberPendingSwitches, memberProviderRows, memberRecord,
  memberReferrals, memberRtfReports, memberSwitchesNotApplied, type ProviderScope,
} from '../repositories/member-story.js';
import { buildStory, storyForProviders, type MemberStoryJson, type ViewedStory } from './member-story.js';

/** Whose story, "today" (plan-local: eligibility, whether an assignment holds, whether a switch is due), the plan's time zone, and at most how many of each list. */
export interface StoryQuery { cin: string; tz: string; today: string; limit: number }

/**
 * The story, with the bounded lists read for `providers` only (null: every provider's), or
 * undefined when no member has the CIN. Every read is made, at once, also for a CIN on record
 * nowhere: a member unknown takes as long to answer as one whose parts the viewer may not see.
 */
async function readStory(db: pg.Pool | pg.PoolClient, q: StoryQuery, providers: ProviderScope): Promise<MemberStoryJson | undefined> {
  const { cin, today, limit } = q;
  const [member, assignments, pending, notApplied, rtfReports, referrals, cs, rows, outbound] = await Promise.all([
    memberRecord(db, cin, today),
    memberAssignments(db, cin, today),
    memberPendingSwitches(db, cin),
    memberSwitchesNotApplied(db, cin, limit, providers),
    memberRtfReports(db, cin, limit, providers),
    memberReferrals(db, cin, limit, providers),
    memberCsAuthorizations(db, cin, limit, providers),
    memberProviderRows(db, cin, limit, providers),
    memberOutboundRows(db, cin, limit, providers),
  ]);
  const ids = assignments.map((a) => a.id);
  const [lineage, images] = await Promise.all([assignmentLineage(db, ids, limit), assignmentImages(db, ids)]);
  if (!member) return undefined;
  return buildStory({ cin, tz: q.tz, today, limit, member, assignments, lineage, rtfReports, images, pending, notApplied, referrals, cs, rows, outbound });
}

/** Every provider's parts of the member's story (`member show`); undefined: no member with that CIN. */
export const loadMemberStory = (db: pg.Pool | pg.PoolClient, q: StoryQuery): Promise<MemberStoryJson | undefined> => readStory(db, q, null);

/**
 * The member's story as a viewer who may see `providers` (null: every provider, ops and
 * auditors) is shown it: `unknown`, no member with that CIN; `hidden`, none of those providers is
 * in it; else `shown` (storyForProviders). The page answers the first two alike.
 */
export async function loadMemberStoryFor(
  db: pg.Pool | pg.PoolClient, q: StoryQuery, providers: ReadonlySet<string> | null,
): Promise<{ found: 'unknown' } | { found: 'hidden' } | { found: 'shown'; story: ViewedStory }> {
  const doc = await readStory(db, q, providers && [...providers].sort());
  if (!doc) return { found: 'unknown' };
  if (!providers) return { found: 'shown', story: { ...doc, partial: false } };
  const story = storyForProviders(doc, (code) => providers.has(code));
  return story ? { found: 'shown', story } : { found: 'hidden' };
}
