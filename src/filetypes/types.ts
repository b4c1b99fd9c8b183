// What a file type is: one definition per inbound type, in its own folder (src/filetypes/<type>/)
// beside its layout in schemas/. The registry (registry.ts) holds one per InboundType and the
// compiler rejects a type missing a part; everything shared (validation, the ingest pipeline,
// apply, the missing-submission digest, status) loops over or looks up the registry and names
// no type.
import type pg from 'pg';
import type { CellValue } from '../../schemas/cells.js';
import type { InboundLayoutName, Layout } from '../../schemas/layout.js';
import type { IsoDate } from '../../schemas/primitives.js';
import type { DeadlineFileType } from '../calendar/deadlines.js';
import type { Config } from '../config.js';
import type { RowValidation } from '../validate/file-type.js';
import type { Issue } from '../validate/issues.js';
import type { RowCells } from '../validate/scope.js';
import type { CellOut } from '../validate/types.js';
import type { OutreachAttempts } from './outreach-attempts.js';
import type { ProviderContext } from './provider-context.js';

/** The inbound file types: a provider's return files. A new one is added here and in the registry. */
export type InboundType = InboundLayoutName;

/** The programme a type reports on: it decides the contracts (lines of business) a row is checked against. */
export type Program = 'ECM' | 'CS';

/** A validated row, as the context rules see it (its values typed by the layout's keys). */
export interface ContextRow<K extends string = string> {
  sheet: string;
  layout: Layout;
  rowNumber: number;
  values: Readonly<Partial<Record<K, CellOut | null>>>;
  cin?: string;
  cells: RowCells;
  /** The row's issues so far (row and cross-row rules). */
  issues: readonly Issue[];
}

/**
 * Facts one file's sheets gather for the others: the RTF's check of members declared unable to
 * engage counts the outreach attempts the same file's OTF sheet reports.
 */
export interface FileFacts {
  /** Per member, the attempts this file reports (accepted OTF rows). */
  outreach: OutreachAttempts;
}

/** What a type's context rules are built from, once per file. */
export interface ContextFile {
  ctx: ProviderContext;
  config: Config;
  /** The last day of the reporting period (undefined offline). */
  periodEnd: IsoDate | undefined;
  facts: FileFacts;
}

/** Questions a type's end-of-file rules ask the database (the pipeline answers them in its transaction). */
export interface EndOfFileQueries {
  /** Of these business keys of `type`, those an earlier file of the period still counts, as `key|lob` (a key counts per line of business). */
  countingEarlier(type: string, keys: readonly string[]): Promise<ReadonlySet<string>>;
}

/**
 * The rules of one type that need the database context (the provider's members, latest MIF or
 * CSASF, outreach history). The provider's identity and contracts are checked for every type
 * before (context-rules.ts); `check` runs for rows with a valid CIN and may reject the row.
 */
export interface ContextRuleSet<K extends string = string> {
  /** @param lob the row's line of business, when valid */
  check(row: ContextRow<K>, lob: string | undefined, out: Issue[]): void;
  /** File-wide warnings for the liaison once every row is read; they never change a row's verdict. */
  finish?(db: EndOfFileQueries): Promise<Issue[]>;
}

/** Staged rows to apply: the whole sheet, or only a batch of its rows (applied as the file is read). */
export interface RowRange { from: number; to: number }
export const ALL_ROWS: RowRange = { from: 1, to: 2_147_483_647 };

/**
 * Applies a sheet's accepted staged rows (submission_rows) to the plan's records, inside the
 * submission's transaction: one statement per sheet (or batch), never one per row. Returns the
 * rows applied.
 */
export type ApplyStatement = (c: pg.PoolClient, sheetId: number, provider: string, range?: RowRange) => Promise<number>;

/**
 * A staged row's business key (spec §6) and line of business, as SQL over `submission_rows r`:
 * corrections merge by it (src/ingest/apply.ts mergeRange).
 */
export interface MergeKey {
  key: string;
  lob: string;
  /** The cross-row check rejects a repeated key: a file carries each key once, and merging needs no de-duplication. */
  uniquePerFile: boolean;
}

export interface FileTypeDefinition<K extends string = string, N extends string = string> extends RowValidation<K, N> {
  readonly name: N;
  readonly program: Program;
  /** Which of the plan's submission windows (src/calendar/verdict.ts) the type follows. */
  readonly deadlineWindow: DeadlineFileType;
  /**
   * Expected-submission rule: every provider contracted for the program owes one per reporting
   * period (the missing-submission digest and `status` list it when none counts).
   */
  readonly expectedEachPeriod: boolean;
  /** The rules needing the database context; required, so no type skips them. */
  readonly contextRules: (file: ContextFile) => ContextRuleSet<K>;
  readonly apply: ApplyStatement;
  readonly mergeKey: MergeKey;
  /** Corrections replace the whole line of business instead of merging by key (OTF_CORRECTIONS=replace-line). */
  readonly replacesLine?: (config: Config) => boolean;
  /**
   * Warnings from the database once the file's rows of this type count (RTF: Lead Care Manager
   * caseloads). `sheet`: where the warnings are shown.
   */
  readonly afterApply?: (c: pg.PoolClient, args: { config: Config; provider: string; sheet: string; periodDate: string }) => Promise<Issue[]>;
  /**
   * Outbound prefill: the record of this layout the plan sends pre-filled for the provider to
   * update (RTF: the MIF workbook's second sheet). Its input is the type's own (what src/generate queries).
   */
  readonly prefill?: (...args: never[]) => Partial<Record<K, CellValue>>;
}

/** A complete registry: one definition per InboundType, each under its own name. */
export type CompleteRegistry = { readonly [N in InboundType]: FileTypeDefinition<string, N> };

/** The file types a process reads: the production registry, or one extended (a test's own type). */
export interface FileTypeRegistry {
  /** In registry order. */
  readonly types: readonly FileTypeDefinition[];
  readonly names: readonly string[];
  /** The type of that name; an unknown name throws (UnknownFileTypeError), never a skip. */
  get(name: string): FileTypeDefinition;
}
