// Fault injection for the crash tests: a process started with CALAIM_FAULT_POINT=<name> kills
// itself (SIGKILL, no clean-up) when it reaches that point. Unset in production: a no-op.
export function faultPoint(name: string): void {
  if (process.env.CALAIM_FAULT_POINT === name) process.kill(process.pid, 'SIGKILL');
}
