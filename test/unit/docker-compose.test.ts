// No Docker engine runs here, so the production compose file is checked for structure (and the
// fingerprint one-shot's shell line is run with ssh-keygen stubbed).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig, SETTINGS } from '../../src/config.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const composeText = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = YAML.parse(composeText, { merge: true });
const services = compose.services as Record<string, Record<string, unknown>>;

describe('docker-compose.yml', () => {
  it('has Postgres pinned to a major version, with a volume and a healthcheck', () => {
    const pg = services.postgres!;
    expect(pg.image).toMatch(/^postgres:\d+/);
    expect(pg.image).not.toMatch(/latest/);
    expect(pg.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect((pg.healthcheck as { test: string[] }).test.join(' ')).toMatch(/pg_isready/);
  });

  it('has an OpenSSH sFTP server with chrooted provider accounts and a persistent host key', () => {
    const sftp = services.sftp!;
    expect((sftp.build as string)).toBe('./deploy/sftp');
    expect(sftp.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^sftp-hostkeys:\/etc\/ssh\/keys/), expect.stringMatching(/^sftp-data:/)]));
    expect(sftp.healthcheck).toBeDefined();
    const sshd = fs.readFileSync(path.join(root, 'deploy/sftp/sshd_config'), 'utf8');
    expect(sshd).toMatch(/Match Group providers\s+ChrootDirectory \/srv\/sftp\/%u\s+ForceCommand internal-sftp/);
    expect(sshd).toMatch(/HostKey \/etc\/ssh\/keys\//);
    expect(sshd).toMatch(/PasswordAuthentication no/);
    expect(fs.existsSync(path.join(root, 'deploy/sftp/entrypoint.sh'))).toBe(true);
  });

  it('runs migrations first, then the scheduler once its dependencies are healthy', () => {
    const app = services.scheduler!;
    expect(app.command).toEqual(['scheduler']);
    expect(app.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      sftp: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(services.migrate!.command).toEqual(['db', 'migrate']);
  });

  it('checks the scheduler through /healthz on the address it listens on, with Node (no curl in the image)', () => {
    const app = services.scheduler!;
    const env = app.environment as Record<string, string>;
    // localhost inside the container, where the healthcheck runs
    const health = loadConfig({ HEALTH_HOST: env.HEALTH_HOST, HEALTH_PORT: env.HEALTH_PORT });
    expect([health.HEALTH_HOST, health.HEALTH_PORT]).toEqual(['127.0.0.1', 9464]);
    const hc = app.healthcheck as { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
    expect(hc.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    const url = /fetch\('([^']+)'\)/.exec(hc.test[3]!)?.[1];
    expect(url).toBe(`http://${env.HEALTH_HOST}:${env.HEALTH_PORT}/healthz`);
    expect(hc.retries).toBeGreaterThan(0);
    for (const k of ['interval', 'timeout', 'start_period'] as const) expect(hc[k], k).toMatch(/^\d+s$/);
    // the migrate one-shot serves nothing
    expect((services.migrate!.environment as Record<string, string>).HEALTH_PORT).toBeUndefined();
  });

  it("the healthcheck's node line exits 0 on a 200, 1 on a 503 and 1 when nothing listens", async () => {
    const script = (services.scheduler!.healthcheck as { test: string[] }).test[3]!;
    const { createServer } = await import('node:http');
    let status = 200;
    const server = createServer((_req, res) => res.writeHead(status).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const run = (p: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['-e', script.replace(':9464/', `:${p}/`)], { stdio: 'ignore' });
        child.on('close', resolve);
      });
    try {
      expect(await run(port)).toBe(0);
      status = 503;
      expect(await run(port)).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await run(port)).toBe(1);
  });

  it('configures the app only through variables the app knows, with the host key pinned', () => {
    const env = services.scheduler!.environment as Record<string, string>;
    for (const k of Object.keys(env)) expect(Object.keys(SETTINGS), k).toContain(k);
    for (const k of ['DATABASE_URL', 'SFTP_HOST', 'SFTP_USER', 'SFTP_PRIVATE_KEY_PATH', 'SFTP_HOST_KEY_SHA256', 'SMTP_URL']) expect(env[k], k).toBeTruthy();
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
  });

  it('declares every named volume and secret it uses', () => {
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'sftp-data', 'sftp-hostkeys', 'appdata']));
    expect(Object.keys(compose.secrets)).toContain('sftp_service_key');
  });

  it('builds the app from a Dockerfile that installs from the lock file', () => {
    const df = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(df).toMatch(/FROM node:20/);
    expect(df).toMatch(/npm ci/);
    expect(df).toMatch(/USER node/);
  });

  // First run, from nothing: the fingerprint exists only once the sftp service has started.
  const appServices = Object.entries(services).filter(([, svc]) => svc.build === '.');
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const dockerfileLines = dockerfile.split('\n').map((l) => l.trim());
  const dataDir = /^ENV\s+.*\bDATA_DIR=(\S+)/m.exec(dockerfile)?.[1];

  it('lets the sftp service start before the fingerprint is known: no variable blocks it that only exists after it started', () => {
    // ${VAR:?} anywhere stops every `docker compose` command, `up sftp` included.
    const required = [...composeText.matchAll(/\$\{(\w+):?\?/g)].map((m) => m[1]);
    expect(required).not.toContain('SFTP_HOST_KEY_SHA256');
    // what an operator knows before anything ran (written to .env first)
    for (const v of required) expect(['POSTGRES_PASSWORD', 'SMTP_URL'], v).toContain(v);
    // the app services get it possibly empty, and their own config check refuses it then
    for (const [name, svc] of appServices)
      expect((svc.environment as Record<string, string>).SFTP_HOST_KEY_SHA256, name).toBe('${SFTP_HOST_KEY_SHA256:-}');
    expect(() => loadConfig({ SFTP_HOST: 'sftp', SFTP_USER: 'calaim', SFTP_PRIVATE_KEY_PATH: '/k', SFTP_HOST_KEY_SHA256: '' })).toThrow(/SFTP_HOST_KEY_SHA256: required with SFTP_HOST/);
  });

  it('has a one-shot sftp-fingerprint service printing the host key fingerprint as a .env line', () => {
    const fp = services['sftp-fingerprint']!;
    expect(fp).toBeDefined();
    expect(fp.build).toBe(services.sftp!.build);
    expect(fp.profiles, 'not started by `docker compose up`').toEqual(['tools']);
    expect(fp.restart ?? 'no').toBe('no');
    expect(fp.depends_on).toEqual({ sftp: { condition: 'service_healthy' } });
    expect(fp.volumes).toEqual(['sftp-hostkeys:/etc/ssh/keys:ro']);
    const cmd = (fp.entrypoint as string[]).join(' ');
    // the key the sftp entrypoint creates and serves
    const keyPath = /ssh-keygen -lf (\S+\.pub)/.exec(cmd)?.[1];
    expect(keyPath).toBe('/etc/ssh/keys/ssh_host_ed25519_key.pub');
    expect(fs.readFileSync(path.join(root, 'deploy/sftp/entrypoint.sh'), 'utf8')).toContain(keyPath!.replace(/\.pub$/, ''));
    expect(cmd).toContain('SFTP_HOST_KEY_SHA256=');
    // compose interpolates $ in the file: every shell $ must be written $$
    expect(cmd.replace(/\$\$/g, '')).not.toContain('$');
  });

  it("the one-shot's shell line turns ssh-keygen -lf output into a fingerprint the app accepts", () => {
    // what the container runs once compose has turned $$ into $, with ssh-keygen stubbed by the
    // line OpenSSH prints: "<bits> SHA256:<43> <comment> (<type>)"
    const fp = `SHA256:${createHash('sha256').update('host key').digest('base64').replace(/=+$/, '')}`;
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-fp-'));
    try {
      fs.writeFileSync(path.join(bin, 'ssh-keygen'), `#!/bin/sh\necho "256 ${fp} root@sftp host key (ED25519)"\n`, { mode: 0o755 });
      const cmd = (services['sftp-fingerprint']!.entrypoint as string[]).slice(2).join(' ').replaceAll('$$', '$');
      const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`SFTP_HOST_KEY_SHA256=${fp}\n`);
      const value = r.stdout.trim().split('=')[1];
      expect(loadConfig({ SFTP_HOST: 'sftp', SFTP_USER: 'calaim', SFTP_PASSWORD: 'x', SFTP_HOST_KEY_SHA256: value }).SFTP_HOST_KEY_SHA256).toBe(fp);
      // no key yet: the one-shot fails instead of printing an empty line into .env
      fs.writeFileSync(path.join(bin, 'ssh-keygen'), '#!/bin/sh\necho "no such file" >&2\nexit 1\n', { mode: 0o755 });
      const none = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
      expect(none.status).not.toBe(0);
      expect(none.stdout).toBe('');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('documents the first-run path in the README, with no placeholder fingerprint', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Production: docker-compose'), readme.indexOf('\n## ', readme.indexOf('## Production: docker-compose') + 5));
    const lines = section.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
    const sftpFirst = lines.findIndex((l) => /^docker compose up -d (--wait )?sftp$/.test(l));
    const fingerprint = lines.indexOf('docker compose run --rm -T sftp-fingerprint >> .env');
    const all = lines.indexOf('docker compose up -d');
    expect(sftpFirst).toBeGreaterThan(0);
    expect(fingerprint).toBeGreaterThan(sftpFirst);
    expect(all).toBeGreaterThan(fingerprint);
    // every fingerprint written in it is one the app accepts (none here: it comes from the one-shot)
    for (const m of section.matchAll(/SFTP_HOST_KEY_SHA256=(\S*)/g)) expect(() => loadConfig({ SFTP_HOST_KEY_SHA256: m[1] }), m[0]).not.toThrow();
    const commands = section.slice(section.indexOf('```sh'), section.indexOf('```', section.indexOf('```sh') + 5));
    expect(commands).not.toMatch(/SHA256:/);
  });

  it('has the app image create and own its data folder before dropping to the node user, where compose mounts the volume', () => {
    expect(dataDir).toBe('/var/lib/calaim-exchange');
    const user = dockerfileLines.indexOf('USER node');
    expect(user).toBeGreaterThan(0);
    const expand = (l: string) => l.replaceAll('${DATA_DIR}', dataDir!).replaceAll('$DATA_DIR', dataDir!);
    const before = dockerfileLines.slice(0, user).map(expand);
    const run = before.find((l) => l.startsWith('RUN') && l.includes(`mkdir -p ${dataDir}`));
    expect(run, 'RUN mkdir -p DATA_DIR before USER node').toBeDefined();
    expect(run).toMatch(new RegExp(`chown (-R )?node:node ${dataDir!.replaceAll('/', '\\/')}`));
    // the scheduler (and `compose run scheduler ingest …`) writes there, on the named volume
    expect(services.scheduler!.volumes).toContain(`appdata:${dataDir}`);
    for (const [name, svc] of appServices) {
      const env = svc.environment as Record<string, string>;
      if (env.DATA_DIR) expect(env.DATA_DIR, name).toBe(dataDir);
    }
  });

  it('uses only variables src/config.ts knows, in every app service and the Dockerfile', () => {
    expect(appServices.map(([n]) => n).sort()).toEqual(['migrate', 'scheduler']);
    for (const [name, svc] of appServices)
      for (const k of Object.keys(svc.environment as Record<string, string>)) expect(Object.keys(SETTINGS), `${name}: ${k}`).toContain(k);
    const envNames = dockerfileLines.filter((l) => l.startsWith('ENV ')).flatMap((l) => [...l.slice(4).matchAll(/(\w+)=/g)].map((m) => m[1]!));
    for (const k of envNames.filter((n) => !['NODE_ENV', 'npm_config_fund', 'npm_config_audit'].includes(n))) expect(Object.keys(SETTINGS), k).toContain(k);
  });
});
