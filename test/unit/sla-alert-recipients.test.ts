// slaAlertRecipients: whom the mini-MIF SLA alert (members' CINs) goes to, from the line's liaison
// and the liaisons who may see the provider now (liaisonsWhoMaySee, the web pages' rule). The
// database side is test/integration/sla-alert-recipients.test.ts.
import { describe, expect, it } from 'vitest';
import { slaAlertRecipients } from '../../src/reports/alerts.js';

describe('slaAlertRecipients', () => {
  it.each([
    ['the line\'s liaison, who may see the provider: them only', 'HN@Plan.example', ['cv@plan.example', 'hn@plan.example'], ['HN@Plan.example']],
    ['the line\'s liaison may not (their contract has ended): those who may', 'old@plan.example', ['cv@plan.example'], ['cv@plan.example']],
    ['no liaison for the line: those who may, each once, in order', null, ['b@plan.example', 'A@plan.example', 'a@plan.example'], ['a@plan.example', 'b@plan.example']],
    ['nobody may see the provider: nobody, whoever the line names', 'old@plan.example', [], []],
    ['neither', null, [], []],
  ] as const)('%s', (_, line, maySee, to) => {
    expect(slaAlertRecipients(line, maySee)).toEqual(to);
  });
});
