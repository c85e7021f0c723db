/**
 * The memory allocator for Kafka runs. librdkafka allocates every message on the thread that
 * calls produce() (our main thread) and frees it on its broker thread; glibc's malloc makes both
 * threads fight over one arena for each record, which cost about a fifth of both threads' CPU in
 * the bench (bench/README.md, tenth session). jemalloc does not. An allocator can only be chosen
 * when a process starts, so for Kafka runs on Linux the command relaunches itself once with
 * jemalloc preloaded when the library is installed (Debian/Ubuntu: libjemalloc2, Fedora/RHEL:
 * jemalloc), and runs with the system's malloc when it is not.
 *
 * A short run (at most SHORT_RUN_ITERATIONS, `-n 10` by default) stays in its own process: the
 * relaunch costs a Node start-up (about 60 ms), more than jemalloc saves on so few records.
 *
 * DATAGEN_ALLOCATOR: unset (the default above), "jemalloc" (relaunch whatever the run's length),
 * "system" (never relaunch), or the path of a jemalloc shared library to use instead of looking
 * for one (whatever the run's length).
 *
 * Only node: built-ins, errors.ts and early.ts's look at the arguments here: this runs before the
 * program is loaded.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { DatagenError, ErrorCodes } from '../errors.js';
import { generates, optionText } from './early.js';

const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/** Where distributions install jemalloc's shared library, for this machine's architecture. */
function jemallocCandidates(): string[] {
  const multiarch = MULTIARCH[process.arch];
  return [
    ...(multiarch ? [`/usr/lib/${multiarch}/libjemalloc.so.2`] : []),
    '/usr/lib64/libjemalloc.so.2',
    '/usr/lib/libjemalloc.so.2',
    '/usr/local/lib/libjemalloc.so.2',
  ];
}

/**
 * The jemalloc library to preload, or undefined for the system's malloc (see the file comment).
 * A DATAGEN_ALLOCATOR path that does not exist is a usage error.
 */
export function jemallocLibrary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const choice = env.DATAGEN_ALLOCATOR?.trim() ?? '';
  if (choice === 'system') return undefined;
  if (choice !== '' && choice !== 'jemalloc') {
    if (!existsSync(choice)) {
      throw new DatagenError(ErrorCodes.USAGE, `DATAGEN_ALLOCATOR is "${choice}": no such file (use "system", "jemalloc", or the path of libjemalloc.so.2)`);
    }
    return choice;
  }
  return jemallocCandidates().find((p) => existsSync(p));
}

/**
 * Whether these command-line arguments make a Kafka run (-f json, the default, or -f avro, not a
 * dry run, --clean, --help or --version). A cheap look at the arguments, before commander parses
 * them: a wrong answer only costs speed, never output.
 */
export function isKafkaRun(args: string[]): boolean {
  if (!generates(args) || args.includes('--dry-run') || args.includes('-dr')) return false;
  const format = optionText(args, '--format', '-f') ?? 'json';
  return format === 'json' || format === 'avro';
}

/**
 * Runs of at most this many iterations are not relaunched unless DATAGEN_ALLOCATOR asks for
 * jemalloc. Measured (twenty-sixth session, ecommerce Avro to the local broker, wall time of four
 * runs each): -n 1000 took 671-691 ms with the system's malloc against 726-760 ms relaunched,
 * -n 10000 (150,000 records) 1,062-1,113 against 1,135-1,179 ms, -n 30000 about the same both ways.
 */
export const SHORT_RUN_ITERATIONS = 10_000;

/** -n/--number as given (`-n 5`, `-n5`, `--number 5`, `--number=5`), its default (10) when absent, undefined when not a whole number. */
export function numberArg(args: readonly string[]): number | undefined {
  const text = optionText(args, '--number', '-n') ?? '10';
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) ? n : undefined;
}

/**
 * The library to relaunch this command under, or undefined to run it in this process: not a
 * Kafka run, a short one (unless DATAGEN_ALLOCATOR names jemalloc), not Linux,
 * DATAGEN_ALLOCATOR=system, no jemalloc installed, or already preloaded (by the user, or because
 * this is the relaunched process).
 */
export function relaunchLibrary(args: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!isKafkaRun(args)) return undefined;
  const n = numberArg(args);
  // Only an unset DATAGEN_ALLOCATOR lets a short run stay here; a set one is checked below.
  if (n !== undefined && n >= 0 && n <= SHORT_RUN_ITERATIONS && !env.DATAGEN_ALLOCATOR?.trim()) return undefined;
  const lib = jemallocLibrary(env);
  const preloaded = (env.LD_PRELOAD ?? '').split(/[\s:]+/);
  if (!lib || preloaded.includes(lib) || preloaded.some((p) => /libjemalloc/.test(p))) return undefined;
  return lib;
}

/** `env` with `lib` added to its LD_PRELOAD, after what that already holds. */
export function withPreload(env: NodeJS.ProcessEnv, lib: string): NodeJS.ProcessEnv {
  return { ...env, LD_PRELOAD: [env.LD_PRELOAD, lib].filter(Boolean).join(' ') };
}

/**
 * Runs this same command (node flags and arguments) in a child process with `lib` preloaded and
 * stdio shared, and exits as it does. Signals sent to this process are passed on; a Ctrl-C in a
 * terminal reaches both processes, so the program treats a second signal within half a second of
 * the first as the same one (program.ts). `fallback` runs the command in this process instead if
 * the child cannot be started.
 */
export function relaunch(lib: string, fallback: () => Promise<unknown>): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: withPreload(process.env, lib) });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const detach = () => signals.forEach((s) => process.off(s, forward));
  signals.forEach((s) => process.on(s, forward));
  child.on('error', () => {
    // Only a child that never started is replaced; an error from a running one (a failed kill) is not.
    if (child.pid !== undefined) return;
    detach();
    void fallback();
  });
  child.on('exit', (code, signal) => {
    detach();
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}

/** The allocator this process runs with, for --debug: the jemalloc library mapped, or the system's. */
export function allocatorInUse(): string {
  try {
    const lib = /\s(\/\S*libjemalloc\S*)$/m.exec(readFileSync('/proc/self/maps', 'utf8'))?.[1];
    if (lib) return `jemalloc (${lib})`;
  } catch {
    // Not Linux.
  }
  return "the system's malloc";
}
