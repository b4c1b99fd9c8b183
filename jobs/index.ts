// Every scheduled job, in one list: the only place a job is named. The job names, the cron
// table and the coordinator's definitions are derived from it (jobs/schedule.ts). Cheap to
// import (see jobs/job.ts): the CLI lists the jobs in its options and help from here.
import { csasf } from './csasf.js';
import { mif } from './mif.js';
import { miniMif } from './mini-mif.js';
import { minimifSla } from './minimif-sla.js';
import { missingAlert } from './missing-alert.js';
import { notify } from './notify.js';
import { poll } from './poll.js';
import { retention } from './retention.js';
import { switches } from './switches.js';

// (the planned switches last, so the jobs' names and catch-up order stay as they were: the file
// jobs and the SLA alert apply a day's switches themselves before they read who holds members)
export const JOBS = [mif, csasf, miniMif, minimifSla, missingAlert, retention, poll, notify, switches] as const;

export type JobName = (typeof JOBS)[number]['name'];
export const JOB_NAMES: readonly JobName[] = JOBS.map((j) => j.name);

/** Ops actions started by hand with a reason; in the run history beside the jobs, never scheduled. */
export const OPS_ACTIONS = ['reprocess', 'republish'] as const;
export type OpsAction = (typeof OPS_ACTIONS)[number];
