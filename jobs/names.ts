// The scheduled jobs' names, apart from their implementations: the CLI's options and help list
// them without loading what the jobs need (exceljs, ssh2, pg...).
export const JOB_NAMES = ['mif', 'csasf', 'mini-mif', 'minimif-sla', 'missing-alert', 'retention', 'poll', 'notify'] as const;
export type JobName = (typeof JOB_NAMES)[number];
