import { readdirSync, readFileSync } from 'node:fs';

/** CPU time used so far, in milliseconds, by one process and by every PostgreSQL process on the machine. */
export interface CpuTimes {
  api: number;
  postgres: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process, and its command name, from /proc/<pid>/stat; null once it is gone. */
function readStat(pid: string): { comm: string; ms: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // After the command name: state is field 3 of stat(5); utime and stime are fields 14 and 15.
  return { comm: stat.slice(stat.indexOf('(') + 1, close), ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
}

/**
 * CPU split between the API and PostgreSQL (Linux /proc; null elsewhere). Wall-clock throughput on a shared,
 * noisy two-core machine swings by ±15 % between runs; the CPU each side spends per event is steadier, and
 * says which side a change helped. Backends that exit between two readings lose their last interval: the
 * benchmarks keep their connections open.
 */
export function cpuTimes(apiPid: number): CpuTimes | null {
  const api = readStat(String(apiPid));
  if (!api) return null;
  let postgres = 0;
  for (const pid of readdirSync('/proc')) {
    if (pid.charCodeAt(0) > 57) continue; // not a pid
    const s = readStat(pid);
    if (s && s.comm === 'postgres') postgres += s.ms;
  }
  return { api: api.ms, postgres };
}

/** CPU used between two readings. */
export function cpuSince(before: CpuTimes | null, after: CpuTimes | null): CpuTimes | null {
  return before && after ? { api: after.api - before.api, postgres: after.postgres - before.postgres } : null;
}
