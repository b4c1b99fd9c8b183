// The CSASF (the 15th and CSASF_SECOND_RUN_DAY, or the month's last day): one file per CS provider.
import { csasfRule } from '../src/calendar/slots.js';
import { declareJob } from './job.js';

export const csasf = declareJob({
  name: 'csasf',
  description: 'CSASF per CS provider (the 15th and CSASF_SECOND_RUN_DAY, or the last day)',
  slotKind: 'date',
  at: '06:45',
  slots: (config) => csasfRule(config.CSASF_SECOND_RUN_DAY),
  catchUp: 'current',
  run: async (deps, ctx) => (await import('./common.js')).generateSlot('csasf', deps, ctx),
});
