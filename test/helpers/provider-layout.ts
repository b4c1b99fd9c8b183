// What a provider account may do in its own folder, as the shipped layout decides it
// (deploy/sftp/entrypoint.sh and sshd_config):
//   <code>/                   root:root      0755  the chroot: nothing created, removed or renamed
//   <code>/uploads            calaim:<code>  3770  the provider creates; sticky: it renames and
//                                                  removes only its own entries
//   <code>/uploads/processed  calaim:<code>  2750  read only (what the plan took: the files stay
//   <code>/uploads/failed     calaim:<code>  2750    the provider's own, so it may still rewrite
//                                                    or chmod them, as on any file it owns)
//   <code>/downloads          calaim:<code>  2750  read only (files the plan's, mode 0640)
// plus internal-sftp -u 0007 -P symlink,hardlink,posix-rename. The same table runs against the
// shipped OpenSSH server (test/e2e/production-topology.test.ts) and the in-process dev server
// (test/integration/sftp-devserver.test.ts), each through OpenSSH's own `sftp` client.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SftpSession } from '../../src/sftp/client.js';

/** The state each case starts from (made by `preparePlanFiles`, as the plan's service account). */
export const PLAN_FILES = {
  download: 'downloads/MIF_PLAN.xlsx',
  processed: 'uploads/processed/TAKEN__20261203T170000Z_1.xlsx',
  failed: 'uploads/failed/BROKEN__20261203T170000Z_2.xlsx',
} as const;

export interface ProviderCase {
  name: string;
  /** sftp batch commands; `LOCAL` stands for a local file to upload. Earlier lines must succeed either way. */
  commands: string[];
  allowed: boolean;
}

/** Unique names per case: a case that succeeds never changes what a later one starts from. */
export const PROVIDER_CASES: ProviderCase[] = [
  // what the provider is there for
  { name: 'upload to uploads/', commands: ['put LOCAL uploads/c01.xlsx'], allowed: true },
  { name: 'read downloads/', commands: [`get ${PLAN_FILES.download} GOT`], allowed: true },
  { name: 'read uploads/processed/', commands: [`get ${PLAN_FILES.processed} GOT`], allowed: true },
  { name: 'read uploads/failed/', commands: [`get ${PLAN_FILES.failed} GOT`], allowed: true },
  { name: 'list every folder', commands: ['ls /', 'ls uploads', 'ls uploads/processed', 'ls uploads/failed', 'ls downloads'], allowed: true },
  { name: 'rename its own upload within uploads/', commands: ['put LOCAL uploads/.c02.xlsx.part', 'rename uploads/.c02.xlsx.part uploads/c02.xlsx'], allowed: true },
  { name: 'remove its own upload', commands: ['put LOCAL uploads/c03.xlsx', 'rm uploads/c03.xlsx'], allowed: true },
  { name: 'chmod its own upload (000)', commands: ['put LOCAL uploads/c04.xlsx', 'chmod 000 uploads/c04.xlsx'], allowed: true },
  { name: 'make and remove a folder in uploads/', commands: ['mkdir uploads/c05', 'rmdir uploads/c05'], allowed: true },
  // the plan's folders: read only
  ...(['downloads', 'uploads/processed', 'uploads/failed'] as const).flatMap((d, i): ProviderCase[] => [
    { name: `put a new file into ${d}/`, commands: [`put LOCAL ${d}/c1${i}.xlsx`], allowed: false },
    { name: `rename its upload into ${d}/`, commands: [`put LOCAL uploads/c2${i}.xlsx`, `rename uploads/c2${i}.xlsx ${d}/c2${i}.xlsx`], allowed: false },
    { name: `mkdir in ${d}/`, commands: [`mkdir ${d}/c3${i}`], allowed: false },
    { name: `chmod ${d}/ itself`, commands: [`chmod 777 ${d}`], allowed: false },
    { name: `remove ${d}/`, commands: [`rmdir ${d}`], allowed: false },
    { name: `rename ${d}/`, commands: [`rename ${d} uploads/c4${i}`], allowed: false },
  ]),
  { name: 'remove a file in downloads/', commands: [`rm ${PLAN_FILES.download}`], allowed: false },
  { name: 'remove a file in uploads/processed/', commands: [`rm ${PLAN_FILES.processed}`], allowed: false },
  { name: 'remove a file in uploads/failed/', commands: [`rm ${PLAN_FILES.failed}`], allowed: false },
  { name: 'rename a file out of downloads/', commands: [`rename ${PLAN_FILES.download} uploads/c50.xlsx`], allowed: false },
  { name: 'rename a file out of uploads/processed/', commands: [`rename ${PLAN_FILES.processed} uploads/c51.xlsx`], allowed: false },
  { name: 'rename a file out of uploads/failed/', commands: [`rename ${PLAN_FILES.failed} uploads/c52.xlsx`], allowed: false },
  { name: 'overwrite a file in downloads/', commands: [`put LOCAL ${PLAN_FILES.download}`], allowed: false },
  { name: 'chmod a file in downloads/', commands: [`chmod 666 ${PLAN_FILES.download}`], allowed: false },
  // (the taken upload stays the provider's file: its owner may rewrite or chmod it, never move or remove it)
  { name: 'overwrite its own taken file in uploads/processed/', commands: [`put LOCAL ${PLAN_FILES.processed}`], allowed: true },
  { name: 'chmod its own taken file in uploads/failed/', commands: [`chmod 600 ${PLAN_FILES.failed}`], allowed: true },
  // the chroot's top level
  { name: 'put at the top level', commands: ['put LOCAL c60.xlsx'], allowed: false },
  { name: 'mkdir at the top level', commands: ['mkdir c61'], allowed: false },
  { name: 'chmod the top level', commands: ['chmod 777 /'], allowed: false },
  { name: 'rename uploads/', commands: ['rename uploads c62'], allowed: false },
  { name: 'chmod uploads/', commands: ['chmod 777 uploads'], allowed: false },
  // links (refused by sshd_config's -P and by the dev server alike)
  { name: 'symlink in uploads/', commands: [`symlink /downloads uploads/c70`], allowed: false },
];

/**
 * The plan's files each case starts from (paths under the provider's folder): a file the plan
 * published, and two uploads of the provider's (`put`, as the provider) the plan moved away.
 */
export async function preparePlanFiles(service: SftpSession, providerFolder: string, put: (uploadName: string) => Promise<void>): Promise<void> {
  const at = (p: string) => `${providerFolder}/${p}`;
  const dir = (p: string) => p.slice(0, p.lastIndexOf('/'));
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  await service.publish(at('downloads'), base(PLAN_FILES.download), Buffer.from('the plan\'s MIF'));
  for (const p of [PLAN_FILES.processed, PLAN_FILES.failed]) {
    await put(`${base(p)}.pending`);
    await service.move(at(`uploads/${base(p)}.pending`), at(dir(p)), base(p));
  }
}

/**
 * Runs every case, one `sftp -b` batch each (a batch stops at its first refused command), and
 * returns whether each was allowed (compare with `expectedOutcomes()`) and what the client said
 * on the cases that were refused.
 */
export async function runProviderCases(
  batch: (commands: string[]) => Promise<{ code: number; stderr: string }>,
  files: { local: string; got: string },
): Promise<{ allowed: Record<string, boolean>; said: string }> {
  const allowed: Record<string, boolean> = {};
  const said: string[] = [];
  for (const c of PROVIDER_CASES) {
    const r = await batch(c.commands.map((l) => l.replace('LOCAL', files.local).replace('GOT', files.got)));
    allowed[c.name] = r.code === 0;
    if (r.code !== 0) said.push(`${c.name}: ${r.stderr.trim()}`);
  }
  return { allowed, said: said.join('\n') };
}

export const expectedOutcomes = (): Record<string, boolean> => Object.fromEntries(PROVIDER_CASES.map((c) => [c.name, c.allowed]));

/**
 * OpenSSH's `sftp -b` as `user`, without blocking the event loop (an in-process server must
 * answer it). `work`: a folder for the batch files.
 */
export function opensshBatch(o: { port: number; user: string; keyFile: string; knownHosts: string; work: string }): (commands: string[]) => Promise<{ code: number; stderr: string }> {
  let n = 0;
  return async (commands) => {
    const file = path.join(o.work, `batch-${o.user}-${n++}`);
    fs.writeFileSync(file, commands.join('\n') + '\n');
    const args = ['-b', file, '-P', String(o.port), '-o', 'IdentitiesOnly=yes', '-i', o.keyFile, '-o', `UserKnownHostsFile=${o.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `${o.user}@127.0.0.1`];
    return promisify(execFile)('sftp', args, { cwd: o.work, timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code?: number; stderr?: string }) => ({ code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '' }),
    );
  };
}
