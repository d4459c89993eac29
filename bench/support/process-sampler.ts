import { readdirSync, readFileSync } from 'node:fs';
import { now } from './stats.js';

/*
 * Resident memory and CPU per process, read from /proc every `intervalMs`: for named processes (the services, by pid)
 * and for server groups by command name (postgres, nats-server, redis-server; all their processes summed). Linux only;
 * elsewhere the figures stay empty.
 */

const TICKS_PER_SECOND = 100;

interface Sample {
  rssKiB: number;
  hwmKiB: number;
  ticks: number;
}

function readStatus(pid: number): { rssKiB: number; hwmKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
  } catch {
    return undefined;
  }
}

function readTicks(pid: number): { name: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const rest = stat
      .slice(close + 2)
      .split(' ')
      .map(Number);
    // utime and stime (fields 14 and 15) are at index 11 and 12 after the command name.
    return { name: stat.slice(open + 1, close), ticks: (rest[11] ?? 0) + (rest[12] ?? 0) };
  } catch {
    return undefined;
  }
}

function sample(pid: number): Sample | undefined {
  const status = readStatus(pid);
  const ticks = readTicks(pid);
  if (!status || !ticks) return undefined;
  return { ...status, ticks: ticks.ticks };
}

/** Ticks of every process with one of these command names, by name. */
function groupTicks(names: readonly string[]): Record<string, Map<number, number>> {
  const groups: Record<string, Map<number, number>> = Object.fromEntries(names.map((n) => [n, new Map()]));
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const t = readTicks(Number(entry));
    if (t && groups[t.name]) groups[t.name].set(Number(entry), t.ticks);
  }
  return groups;
}

export interface ProcessFigures {
  /** Largest VmRSS seen by the sampler in the window, MiB. */
  peakRssMiB: number;
  /** The kernel's own peak (VmHWM) at the end of the window: the process's lifetime peak, MiB. */
  hwmMiB: number;
  /** CPU in the window, % of one core. */
  cpuPercent: number;
}

interface Window {
  startedAt: number;
  startTicks: Map<string, number>;
  startGroups: Record<string, Map<number, number>>;
  startSelf: NodeJS.CpuUsage;
  peak: Map<string, number>;
}

export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly pids = new Map<string, number>();
  private readonly windows = new Map<string, Window>();
  /** Lifetime peak of VmRSS seen by the sampler, by process name. */
  readonly lifetimePeakKiB = new Map<string, number>();

  constructor(
    private readonly groups: readonly string[] = ['postgres', 'nats-server', 'redis-server'],
    private readonly intervalMs = 100,
  ) {}

  track(name: string, pid: number): void {
    this.pids.set(name, pid);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private tick(): void {
    for (const [name, pid] of this.pids) {
      const status = readStatus(pid);
      if (!status) continue;
      this.lifetimePeakKiB.set(name, Math.max(this.lifetimePeakKiB.get(name) ?? 0, status.rssKiB));
      for (const window of this.windows.values())
        window.peak.set(name, Math.max(window.peak.get(name) ?? 0, status.rssKiB));
    }
  }

  /** Starts a named window (peak RSS and CPU are reported per window; windows may overlap). */
  openWindow(label: string): void {
    const startTicks = new Map<string, number>();
    for (const [name, pid] of this.pids) {
      const s = sample(pid);
      if (s) startTicks.set(name, s.ticks);
    }
    this.windows.set(label, {
      startedAt: now(),
      startTicks,
      startGroups: groupTicks(this.groups),
      startSelf: process.cpuUsage(),
      peak: new Map(),
    });
    this.tick();
  }

  /** Ends the window: per tracked process, and per server group (CPU only), plus this process. */
  closeWindow(label: string): {
    seconds: number;
    processes: Record<string, ProcessFigures>;
    groupsCpuPercent: Record<string, number>;
    selfCpuPercent: number;
  } {
    const window = this.windows.get(label);
    if (!window) throw new Error(`no window "${label}" open`);
    this.tick();
    this.windows.delete(label);
    const seconds = (now() - window.startedAt) / 1000;
    const pct = (ticks: number): number => (ticks / TICKS_PER_SECOND / seconds) * 100;
    const processes: Record<string, ProcessFigures> = {};
    for (const [name, pid] of this.pids) {
      const s = sample(pid);
      processes[name] = {
        peakRssMiB: (window.peak.get(name) ?? 0) / 1024,
        hwmMiB: (s?.hwmKiB ?? 0) / 1024,
        cpuPercent: s ? pct(s.ticks - (window.startTicks.get(name) ?? s.ticks)) : Number.NaN,
      };
    }
    const end = groupTicks(this.groups);
    const groupsCpuPercent: Record<string, number> = {};
    for (const name of this.groups) {
      let ticks = 0;
      for (const [pid, value] of end[name]) ticks += value - (window.startGroups[name]?.get(pid) ?? 0);
      groupsCpuPercent[name] = pct(ticks);
    }
    const self = process.cpuUsage(window.startSelf);
    return {
      seconds,
      processes,
      groupsCpuPercent,
      selfCpuPercent: ((self.user + self.system) / 1e6 / seconds) * 100,
    };
  }
}

/** Busy and idle CPU of the whole machine between two readings, % of one core. */
export function machineTicks(): { busy: number; idle: number; at: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0);
    return { busy: total - idle, idle, at: now() };
  } catch {
    return { busy: Number.NaN, idle: Number.NaN, at: now() };
  }
}

export function machineBetween(
  before: ReturnType<typeof machineTicks>,
  after: ReturnType<typeof machineTicks>,
): { busyPercent: number; idlePercent: number } {
  const seconds = (after.at - before.at) / 1000;
  return {
    busyPercent: ((after.busy - before.busy) / TICKS_PER_SECOND / seconds) * 100,
    idlePercent: ((after.idle - before.idle) / TICKS_PER_SECOND / seconds) * 100,
  };
}
