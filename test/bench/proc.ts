/**
 * What benchmarks read about a process from /proc (CPU time used so far and resident memory;
 * synchronous, a few hundred bytes each, so they can be sampled from timers), and how they stop one.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** User + system CPU time a process has used so far, in ms (/proc/PID/stat, clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory in MB; 0 once the process is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * Stops a process the benchmark started: SIGTERM, then SIGKILL if it has not exited after 30 s
 * (a JVM worker whose graceful shutdown hangs must not hold the run until CI's time limit).
 */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
