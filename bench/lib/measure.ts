/** Runs datagen as users do (a child process) and reads its --stats JSON; samples RSS of long runs. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rateAfter, type TimelinePoint } from '../../src/main/timeline.js';

/**
 * JIT warm-up left out of the floor (before its clock starts) and of generate-only (from its
 * timeline): both reach their steady speed within about a second here. BENCH_WARM_MS overrides it
 * (the bench sets 0 for --smoke, and passes it on to its child processes).
 */
export const warmMs = (): number => Number(process.env.BENCH_WARM_MS ?? 1500);

export interface Stats {
  records: number;
  steadyRecordsPerSec?: number | null;
  /** Set by `warm()`: the rate once warm, from the timeline. */
  warmRecordsPerSec?: number | null;
  timeline?: TimelinePoint[];
  bytes: number;
  durationMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  failed: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssMB: number;
}

export function runDatagen(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Stats {
  const statsFile = `${mkdtempSync(`${tmpdir()}/dg-bench-`)}/stats.json`;
  const clean = args.includes('--clean');
  const r = spawnSync(process.execPath, [`${root}dist/src/main/cli.js`, ...args, ...(clean ? [] : ['--stats', statsFile])], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`datagen ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return clean ? ({} as Stats) : (JSON.parse(readFileSync(statsFile, 'utf8')) as Stats);
}

/**
 * The stats with `warmRecordsPerSec`: the rate from `warmMs` after the first batch to the end of
 * the run (delivery confirmed), from datagen's own timeline; null when the run was too short.
 */
export function warm<T extends Stats>(s: T, warmMs: number): T {
  const rate = s.timeline ? rateAfter(s.timeline, warmMs, [s.durationMs, s.records]) : undefined;
  return { ...s, warmRecordsPerSec: rate ?? null };
}

export function runChild(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Stats & { recordsPerSec: number } {
  const r = spawnSync(process.execPath, [`${root}dist/bench/lib/child.js`, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench child ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`);
  return JSON.parse(r.stdout) as Stats;
}

/** Milliseconds from process start to the first byte on stdout. */
export function timeToFirstRecord(root: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [`${root}dist/src/main/cli.js`, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let first: number | undefined;
    child.stdout.once('data', () => (first = performance.now() - t0));
    child.stdout.resume();
    child.on('close', (code) => (code === 0 && first !== undefined ? resolve(first) : reject(new Error(`exit ${code}`))));
  });
}

/** Runs datagen for `seconds`, sampling its resident memory once a second; stops it with SIGINT. */
export async function rssOverTime(root: string, args: string[], seconds: number): Promise<number[]> {
  const child = spawn(process.execPath, [`${root}dist/src/main/cli.js`, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
  const samples: number[] = [];
  for (let s = 0; s < seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      samples.push(Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024));
    } catch {
      break;
    }
  }
  child.kill('SIGINT');
  await new Promise((r) => child.on('close', r));
  return samples;
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined if it is gone. */
export function processCpuSec(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export function brokerPid(root: string): number | undefined {
  try {
    return Number(readFileSync(`${root}.services/kafka/pid`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * Waits until a process (the broker) is nearly idle: less than 5% of a core over half a second,
 * for at most `maxMs`. Topic deletions and JVM housekeeping from the previous run otherwise land
 * inside the next measurement on this 2-core machine.
 */
export function settle(pid: number | undefined, maxMs = 15_000): void {
  if (!pid) return;
  const until = Date.now() + maxMs;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let last = processCpuSec(pid);
  while (Date.now() < until) {
    Atomics.wait(nap, 0, 0, 500);
    const now = processCpuSec(pid);
    if (now === undefined || last === undefined || now - last < 0.025) return;
    last = now;
  }
}
