// The scheduled jobs' names, apart from their implementations: the CLI's options and help list
// them without loading what the jobs need (exceljs, ssh2, pg...).
export const JOB_NAMES = ['mif', 'csasf', 'mini-mif', 'minimif-sla', 'missing-alert', 'retention', 'poll', 'notify'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Ops actions started by hand with a reason; in the run history beside the jobs, never scheduled. */
export const OPS_ACTIONS = ['reprocess', 'republish'] as const;
export type OpsAction = (typeof OPS_ACTIONS)[number];
