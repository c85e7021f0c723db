/**
 * The worker pool, started by cli.ts before the program's own modules load. A worker's start-up
 * (Node, our modules, faker's locale: about 200 ms here) was most of the time to a dry run's first
 * record, and it began only once the coordinator had loaded everything and read the schema (about
 * 180 ms more). Started here, the two overlap; the workers learn the plan from their first task.
 *
 * cli.ts looks at the raw arguments, before commander parses them: a wrong guess only costs
 * time, never output. The program takes the pool when its --threads match (takeEarlyPool), and
 * otherwise, or when it stops before running (bad arguments, a schema error, --clean), the pool is
 * destroyed unused.
 *
 * Only node: built-ins here, and run.js loaded when the pool starts: cli.ts imports this module
 * before it knows whether it will relaunch.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Piscina } from 'piscina';

/** Arguments after which the command prints or deletes something and generates nothing. */
const NO_GENERATION = ['-c', '--clean', '-h', '--help', '-V', '--version'];

/** Whether these arguments may make a run that generates records (a cheap look, before commander). */
export function generates(args: readonly string[]): boolean {
  return !args.some((a) => NO_GENERATION.includes(a));
}

/**
 * The value of the last `--long v`, `--long=v`, `-s v` or `-sv` among the raw arguments (as
 * commander reads them; '' when the option ends the line), or undefined when the option is absent.
 */
export function optionText(args: readonly string[], long: string, short?: string): string | undefined {
  let text: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === long || a === short) text = args[++i] ?? '';
    else if (a.startsWith(`${long}=`)) text = a.slice(long.length + 1);
    else if (short !== undefined && a.startsWith(short) && !a.startsWith('--') && a.length > short.length) text = a.slice(short.length);
  }
  return text;
}

/** --threads as given (`--threads 4`, `--threads=4`), or undefined when absent or not a whole number ≥ 1. */
export function threadsArg(args: readonly string[]): number | undefined {
  const text = optionText(args, '--threads');
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** --threads when not given: the program's default too, so that the early pool is the one it wants. */
export function defaultThreads(): number {
  return availableParallelism();
}

let early: { threads: number; pool: Piscina } | undefined;

/** Starts the pool for these arguments, unless they generate nothing; resolves once it is starting. */
export async function startEarlyPool(args: readonly string[]): Promise<void> {
  if (!generates(args)) return;
  const threads = threadsArg(args) ?? defaultThreads();
  const { startPool } = await import('./run.js');
  early = { threads, pool: startPool(threads) };
}

/**
 * The early pool if it has `threads` workers; otherwise undefined, and an early pool (if any) is
 * destroyed. Called with no argument on the way out, it destroys a pool nobody took.
 */
export async function takeEarlyPool(threads?: number): Promise<Piscina | undefined> {
  const taken = early;
  early = undefined;
  if (!taken) return undefined;
  if (threads === taken.threads) return taken.pool;
  await destroyPool(taken.pool);
  return undefined;
}

/**
 * How long the workers sit idle before they are stopped. Node 20 takes a worker's isolate off its
 * platform before disposing of it, and a TurboFan compilation still running in the background for
 * that isolate can then ask the platform for it and abort the whole process (`Assertion failed:
 * (data.first) != nullptr` in NodePlatform::ForIsolate, SIGABRT, after the run's summary). Such
 * compilations are queued while a worker's code warms up, in a run's first seconds, and each
 * takes milliseconds: Ctrl-C half a second into `-n -1` ended that way about once in 150
 * runs (once in CI, twenty-fourth session). An idle worker queues none, so a pause lets those in
 * flight finish first.
 */
const SETTLE_MS = 100;

/** When each pool last had no task in flight (run.ts); absent while tasks run. */
const idleSince = new WeakMap<Piscina, number>();

/**
 * Notes that `pool` has no task in flight (`idle`), or that tasks are about to run. The pause
 * before stopping the pool counts from the moment it went idle: a Kafka run's flush (at least
 * 50 ms) and its summary happen while the workers sit idle anyway.
 */
export function noteIdle(pool: Piscina, idle: boolean): void {
  if (idle) idleSince.set(pool, performance.now());
  else idleSince.delete(pool);
}

/** Stops the pool's workers once they have been idle SETTLE_MS, so that background compilations for them have finished (above). */
export async function destroyPool(pool: Piscina): Promise<void> {
  const since = idleSince.get(pool);
  const idleMs = since === undefined ? 0 : performance.now() - since;
  if (idleMs < SETTLE_MS) await sleep(SETTLE_MS - idleMs);
  await pool.destroy();
}
