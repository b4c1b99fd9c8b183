// Pure date rules of spec/domain.md §2: plan-local dates, reporting periods, submission
// verdicts and schedule slots. No I/O; nothing here reads the clock.
export * from './zone.js';
export * from './period.js';
export * from './deadlines.js';
export * from './verdict.js';
export * from './slots.js';
export * from './receipt.js';
