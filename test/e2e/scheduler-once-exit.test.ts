// `scheduler --once` as ops script it (cron, a runbook): its exit code says whether anything
// needs them, as `poll`'s does. A poll whose file could not be answered (the provider's
// downloads/ folder broken, so the response cannot be published) is a run that finished, but
// one upload is still unanswered: `poll` exits 1 for it, and so must `scheduler --once`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { otf, otfRow } from '../helpers/provider-files.js';
import { closeCliWorld, openCliWorld, type CliWorld } from '../helpers/world.js';

let world: CliWorld;

beforeAll(async () => {
  world = await openCliWorld('sched-once-exit', { SFTP_STABLE_SECONDS: '0', LOG_LEVEL: 'warn' });
});
afterAll(() => closeCliWorld(world));

describe('scheduler --once exit code', () => {
  it('exits 1 when the poll it ran left a file unanswered, and says how many; 0 once it is answered', async () => {
    const root = path.join(world.dataDir, 'sftp', 'ACME');
    fs.mkdirSync(path.join(root, 'uploads'), { recursive: true });
    fs.rmSync(path.join(root, 'downloads'), { recursive: true, force: true });
    fs.writeFileSync(path.join(root, 'downloads'), 'not a folder'); // nothing can be published
    const file = path.join(root, 'uploads', 'OTF_ACME_202611.xlsx');
    fs.writeFileSync(file, await otf([otfRow()]));
    fs.utimesSync(file, new Date('2026-12-03T17:00:00Z'), new Date('2026-12-03T17:00:00Z'));
    const once = (now: string) => runCli(['scheduler', '--once', '--jobs', 'poll', '--now', now, '--json'], world.env);

    const sighting = await once('2026-12-03T17:05:00Z');
    expect(sighting.code, sighting.stderr).toBe(0);

    const taken = await once('2026-12-03T17:06:00Z');
    expect(taken.code, taken.stderr).toBe(1);
    const doc = taken.json as { failed: number; failedFiles: number; reports: { job: string; status: string; counts?: { failedFiles: number } }[] };
    expect(doc.reports).toEqual([expect.objectContaining({ job: 'poll', status: 'ran', counts: expect.objectContaining({ failedFiles: 1 }) })]);
    expect(doc).toMatchObject({ failed: 0, failedFiles: 1 });
    const text = await runCli(['scheduler', '--once', '--jobs', 'poll', '--now', '2026-12-03T17:07:00Z'], world.env);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toMatch(/1 file\(s\) not answered yet: the next poll retries them/);

    // the folder fixed: the next pass answers it and exits 0
    fs.rmSync(path.join(root, 'downloads'));
    fs.mkdirSync(path.join(root, 'downloads'));
    const answered = await once('2026-12-03T17:08:00Z');
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.json).toMatchObject({ failed: 0, failedFiles: 0 });
    expect(fs.readdirSync(path.join(root, 'downloads')).filter((f) => f.startsWith('OTF_ACME_202611_RESPONSE_'))).toHaveLength(1);
  });
});
