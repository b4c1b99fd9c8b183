// A progress bar on a terminal only: never under --json, never when stderr is not a TTY.
import cliProgress from 'cli-progress';

export interface Progress { update(done: number, total: number, label: string): void; stop(): void }

export function progressBar(opts: { json?: boolean }, title: string): Progress {
  if (opts.json || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {value}/{total} {label}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label) {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { label });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
