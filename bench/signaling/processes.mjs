// What both benchmarks (run.mjs, scale.mjs) read of the processes they start: CPU seconds and memory from /proc, and
// a child process whose output goes to a log file and stays readable.
import { spawn } from 'node:child_process';
import { readFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds of a process (with its ended children when asked). */
export function cpuOf(pid, withChildren) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // fields after "comm)": state=0 ... utime=11 stime=12 cutime=13 cstime=14
  return (Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0)) / TICKS;
}

function childrenOf(pid) {
  try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { return []; }
}

export function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

/** The PostgreSQL postmaster with every backend, live or ended (ended ones are in the postmaster's cutime). */
export function postgresCpu(pgdata) {
  const pid = Number(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return cpuOf(pid, true) + childrenOf(pid).reduce((sum, c) => { try { return sum + cpuOf(c, false); } catch { return sum; } }, 0);
}

/** The whole machine's busy CPU seconds and its elapsed CPU seconds (all cores), from /proc/stat. */
export function machineCpu() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = f[3] + f[4];
  const all = f.reduce((a, b) => a + b, 0);
  return { busy: (all - idle) / TICKS, all: all / TICKS };
}

export async function waitFor(check, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A child process logging to `<logDir>/<name>.log`, on the CPUs given (a taskset list) or on any. */
export function startProcess(logDir, name, command, args, options, cpus) {
  const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = cpus ? spawn('taskset', ['-c', cpus, command, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log); child.stderr.pipe(log);
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  return child;
}

/** The q-th percentile (0-100) of the values, NaN when there are none. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
