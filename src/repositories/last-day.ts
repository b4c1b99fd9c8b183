// A last day as the plan's extracts give one (a contract's contract_end, a member's
// eligibility_end): the thing holds through that day, and with none it is open-ended. On a day:
// not ended before it; for a reporting period: on the period's first day (so the month it ends
// in still counts). contractInForce and memberEligible name it for their tables.

/** SQL: the date column `lastDay` (null: open-ended) has not passed on `day` (the SQL of a date). */
export const notEndedOn = (lastDay: string, day: string): string => `(${lastDay} is null or ${lastDay} >= ${day})`;

/** notEndedOn of a value in memory: `lastDay` (YYYY-MM-DD; null: open-ended) has not passed on `day`. */
export const notEnded = (lastDay: string | null, day: string): boolean => lastDay === null || lastDay >= day;
