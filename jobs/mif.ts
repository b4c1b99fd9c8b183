// The monthly MIF (the 15th): one file per ECM provider and line of business.
import { MIF_RULE } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';

export const mif = declareJob({
  name: 'mif',
  description: 'monthly MIF per ECM provider and line of business',
  ...firesAt('06:30', () => MIF_RULE),
  run: async (deps, ctx) => (await import('./common.js')).generateSlot('mif', deps, ctx),
});
