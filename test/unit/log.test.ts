import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger('debug', dest as never) };
}

describe('log redaction', () => {
  it('never writes a CIN, name, DOB, phone, address or cell value', () => {
    const { lines, logger } = capture();
    const member = { cin: '91234567A', lastName: 'Garcia', firstName: 'Maria', dob: '1980-02-14', phone: '5595551001', address: '12 Elm St' };
    logger.info({ member }, 'member loaded');
    logger.info({ ...member, provider: 'ACME' }, 'flat member');
    logger.warn({ sheet: 'RTF', issue: { row: 4, value: 'Garcia', cin: '91234567A' } }, 'row issue');
    logger.debug({ rows: [{ cin: '91234567A' }], cells: ['Garcia', 'Maria'] }, 'batch');
    const out = lines.join('');
    for (const phi of ['91234567A', 'Garcia', 'Maria', '1980-02-14', '5595551001', '12 Elm St']) expect(out).not.toContain(phi);
    expect(out).toContain('ACME');
    expect(out).toContain('[REDACTED]');
    expect(lines).toHaveLength(4);
  });
});
