// No Docker engine runs here, so the production compose file is checked for structure.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SETTINGS } from '../../src/config.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const compose = YAML.parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
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
});
