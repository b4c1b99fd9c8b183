// No Docker engine runs here, so the runtime stage of the Dockerfile is simulated: exactly the
// paths its COPY lines bring in are copied into an empty folder (the build stage's output taken
// from this checkout's `npm run build`), node_modules is linked instead of `npm ci --omit=dev`
// (too slow here; what dist/ imports is checked against the production dependencies instead),
// and its `touch` steps are run. The bin must then run the compiled JavaScript: there is no
// TypeScript source in that folder for tsx to run, and bin/build-state.js must call dist/ current.
import { spawn, spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { currentBuild, ENTRY } from '../../bin/build-state.js';
import { ROOT } from '../helpers/cli.js';

interface Instruction { op: string; args: string }
interface Stage { name: string; from: string; lines: Instruction[] }

function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  const joined = dockerfile.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      out.push({ name: m[2] ?? String(out.length), from: m[1]!, lines: [] });
    } else out[out.length - 1]!.lines.push({ op: op!, args });
  }
  return out;
}

const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const all = stages(dockerfile);
const runtime = all[all.length - 1]!;
const build = all.find((s) => s.name === 'build');
/** The runtime stage's copies: [path in this checkout, path under /app]. */
const copies = runtime.lines
  .filter((l) => l.op === 'COPY')
  .flatMap((l) => {
    const parts = l.args.split(/\s+/);
    const from = parts.find((p) => p.startsWith('--from='))?.slice(7);
    const paths = parts.filter((p) => !p.startsWith('--'));
    const dest = paths.pop()!;
    return paths.map((src) => {
      // the build stage works in /app on this checkout's layout
      const local = from === undefined ? src : path.relative('/app', src);
      const target = dest.endsWith('/') || paths.length > 1 ? path.join(dest, path.basename(src)) : dest;
      return [local, target] as [string, string];
    });
  });

describe('Dockerfile stages', () => {
  it('builds in a stage with devDependencies and runs from a production install', () => {
    expect(all.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const s of all) expect(s.from).toMatch(/^node:20-bookworm-slim$/);
    const buildRuns = build!.lines.filter((l) => l.op === 'RUN').map((l) => l.args);
    expect(buildRuns.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(buildRuns).toContain('npm run build');
    const runtimeRuns = runtime.lines.filter((l) => l.op === 'RUN').map((l) => l.args);
    expect(runtimeRuns.some((r) => r.startsWith('npm ci --omit=dev'))).toBe(true);
    expect(runtimeRuns.some((r) => /\bnpm run build\b|\btsc\b/.test(r))).toBe(false);
    // the compiled output, from the build stage; no TypeScript source trees
    expect(copies).toContainEqual(['dist', './dist']);
    for (const [src] of copies) expect(['src', 'schemas', 'jobs'], src).not.toContain(src);
    // the production stage builds the image's user and entry point
    expect(runtime.lines.map((l) => `${l.op} ${l.args}`)).toEqual(expect.arrayContaining(['USER node', 'ENTRYPOINT ["calaim-exchange"]', 'CMD ["scheduler"]']));
  });

  it('copies into the build stage everything the build compiles', () => {
    const got = build!.lines.filter((l) => l.op === 'COPY').flatMap((l) => l.args.split(/\s+/).slice(0, -1));
    for (const p of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'bin', 'src', 'schemas', 'jobs']) expect(got, p).toContain(p);
  });
});

describe('the runtime stage, simulated', () => {
  let app: string;
  let adminUrl: string;
  let dbName: string | undefined;

  beforeAll(() => {
    // the build stage's output: this checkout's build, made when it is not current
    if (!currentBuild(ROOT)) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
    }
    app = fs.mkdtempSync(path.join(os.tmpdir(), 'calaim-image-'));
    for (const [src, dest] of copies) fs.cpSync(path.join(ROOT, src), path.join(app, dest), { recursive: true, preserveTimestamps: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    for (const l of runtime.lines.filter((x) => x.op === 'RUN' && x.args.startsWith('touch '))) {
      const r = spawnSync('/bin/sh', ['-c', l.args], { cwd: app, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    adminUrl = inject('adminDatabaseUrl');
  });
  afterAll(async () => {
    if (dbName) {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    }
    if (app) fs.rmSync(app, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const { CALAIM_RUN_SOURCE: _ignored, ...base } = process.env;
      const child = spawn(process.execPath, [path.join(app, 'bin', 'calaim-exchange.js'), ...args], {
        cwd: app,
        env: { ...base, NODE_ENV: 'production', LOG_LEVEL: 'warn', DATA_DIR: path.join(app, 'data'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('has no TypeScript source, and bin/build-state.js calls its dist/ current', () => {
    expect(fs.existsSync(path.join(app, 'src', 'cli', 'main.ts'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'jobs'))).toBe(false);
    expect(currentBuild(app)).toBe(path.join(app, ENTRY));
  });

  it('runs the compiled CLI: --version', async () => {
    const r = await cli(['--version']);
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('finds the migrations it needs at run time: db migrate on an empty database applies them all', async () => {
    dbName = `t_image_${process.pid}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`create database ${dbName}`);
    await c.end();
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    const r = await cli(['db', 'migrate', '--json'], { DATABASE_URL: u.toString() });
    expect(r.code, r.stderr).toBe(0);
    const sql = fs.readdirSync(path.join(ROOT, 'src', 'db', 'migrations')).filter((f) => f.endsWith('.sql'));
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain(sql.sort()[sql.length - 1]!.replace(/\.sql$/, ''));
  });

  it('imports, from dist/, only node built-ins and production dependencies (npm ci --omit=dev installs nothing else)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const allowed = new Set(Object.keys(pkg.dependencies));
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.js'))
          // tsc writes each static import on one line; dynamic ones are import('…') / require('…')
          for (const m of fs.readFileSync(p, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"\n]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/gm))
            seen.add((m[1] ?? m[2] ?? m[3])!);
      }
    };
    walk(path.join(app, 'dist'));
    const bare = [...seen].filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(s));
    const pkgName = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    expect(bare.length).toBeGreaterThan(5);
    for (const s of bare) expect(allowed, s).toContain(pkgName(s));
  });
});
