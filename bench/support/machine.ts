import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { now } from './stats.js';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  /** Filled in by the suite: versions of the servers it talks to. */
  servers: Record<string, string>;
}

export function machineInfo(servers: Record<string, string> = {}): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    servers,
  };
}

export function describeMachine(machine: MachineInfo): string {
  const servers = Object.entries(machine.servers)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}${servers ? `, ${servers}` : ''}`;
}

/** CPU used over a window, in percent of one core (200 % = both cores of a 2-core machine fully busy). */
export interface CpuUsage {
  /** This benchmark process (producers, relay and consumer of the platform path all run here). */
  bench: number;
  /** All `postgres` processes, including backends of other users of the server. */
  postgres: number;
  natsServer: number;
  /** Everything else on the machine. */
  other: number;
  /** Idle capacity left, so bench + postgres + natsServer + other + idle = cores × 100. */
  idle: number;
}

interface CpuSnapshot {
  at: number;
  self: NodeJS.CpuUsage;
  machineBusy: number;
  machineIdle: number;
  groups: Record<'postgres' | 'nats-server', Map<number, number>>;
}

const TICKS_PER_SECOND = 100;

function readMachineTicks(): { busy: number; idle: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0);
    return { busy: total - idle, idle };
  } catch {
    return { busy: Number.NaN, idle: Number.NaN };
  }
}

function readProcessTicks(): CpuSnapshot['groups'] {
  const groups: CpuSnapshot['groups'] = { postgres: new Map(), 'nats-server': new Map() };
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(open + 1, close);
      if (name !== 'postgres' && name !== 'nats-server') continue;
      const rest = stat
        .slice(close + 2)
        .split(' ')
        .map(Number);
      // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) are at index 11 and 12 after the name.
      groups[name].set(Number(entry), (rest[11] ?? 0) + (rest[12] ?? 0));
    } catch {
      // The process ended while we read it.
    }
  }
  return groups;
}

export function cpuSnapshot(): CpuSnapshot {
  const machine = readMachineTicks();
  return {
    at: now(),
    self: process.cpuUsage(),
    machineBusy: machine.busy,
    machineIdle: machine.idle,
    groups: readProcessTicks(),
  };
}

function groupDelta(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, value] of after) ticks += value - (before.get(pid) ?? 0);
  return ticks;
}

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks: number): number => (ticks / TICKS_PER_SECOND / seconds) * 100;
  const selfMicros = after.self.user - before.self.user + (after.self.system - before.self.system);
  const bench = (selfMicros / 1e6 / seconds) * 100;
  const postgres = pct(groupDelta(before.groups.postgres, after.groups.postgres));
  const natsServer = pct(groupDelta(before.groups['nats-server'], after.groups['nats-server']));
  const busy = pct(after.machineBusy - before.machineBusy);
  const idle = pct(after.machineIdle - before.machineIdle);
  return { bench, postgres, natsServer, other: Math.max(0, busy - bench - postgres - natsServer), idle };
}
