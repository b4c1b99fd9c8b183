// `npx tsx bench/publish.ts [--files N] [--kb K]`: what one outbound publish costs, the
// measurement behind SftpSession.writeAll (many WRITE requests in flight, TCP_NODELAY). Publishes
// N files of K KiB (default: 100 of 218 KiB, case D's MIF size) one after another on one
// session, as generate does, to the in-process dev server and, where it can run here (root,
// /usr/sbin/sshd), to the shipped OpenSSH set-up (deploy/sftp); prints the median and p95
// milliseconds per publish for each.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSftp, type SftpSession } from '../src/sftp/client.js';
import { startDevServer } from '../src/sftp/dev-server.js';
import { productionSftpAvailability, startProductionSftp } from '../test/helpers/production-sftp.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const files = Math.max(1, Number(option('--files', '100')) || 100);
const bytes = randomBytes(Math.max(1, Number(option('--kb', '218')) || 218) * 1024);
const common = { connectTimeoutMs: 10_000, retries: 2, stallMs: 60_000, retryBaseMs: 100 };

async function measure(label: string, session: SftpSession, dir: string): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < files; i++) {
    const t0 = performance.now();
    await session.publish(dir, `HN_MIF_${String(i).padStart(10, '0')}_20261115.xlsx`, bytes);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
  console.log(`${label.padEnd(37)} ${files} × ${(bytes.length / 1024).toFixed(0)} KiB   median ${at(0.5)} ms   p95 ${at(0.95)} ms`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calx-bench-publish-'));
try {
  fs.mkdirSync(path.join(dir, 'root', 'P', 'downloads'), { recursive: true });
  const dev = await startDevServer({ root: path.join(dir, 'root'), port: 0, hostKeyPath: path.join(dir, 'hostkey'), accounts: [{ username: 'svc', password: 'svc-pass', home: '/' }] });
  try {
    const s = await openSftp({ host: dev.host, port: dev.port, username: 'svc', password: 'svc-pass', hostKeySha256: dev.fingerprint, ...common });
    await measure('in-process dev server', s, '/P/downloads').finally(() => s.close());
  } finally {
    await dev.stop();
  }
  const shipped = productionSftpAvailability();
  if (!shipped.available) console.log(`shipped OpenSSH set-up: not measured (${shipped.reason})`);
  else {
    const server = await startProductionSftp({ providers: ['ACME'] });
    try {
      const e = server.cliEnv();
      const s = await openSftp({
        host: e.SFTP_HOST!, port: Number(e.SFTP_PORT), username: e.SFTP_USER!, privateKey: fs.readFileSync(e.SFTP_PRIVATE_KEY_PATH!, 'utf8'), hostKeySha256: e.SFTP_HOST_KEY_SHA256!, ...common,
      });
      await measure('shipped OpenSSH set-up (deploy/sftp)', s, '/ACME/downloads').finally(() => s.close());
    } finally {
      await server.stop();
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
