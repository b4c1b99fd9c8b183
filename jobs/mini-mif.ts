// The daily mini-MIF: per ECM provider, referrals approved 5+ days ago not yet on any MIF or mini-MIF.
import { DAILY } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';

export const miniMif = declareJob({
  name: 'mini-mif',
  description: 'daily mini-MIF of newly referred members',
  ...firesAt('07:00', () => DAILY),
  run: async (deps, ctx) => (await import('./common.js')).generateSlot('mini-mif', deps, ctx),
});
