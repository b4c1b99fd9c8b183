// The planned ECM switches (daily, just after plan-local midnight: SWITCHES_AT): an assignment
// extract's move of a member to another provider of the line from a later day takes effect at
// the start of its day, so nothing read that day (a page, a report, a file) shows the old
// holder until some other run happens to apply it. Those its check does not apply are recorded
// and their liaisons told (applyDueSwitches).
import { DAILY } from '../src/calendar/slots.js';
import { declareJob, firesAt } from './job.js';

export const switches = declareJob({
  name: 'switches',
  description: "apply the day's planned ECM switches (the liaisons told of those not applied)",
  ...firesAt((config) => config.SWITCHES_AT, () => DAILY),
  atSetting: 'SWITCHES_AT',
  run: async (deps, ctx) => {
    const { dueSwitchesApplied } = await import('../src/import/ecm.js');
    const r = await dueSwitchesApplied(deps.pool, ctx.now, deps.config.PLAN_TIME_ZONE, deps.config);
    return { applied: r.applied, notApplied: r.notApplied.length };
  },
});
