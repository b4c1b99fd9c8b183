// The command tree of `calaim-exchange` (no side effects: tests walk it to read every --help).
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../package-root.js';
import { registerDb } from './commands/db.js';
import { registerDemo } from './commands/demo.js';
import { registerValidate } from './commands/validate.js';
import { registerImport } from './commands/import.js';
import { registerGenerate } from './commands/generate.js';
import { registerIngest } from './commands/ingest.js';
import { registerStatus } from './commands/status.js';
import { registerScheduler } from './commands/scheduler.js';
import { registerRuns } from './commands/runs.js';
import { registerSubmissions } from './commands/submissions.js';
import { registerNotifications } from './commands/notifications.js';
import { registerSwitches } from './commands/switches.js';
import { registerMember } from './commands/member.js';
import { registerReprocess } from './commands/reprocess.js';
import { registerUsers } from './commands/users.js';
import { registerServe } from './commands/serve.js';

/** The version in package.json (`--version`). */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('calaim-exchange')
    .description('Health plan side of the CalAIM ECM / Community Supports file exchange')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  registerDemo(program);
  registerDb(program);
  registerValidate(program);
  registerImport(program);
  registerGenerate(program);
  registerIngest(program);
  registerStatus(program);
  registerScheduler(program);
  registerRuns(program);
  registerSubmissions(program);
  registerNotifications(program);
  registerSwitches(program);
  registerMember(program);
  registerReprocess(program);
  registerServe(program);
  registerUsers(program);
  return program;
}
