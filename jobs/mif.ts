// The monthly MIF (the 15th): one file per ECM provider and line of business.
import { MIF_RULE } from '../src/calendar/slots.js';
import { declareJob } from './job.js';

export const mif = declareJob({
  name: 'mif',
  description: 'monthly MIF per ECM provider and line of business',
  slotKind: 'date',
  at: '06:30',
  slots: () => MIF_RULE,
  catchUp: 'current',
  run: async (deps, ctx) => (await import('./common.js')).generateSlot('mif', deps, ctx),
});
