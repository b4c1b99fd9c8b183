// `calaim-exchange scheduler`: the long-running process (cron triggers in the plan time zone,
// catch-up on start-up and every few minutes, one poll at start-up), or with --once a single
// catch-up pass for ops and tests. SIGTERM / SIGINT stop it cleanly (exit 0).
import type { Command } from 'commander';
import { JOB_NAMES } from '../../../jobs/index.js';
import { jobDefinitions, scheduleHelp } from '../../../jobs/schedule.js';
import type pg from 'pg';
import { ConfigError, getConfig, loadConfig, type Config } from '../../config.js';
import type { HealthServer } from '../../health/server.js';
import { log } from '../../log.js';
import type { RunReport } from '../../runs/coordinator.js';
import { DEFAULT_CATCH_UP_INTERVAL_MS, DEFAULT_SHUTDOWN_GRACE_MS, Scheduler } from '../../runs/scheduler.js';
import type { Clock } from '../../clock.js';
import { emit, table, UsageError } from '../output.js';
import { commandClock, nowOption } from '../clock-option.js';
import type { Transport } from '../../sftp/transport.js';
import type { WebServer } from '../../web/server.js';
import { checkedListenOn, checkListenHost, startWeb, unresolvedHostError } from './serve.js';
import { openService } from '../lazy-runtime.js';
import { testHooks } from '../test-hooks.js';
import { decimalSeconds, MAX_TIMER_SECONDS } from '../values.js';

interface Opts { serve?: boolean; once?: boolean; fire?: string; now?: string; jobs?: string; catchUpInterval?: string; shutdownGrace?: string; json?: boolean }


/** The shortest catch-up interval: a pass reads the run ledger for every job, so a sub-second one would hammer the database. */
const MIN_CATCH_UP_SECONDS = 1;

const seconds = (v: string | undefined, name: string, fallbackMs: number, minSeconds?: number): number => {
  if (v === undefined) return fallbackMs;
  const n = decimalSeconds(v);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_TIMER_SECONDS || (minSeconds !== undefined && n < minSeconds))
    throw new UsageError(`${name} takes a positive number of seconds, at most ${MAX_TIMER_SECONDS} (24 days)${minSeconds === undefined ? '' : `, and at least ${minSeconds}`}`);
  return n * 1000;
};

/** The settings the help shows the schedule with: the environment's, or the defaults when it has a problem (the command itself reports it). */
function helpSettings(): Config {
  try {
    return loadConfig();
  } catch {
    return loadConfig({});
  }
}

export function registerScheduler(program: Command): void {
  program
    .command('scheduler')
    .description('the long-running process: cron triggers, catch-up of missed slots, polling')
    .option('--once', 'run one catch-up pass (and the start-up poll) and exit')
    .option('--fire <JOB>', 'fire one job\'s cron trigger at --now (or now), as node-cron would, and exit')
    .addOption(nowOption('catch-up, --fire and the jobs start at this instant, then it advances in real time (cron triggers keep the wall clock)'))
    .option('--jobs <LIST>', `only these jobs, comma-separated (${JOB_NAMES.join(', ')})`)
    .option('--catch-up-interval <SECONDS>', 'how often to reconcile the calendar with the run ledger (at least 1)', String(DEFAULT_CATCH_UP_INTERVAL_MS / 1000))
    .option('--shutdown-grace <SECONDS>', 'on SIGTERM, how long to let running units finish before releasing their claims', String(DEFAULT_SHUTDOWN_GRACE_MS / 1000))
    .option('--serve', 'also serve the web pages on WEB_HOST:WEB_PORT (as `serve` does), with the same clock and database')
    .option('--json', 'print one JSON document (the --once reports, or the shutdown summary)')
    .addHelpText('after', () => `
Any number of schedulers may run against the same database: each (job, slot) is claimed
once in the run ledger; a run whose heartbeat stops is taken over by another instance.

Schedule (America/Los_Angeles unless PLAN_TIME_ZONE says otherwise), with the current settings:
${scheduleHelp(helpSettings())}
A missed slot is made up only while it is the current (latest due) one: a superseded file
slot is never sent late.

--once and --fire exit 1 when a slot failed or a poll left a file unanswered (its response
not published; the next poll retries it), as \`poll\` does.

Without --once or --fire it runs until SIGTERM or SIGINT (README "Production: docker-compose"),
and serves GET /healthz and GET /metrics (Prometheus) on HEALTH_HOST:HEALTH_PORT
(127.0.0.1:9464 unless set; README "Operations runbook"); with --serve, the web pages on
WEB_HOST:WEB_PORT too (README "Web").

Examples:
  calaim-exchange scheduler --once --now 2026-11-17T16:00:00Z --json
  calaim-exchange scheduler --once --now 2026-11-17T16:00:00Z --jobs mif,csasf
  calaim-exchange scheduler --fire mif --now 2026-11-15T14:30:00Z`)
    .action(async (opts: Opts) => {
      const clock = commandClock(opts, 'running');
      if (opts.fire !== undefined && !(JOB_NAMES as readonly string[]).includes(opts.fire)) throw new UsageError(`unknown job ${JSON.stringify(opts.fire)}: use ${JOB_NAMES.join(', ')}`);
      // (the job fired is the only one: a --jobs beside it would be dropped without a word)
      if (opts.fire !== undefined && opts.jobs !== undefined) throw new UsageError('--fire runs one job: it does not take --jobs');
      // (one pass and exit: the pages would never be served)
      if (opts.serve && (opts.once || opts.fire !== undefined))
        throw new UsageError('--serve is for the long-running scheduler: --once and --fire run one pass and exit (use `calaim-exchange serve`)');
      const only = opts.fire !== undefined ? [opts.fire] : opts.jobs?.split(',').map((s) => s.trim()).filter(Boolean);
      // an empty list would start a scheduler that never runs anything, and say nothing
      if (only?.length === 0) throw new UsageError(`--jobs names no job: give one or more of ${JOB_NAMES.join(', ')}, comma-separated`);
      const unknown = only?.filter((j) => !(JOB_NAMES as readonly string[]).includes(j)) ?? [];
      if (unknown.length) throw new UsageError(`unknown job(s) ${unknown.join(', ')}: use ${JOB_NAMES.join(', ')}`);
      const catchUpIntervalMs = seconds(opts.catchUpInterval, '--catch-up-interval', DEFAULT_CATCH_UP_INTERVAL_MS, MIN_CATCH_UP_SECONDS);
      const shutdownGraceMs = seconds(opts.shutdownGrace, '--shutdown-grace', DEFAULT_SHUTDOWN_GRACE_MS);

      const config = getConfig();
      // the hosts it will listen on, checked before anything is opened: one that does not resolve is a usage error
      const longRunning = !opts.once && opts.fire === undefined;
      if (longRunning && config.HEALTH_PORT !== null) await checkListenHost(config.HEALTH_HOST, 'HEALTH_HOST');
      const listen = opts.serve ? await checkedListenOn({}, config) : undefined;
      const { db, start } = await openService(config);
      let transport: Transport | undefined;
      let scheduler: Scheduler | undefined;
      let health: HealthServer | undefined;
      let web: WebServer | undefined;
      let stopRequested: (() => void) | undefined;
      const stopped = new Promise<void>((r) => (stopRequested = r));
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        if (++signals > 1) {
          log.warn({ signal: sig }, 'second signal: exiting at once (running claims expire after ABANDON_AFTER_SECONDS)');
          process.exit(1);
        }
        log.info({ signal: sig }, 'shutdown requested');
        stopRequested?.();
      };
      // The scheduler owns SIGTERM / SIGINT: other handlers (withRuntime's, which exit at once)
      // would cut the graceful shutdown short. Closing the database below lets go of an
      // embedded server (stopped only when no other process still uses it).
      const saved = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
      for (const sig of ['SIGTERM', 'SIGINT'] as const) {
        process.removeAllListeners(sig);
        process.on(sig, onSignal);
      }
      try {
        transport = await start();
        const jobs = jobDefinitions({ pool: db.pool, config, openSession: transport.openSession, ...testHooks() }, only);
        scheduler = new Scheduler(jobs, {
          pool: db.pool,
          config,
          catchUpIntervalMs,
          shutdownGraceMs,
          now: clock,
        });
        const s = scheduler;
        void stopped.then(() => s.stop());
        if (opts.once || opts.fire !== undefined) {
          const pass = opts.fire !== undefined ? s.coordinator.fire(opts.fire, s.coordinator.now()).then((r) => [r]) : s.coordinator.catchUp({ startup: true });
          const reports = await Promise.race([pass, stopped.then(() => [] as RunReport[])]);
          const result = await s.stop();
          const failed = reports.filter((r) => r.status === 'failed').length;
          // A poll that ran but could not answer a file (its response not published) is still
          // something for ops to look at: exit 1, as `poll` does for the same pass.
          const failedFiles = reports.reduce((n, r) => n + (r.status === 'ran' && typeof r.counts.failedFiles === 'number' ? r.counts.failedFiles : 0), 0);
          emit(opts, { now: s.coordinator.now().toISOString(), reports, failed, failedFiles, released: result.released }, () =>
            summary(reports) + (failedFiles ? `\n\n${failedFiles} file(s) not answered yet: the next poll retries them` : ''));
          if (failed || failedFiles) process.exitCode = 1;
          return;
        }
        // Before the start-up catch-up: a long catch-up is exactly when ops want to see health.
        if (config.HEALTH_PORT !== null) health = await startHealth(config, db.pool, transport, () => s.coordinator.now());
        if (listen) web = await startWeb(config, db.pool, transport.openSession, () => s.coordinator.now(), listen);
        await s.start();
        log.info({ owner: s.coordinator.owner, catchUpIntervalMs }, 'scheduler running; SIGTERM or SIGINT stops it');
        await stopped;
        const result = await s.stop();
        emit(opts, { stopped: true, ...result }, () => `scheduler stopped: ${result.finished} run(s) finished, ${result.released} released`);
      } finally {
        await scheduler?.stop().catch(() => undefined);
        await health?.close().catch(() => undefined);
        await web?.close().catch(() => undefined);
        await transport?.close().catch(() => undefined);
        await db.close();
        for (const sig of ['SIGTERM', 'SIGINT'] as const) {
          process.off(sig, onSignal);
          for (const l of saved[sig]) process.on(sig, l);
        }
      }
    });
}

/** GET /healthz and /metrics on HEALTH_HOST:HEALTH_PORT; a port that cannot be had stops the scheduler. */
async function startHealth(config: Config, pool: pg.Pool, transport: Transport, now: Clock): Promise<HealthServer> {
  const { createMetricsRegistry } = await import('../../health/metrics.js');
  const { schedulerProbes } = await import('../../health/probes.js');
  const { startHealthServer } = await import('../../health/server.js');
  const { pollMaxAgeSeconds } = await import('../../health/status.js');
  const { metricsSnapshot } = await import('../../repositories/metrics.js');
  const maxAgeSeconds = pollMaxAgeSeconds(config.POLL_CRON, config.HEALTH_POLL_MAX_AGE_FACTOR);
  try {
    const server = await startHealthServer({
      host: config.HEALTH_HOST,
      port: config.HEALTH_PORT ?? 0,
      probes: schedulerProbes(pool, transport.settings, config),
      registry: createMetricsRegistry({ snapshot: () => metricsSnapshot(pool, config.SFTP_ROOT), now }),
      now,
      startedAt: now(),
      pollMaxAgeSeconds: maxAgeSeconds,
      timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    });
    log.info({ url: server.url, healthz: `${server.url}/healthz`, metrics: `${server.url}/metrics`, pollMaxAgeSeconds: maxAgeSeconds }, 'health and metrics listening');
    return server;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${config.HEALTH_HOST}:${String(config.HEALTH_PORT)}`;
    if (code === 'EADDRINUSE')
      throw new ConfigError([{ variable: 'HEALTH_PORT', message: `${where} is already in use (another scheduler on this host?): set HEALTH_PORT to a free port, 0 for any free port, or off` }]);
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new ConfigError([{ variable: code === 'EACCES' ? 'HEALTH_PORT' : 'HEALTH_HOST', message: `cannot listen on ${where} (${code})` }]);
    // (checked before anything was opened; a name can stop resolving since)
    throw unresolvedHostError(err, config.HEALTH_HOST, 'HEALTH_HOST') ?? err;
  }
}

function summary(reports: RunReport[]): string {
  if (reports.length === 0) return 'nothing to run';
  const rows = reports.map((r) => [
    r.job,
    r.slot,
    r.status,
    r.status === 'ran' ? Object.entries(r.counts).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`).join(' ') : r.status === 'failed' ? r.error : (r.detail ?? ''),
  ]);
  return `${reports.length} slot(s)\n\n${table(['job', 'slot', 'status', 'counts / detail'], rows)}`;
}
