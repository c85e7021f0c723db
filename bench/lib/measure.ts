/** Runs datagen as users do (a child process) and reads its --stats JSON; samples RSS of long runs. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { jemallocLibrary, withPreload } from '../../src/main/allocator.js';
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
  /** From the run's start (after the program loaded) to its first batch delivered to the sink. */
  startupMs?: number | null;
  recordsPerSec: number;
  mbPerSec: number;
  failed: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssMB: number;
  /** Set by runDatagen / runChild where /proc allows. */
  threadCpu?: ThreadCpu;
}

/** CPU seconds by thread kind, from /proc: what each part of a run costs. */
export interface ThreadCpu {
  /** Piscina workers (named "datagen-worker" by src/workers/worker.ts): generation and encoding. */
  workers: number;
  /** The main thread: the coordinator and the sink's own JavaScript (node-rdkafka's produce(), pg, ...). */
  main: number;
  /** librdkafka's threads ("rdk:*"): batching, compression, the socket. */
  librdkafka: number;
  /** Everything else: V8's compiler and GC helpers, libuv's pool. */
  other: number;
}

/**
 * Samples a process's threads, and those of its child processes (a Kafka run relaunches itself
 * under jemalloc, src/main/allocator.ts), every 100 ms until it exits and keeps each thread's last
 * CPU time, so threads that end before the process (the workers) still count; at most one
 * interval of a thread's CPU is missed. A process's first thread is its main thread, except in a
 * process that started another (the launcher), which counts as other. Linux only: elsewhere
 * `stop()` returns undefined.
 */
function threadCpuSampler(pid: number): { stop(): ThreadCpu | undefined } {
  const last = new Map<string, { comm: string; ticks: number; leader: boolean }>();
  const launchers = new Set<number>();
  const ok = existsSync(`/proc/${pid}/task`);
  const sampleProcess = (p: number) => {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        last.set(tid, { ...readStat(`/proc/${p}/task/${tid}/stat`), leader: tid === String(p) });
        for (const child of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)) {
          launchers.add(p);
          sampleProcess(child);
        }
      } catch {
        // The thread ended between readdir and read.
      }
    }
  };
  const sample = () => sampleProcess(pid);
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      if (!ok) return undefined;
      const cpu: ThreadCpu = { workers: 0, main: 0, librdkafka: 0, other: 0 };
      for (const [tid, { comm, ticks, leader }] of last) {
        const kind = leader ? (launchers.has(Number(tid)) ? 'other' : 'main') : comm === 'datagen-worker' ? 'workers' : comm.startsWith('rdk:') ? 'librdkafka' : 'other';
        cpu[kind] += ticks / 100;
      }
      return cpu;
    },
  };
}

/**
 * Runs a Node script as a child process, sampling its threads' CPU; resolves with its stdout if
 * `keepStdout` (a bench child's one JSON line), else stdout goes to /dev/null (datagen's records).
 */
function runNode(root: string, args: string[], env: NodeJS.ProcessEnv, what: string, keepStdout: boolean): Promise<{ stdout: string; threadCpu?: ThreadCpu }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    const sampler = threadCpuSampler(child.pid!);
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const threadCpu = sampler.stop();
      if (code !== 0) return reject(new Error(`${what} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      resolve({ stdout: Buffer.concat(out).toString(), threadCpu });
    });
  });
}

export async function runDatagen(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Stats> {
  const statsFile = `${mkdtempSync(`${tmpdir()}/dg-bench-`)}/stats.json`;
  const clean = args.includes('--clean');
  const { threadCpu } = await runNode(root, [`${root}dist/src/main/cli.js`, ...args, ...(clean ? [] : ['--stats', statsFile])], env, `datagen ${args.join(' ')}`, false);
  return clean ? ({} as Stats) : { ...(JSON.parse(readFileSync(statsFile, 'utf8')) as Stats), threadCpu };
}

/**
 * The stats with `warmRecordsPerSec`: the rate from `warmMs` after the first batch to the end of
 * the run (delivery confirmed), from datagen's own timeline; null when the run was too short.
 */
export function warm<T extends Stats>(s: T, warmMs: number): T {
  const rate = s.timeline ? rateAfter(s.timeline, warmMs, [s.durationMs, s.records]) : undefined;
  return { ...s, warmRecordsPerSec: rate ?? null };
}

/**
 * Runs a bench child (lib/child.ts). The Kafka client alone runs with the allocator a Kafka run of
 * datagen gets (jemalloc where installed, src/main/allocator.ts), so that it is the limit of the
 * same transport path.
 */
export async function runChild(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Stats & { recordsPerSec: number }> {
  const fullEnv = { ...process.env, ...env };
  const lib = args[0] === 'client' ? jemallocLibrary(fullEnv) : undefined;
  const childEnv = lib ? withPreload(fullEnv, lib) : env;
  const { stdout, threadCpu } = await runNode(root, [`${root}dist/bench/lib/child.js`, ...args], childEnv, `bench child ${args.join(' ')}`, true);
  return { ...(JSON.parse(stdout) as Stats), threadCpu };
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

/** A process's or thread's name and CPU ticks (user + system, 1/100 s on Linux) from its stat(5) file. */
function readStat(path: string): { comm: string; ticks: number } {
  const stat = readFileSync(path, 'utf8');
  // The name is in parentheses and may hold spaces: the fields count from after its closing one.
  const close = stat.lastIndexOf(') ');
  const fields = stat.slice(close + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), 11 and 12 after the name.
  return { comm: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined if it is gone. */
function processCpuSec(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    return readStat(`/proc/${pid}/stat`).ticks / 100;
  } catch {
    return undefined;
  }
}

/** Where scripts/services/services.sh keeps its state: DATAGEN_SERVICES_DIR, as the script reads it, or .services/. */
export function servicesDir(root: string): string {
  return process.env.DATAGEN_SERVICES_DIR || `${root}.services`;
}

function brokerPid(root: string): number | undefined {
  try {
    return Number(readFileSync(`${servicesDir(root)}/kafka/pid`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * Waits until a process (the broker) is nearly idle: less than 5% of a core over half a second,
 * for at most `maxMs`. Topic deletions and JVM housekeeping from the previous run otherwise land
 * inside the next measurement on this 2-core machine.
 */
function settle(pid: number | undefined, maxMs = 15_000): void {
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

/** CPU seconds the broker's JIT compiler threads (HotSpot's `C1/C2 CompilerThread<n>`) have used so far. */
function compilerCpuSec(pid: number): number {
  let sec = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const { comm, ticks } = readStat(`/proc/${pid}/task/${tid}/stat`);
        if (/^C\d CompilerThre/.test(comm)) sec += ticks / 100;
      } catch {
        // The thread ended between readdir and read.
      }
    }
  } catch {
    // The broker is gone.
  }
  return sec;
}

/**
 * Runs `f` once the broker is idle and returns its result with the broker's CPU seconds over the
 * run (undefined when no broker runs here): what the broker spent taking what `f` sent; and the
 * share of it its JIT compilers took, which is large while a broker just started warms up.
 */
export async function withBrokerCpu<T>(root: string, f: () => Promise<T>): Promise<{ result: T; brokerCpuSec?: number; compilerShare?: number }> {
  const pid = brokerPid(root);
  settle(pid);
  const before = processCpuSec(pid);
  const compiling = pid ? compilerCpuSec(pid) : 0;
  const result = await f();
  const after = processCpuSec(pid);
  if (before === undefined || after === undefined) return { result };
  const brokerCpuSec = after - before;
  return { result, brokerCpuSec, compilerShare: brokerCpuSec > 0 ? (compilerCpuSec(pid!) - compiling) / brokerCpuSec : 0 };
}
