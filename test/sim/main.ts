// `npm run simulate -- --months 13 --seed 7`: the year-long simulation on a zero-setup plan
// (embedded Postgres and the in-process sFTP server in a fresh folder), printing one line per
// month. Exits 1 at the first difference from the reference model, 2 on a bad flag.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { migrate } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/pool.js';
import { log } from '../../src/log.js';
import { zeroSetupConfig } from '../../src/demo/month.js';
import { providerSftpFolders } from '../../src/repositories/providers.js';
import { openTransport } from '../../src/sftp/transport.js';
import { Mismatch, simulate } from './drive.js';
import { DEFAULT_MIX, FULL, SMALL, STRESS_MIX } from './scenario.js';
import { formatTable } from './table.js';

const int = (name: string, min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}`);
  return n;
};

async function main(): Promise<number> {
  const program = new Command('simulate')
    .description('a seeded year of plan events and provider files against the real system, checked against the reference model')
    .option('--months <n>', 'months to play (the first only sends files)', int('--months', 1, 36), 13)
    .option('--seed <n>', 'random seed: the same seed plays the same year', int('--seed', 0, 2 ** 31), 7)
    .option('--size <full|small>', `full: ${FULL.providers} providers, ${FULL.members} members; small: ${SMALL.providers}, ${SMALL.members}`, 'full')
    .option('--mix <default|stress>', 'default: the year the suite plays; stress: more switches, conflicts and re-referrals, plus line-of-business switches, corrected RTF/OTF and CSPRTF files, early re-authorizations, and contracts ended and re-opened through the providers extract', 'default')
    .option('--out <dir>', 'data folder (default: a new temporary folder, removed afterwards)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const opts = program.opts<{ months: number; seed: number; size: string; mix: string; out?: string }>();
  if (opts.mix !== 'default' && opts.mix !== 'stress') {
    process.stderr.write('error: --mix takes default or stress\n');
    return 2;
  }
  const mix = opts.mix === 'stress' ? STRESS_MIX : DEFAULT_MIX;
  if (opts.size !== 'full' && opts.size !== 'small') {
    process.stderr.write('error: --size takes full or small\n');
    return 2;
  }
  // a line per file and email would bury the table: warnings only, unless LOG_LEVEL says otherwise
  if (!process.env.LOG_LEVEL) log.level = 'warn';
  const sizes = opts.size === 'full' ? FULL : SMALL;
  const out = opts.out ? path.resolve(opts.out) : fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-simulate-'));
  fs.mkdirSync(out, { recursive: true });
  fs.chmodSync(out, 0o755);
  const config = await zeroSetupConfig(out);
  const workDir = path.join(out, 'imports');
  fs.mkdirSync(workDir, { recursive: true });
  console.log(`simulate: seed ${opts.seed}, ${opts.months} months, ${sizes.providers} providers, ${sizes.members} members, ${opts.mix} mix (data in ${out})`);
  const started = performance.now();
  const db = await openDatabase(config);
  let transport: Awaited<ReturnType<typeof openTransport>> | undefined;
  try {
    await migrate(db.pool);
    transport = await openTransport(config, () => providerSftpFolders(db.pool));
    let header = true;
    const table = await simulate({ pool: db.pool, config, openSession: transport.openSession, sftpRoot: transport.localRoot!, workDir }, {
      seed: opts.seed, months: opts.months, sizes, mix,
      onMonth: (row) => {
        const [h, line] = formatTable([row]).split('\n');
        if (header) console.log(h);
        header = false;
        console.log(line);
      },
    });
    const mismatches = table.reduce((n, r) => n + r.mismatches, 0);
    console.log(`simulate: ${table.length} months, ${mismatches} mismatches, ${Math.round((performance.now() - started) / 1000)} s (seed ${opts.seed})`);
    return mismatches ? 1 : 0;
  } catch (e) {
    if (e instanceof Mismatch) {
      console.error(e.message);
      console.log(`simulate: stopped at the first mismatch after ${Math.round((performance.now() - started) / 1000)} s (seed ${opts.seed})`);
      return 1;
    }
    throw e;
  } finally {
    await transport?.close();
    await db.close();
    if (!opts.out) fs.rmSync(out, { recursive: true, force: true });
  }
}

process.exitCode = await main();
