import { readdirSync, readFileSync } from 'node:fs';

/** CPU time used so far, in milliseconds, by one process and by every PostgreSQL process on the machine. */
export interface CpuTimes {
  api: number;
  postgres: number;
  /** Every core's busy time (user, system, interrupts, steal), whoever used it: the load generator too. */
  machine: number;
  /** PostgreSQL's CPU by process id (so that a process that exits between two readings does not count negative). */
  postgresByPid?: Map<string, number>;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process, and its command name, from /proc/<pid>/stat; null once it is gone. */
function readStat(pid: string): { comm: string; ppid: number; ms: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // After the command name: state is field 3 of stat(5); utime and stime are fields 14 and 15.
  return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
}

/**
 * CPU split between the API and PostgreSQL (Linux /proc; null elsewhere). Wall-clock throughput on a shared,
 * noisy two-core machine swings between runs (by up to 1.5× within an hour, seen here); the CPU each side spends per event is steadier, and
 * says which side a change helped. Backends that exit between two readings lose their last interval: the
 * benchmarks keep their connections open. With `postmasterPid`, only that server's processes count (other
 * servers on a shared machine would otherwise be counted too).
 */
export function cpuTimes(apiPid: number, postmasterPid?: number): CpuTimes | null {
  const api = readStat(String(apiPid));
  if (!api) return null;
  let postgres = 0;
  const postgresByPid = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (pid.charCodeAt(0) > 57) continue; // not a pid
    const s = readStat(pid);
    if (s && s.comm === 'postgres' && (postmasterPid === undefined || s.ppid === postmasterPid || Number(pid) === postmasterPid)) {
      postgres += s.ms;
      postgresByPid.set(pid, s.ms);
    }
  }
  return { api: api.ms, postgres, machine: machineBusy(), postgresByPid };
}

function machineBusy(): number {
  // /proc/stat's first line: cpu user nice system idle iowait irq softirq steal ...
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * TICK_MS;
}

/** CPU used between two readings; PostgreSQL's summed over the processes alive at the second (new ones from 0). */
export function cpuSince(before: CpuTimes | null, after: CpuTimes | null): CpuTimes | null {
  if (!before || !after) return null;
  let postgres = after.postgres - before.postgres;
  if (before.postgresByPid && after.postgresByPid) {
    postgres = 0;
    for (const [pid, ms] of after.postgresByPid) postgres += ms - (before.postgresByPid.get(pid) ?? 0);
  }
  return { api: after.api - before.api, postgres, machine: after.machine - before.machine };
}
