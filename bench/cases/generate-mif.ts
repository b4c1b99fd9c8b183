// Case D: the monthly MIF run for 100 providers (100,000 members) through the product path:
// per provider × line of business, query the members, build the workbook (MIF sheet and the
// pre-filled RTF sheet), record the file and its rows, publish over sFTP atomically.
import { generate } from '../../src/generate/run.js';
import { caseArgs, runCase, timed } from '../lib/child.js';
import { productDeps, type SftpArgs } from '../lib/sftp.js';

runCase(async () => {
  const a = caseArgs<{ url: string; dataDir: string; sftp: SftpArgs }>();
  const deps = productDeps(a);
  const { pool } = deps;
  try {
    const { value: r, seconds, cpuSeconds } = await timed(() => generate('mif', { date: '2026-11-15' }, deps));
    if (r.failed) throw new Error(`MIF run failed: ${JSON.stringify(r.units.filter((u) => u.error))}`);
    const rows = r.units.reduce((n, u) => n + u.rows, 0);
    return { rows, seconds, cpuSeconds, extra: { files: r.published } };
  } finally {
    await pool.end();
  }
});
