// The CSASF (the 15th and CSASF_SECOND_RUN_DAY, or the month's last day): one file per CS provider.
import { csasfRule } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';

export const csasf = declareJob({
  name: 'csasf',
  description: 'CSASF per CS provider (the 15th and CSASF_SECOND_RUN_DAY, or the last day)',
  ...firesAt('06:45', (config) => csasfRule(config.CSASF_SECOND_RUN_DAY)),
  run: async (deps, ctx) => (await import('./common.js')).generateSlot('csasf', deps, ctx),
});
