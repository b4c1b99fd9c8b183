// One real Postgres for the whole run (DATABASE_URL if set, else embedded on a free port);
// each test file clones a migrated template database, so files never share state.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedHandle } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { freePort } from '../../src/net.js';

let handle: EmbeddedHandle | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-test-pg-'));
    fs.chmodSync(dir, 0o755);
    handle = await startEmbedded(path.join(dir, 'pg'), await freePort(), 'postgres');
    adminUrl = handle.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('drop database if exists calaim_template');
  await admin.query('create database calaim_template');
  await admin.end();
  const tpl = new URL(adminUrl);
  tpl.pathname = '/calaim_template';
  const pool = new pg.Pool({ connectionString: tpl.toString() });
  await migrate(pool);
  await pool.end();
  project.provide('adminDatabaseUrl', adminUrl);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
