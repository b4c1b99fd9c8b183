// The daily mini-MIF: per ECM provider, referrals approved 5+ days ago not yet on any MIF or mini-MIF.
import { DAILY } from '../src/calendar/slots.js';
import { declareJob } from './job.js';

export const miniMif = declareJob({
  name: 'mini-mif',
  description: 'daily mini-MIF of newly referred members',
  slotKind: 'date',
  at: '07:00',
  slots: () => DAILY,
  catchUp: 'current',
  run: async (deps, ctx) => (await import('./common.js')).generateSlot('mini-mif', deps, ctx),
});
