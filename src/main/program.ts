/**
 * The datagen command line, run by cli.ts (in its own process, or relaunched under jemalloc for
 * Kafka runs). With cli.ts, the only place that prints errors and chooses exit codes (both through
 * errors.ts's reportError): 0 ok, 1 runtime failure, 2 usage or schema error.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option, type OptionValues } from 'commander';
import type { Piscina } from 'piscina';
import { DatagenError, ErrorCodes, errorMessage, exitCodeOf, reportError } from '../errors.js';
import { loadSchema } from '../schema/load.js';
import type { GenOptions, Plan } from '../schema/plan.js';
import { FORMATS, loadSink } from '../sinks/index.js';
import type { Sink, SinkOptionsInput } from '../sinks/sink.js';
import { StdoutSink } from '../sinks/stdout/index.js';
import { allocatorInUse } from './allocator.js';
import { defaultThreads, destroyPool, takeEarlyPool } from './early.js';
import { loadDotEnv, redact } from './env.js';
import { formatSummary, statsJson, type Outcome } from './progress.js';
import { run, sampleRecords, sentBefore, startPool, type RunStats } from './run.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** Reference date for relative faker dates when --seed is given without --ref-date, so runs repeat exactly. */
export const SEEDED_REF_DATE = '2025-01-01T00:00:00.000Z';

function int(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new DatagenError(ErrorCodes.USAGE, `--${name} must be an integer ≥ ${min}, got "${value}"`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  return new Command()
    .name('datagen')
    .description('Fast, seeded, relationally consistent fake data for Kafka, PostgreSQL, MySQL/MariaDB, webhooks and stdout.')
    .version(VERSION, '-V, --version')
    .requiredOption('-s, --schema <file>', 'schema file: .json (datasets with faker expressions), .avsc or .sql')
    .addOption(new Option('-f, --format <format>', 'output: json or avro (Kafka), postgres, mysql, webhook').choices(FORMATS).default('json'))
    .addOption(new Option('-n, --number <n>', 'iterations to run; -1 runs until Ctrl-C').default(10).argParser(int('number', -1)))
    .option('-c, --clean', 'delete the topics and schema subjects (or tables) the schema would create, then exit')
    .option('--dry-run', 'print records to stdout as JSON lines instead of sending them (alias -dr)')
    .option('-d, --debug', 'print settings (secrets masked), Avro schemas and stack traces to stderr')
    .addOption(new Option('-w, --wait <ms>', 'pause between iterations').default(0).argParser(int('wait', 0)))
    .addOption(new Option('--record-size <bytes>', 'add a recordSizePayload string of this many bytes to every record (alias -rs)').argParser(int('record-size', 0)))
    .option('-p, --prefix <prefix>', 'topic or table names become <prefix>_<name>')
    .addOption(new Option('--seed <int>', 'seed: the same seed gives byte-identical output for any --threads').argParser(int('seed', 0)))
    .addOption(new Option('--ref-date <iso>', `"now" for relative dates such as faker.date.recent (default: the clock, or ${SEEDED_REF_DATE} with --seed)`))
    .addOption(new Option('--threads <n>', 'worker threads generating data').default(defaultThreads()).argParser(int('threads', 1)))
    .option('--no-code', 'refuse schema expressions other than plain faker calls with literal arguments')
    .option('-X, --property <key=value>', 'librdkafka property for the Kafka producer (repeatable), e.g. -X linger.ms=20', collect)
    .addOption(new Option('--partitions <n>', 'partitions for topics datagen creates').default(1).argParser(int('partitions', 1)))
    .addOption(new Option('--compression <codec>', 'Kafka compression (this node-rdkafka build has no zstd)').choices(['none', 'gzip', 'snappy', 'lz4']).default('lz4'))
    .option('--url <url>', 'database connection URL (postgres or mysql), instead of the POSTGRES_* / MYSQL_* variables')
    .addOption(new Option('--batch-size <n>', 'records per webhook request (default 1: one object; more: an array), rows per statement (default 5000 postgres, 2000 mysql)').argParser(int('batch-size', 1)))
    .addOption(new Option('--concurrency <n>', 'webhook requests in flight').default(4).argParser(int('concurrency', 1)))
    .option('--stats <file>', 'also write the run summary as JSON to this file (records, bytes, rate, CPU, peak memory, timeline of records over time; exitCode and error, also when the command fails)')
    .addOption(new Option('--progress <seconds>', 'a progress line on stderr every so many seconds; 0 for none (default: 10 when stderr is a terminal, else 0)').argParser(int('progress', 0)))
    .addHelpText(
      'after',
      `
Environment (also read from ./.env):
  KAFKA_BROKERS, SASL_USERNAME, SASL_PASSWORD, SASL_MECHANISM, SSL_CA_LOCATION, SSL_CERT_LOCATION, SSL_KEY_LOCATION
  SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD
  POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD
  MYSQL_HOST, MYSQL_PORT, MYSQL_DB, MYSQL_USER, MYSQL_PASSWORD
  WEBHOOK_URL, WEBHOOK_SECRET (sent as the Authorization header), WEBHOOK_TIMEOUT (ms, default 10000),
  WEBHOOK_MAX_TRIES (default 6), WEBHOOK_RETRY_BASE_MS (first backoff, default 250)
  DATAGEN_ALLOCATOR: Kafka runs of more than 10000 iterations on Linux restart themselves once with
  jemalloc preloaded when it is installed (libjemalloc2), which makes the producer cheaper; "system"
  keeps the system's malloc, "jemalloc" restarts runs of any length, a path names the jemalloc
  library to use (any length too)
  DATAGEN_KAFKA_BULK: "off" sends Kafka records through node-rdkafka's produce() one by one instead
  of a batch at a time through datagen's bulk library (the same records; see --debug)

Schema files contain code: expressions are JavaScript run in a node:vm context (a guard rail,
not a security boundary). Only run schemas you trust, or use --no-code.

Exit codes: 0 ok, 1 runtime failure (delivery, connection), 2 usage or schema error.`,
    );
}

/** MaterializeInc/datagen's two-letter short flags, which commander does not accept as such. */
function normalizeArgv(argv: string[]): string[] {
  const map: Record<string, string> = { '-dr': '--dry-run', '-rs': '--record-size' };
  return argv.map((a) => map[a] ?? a);
}

/** --help and --version text on stdout: a reader that stops early (`datagen --help | head`) is no error. */
function writeHelp(text: string): void {
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  process.stdout.write(text);
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: writeHelp, writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(`datagen: ${s}`) });
  try {
    program.parse(normalizeArgv(argv));
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) return 0; // --help, --version
    // Flags that do not parse: --stats, if it was given, still says so.
    new StatsFile(statsPathIn(argv)).writeAfterError(e instanceof CommanderError ? { exitCode: 2, error: e.message.replace(/^error: /, '') } : failure(e));
    if (e instanceof CommanderError) return 2;
    throw e;
  }
  const o = program.opts();
  const statsFile = new StatsFile(o.stats);
  try {
    return await mainWith(o, statsFile);
  } catch (e) {
    // A failed command still leaves a --stats file, so that a CI job never reads an earlier run's.
    statsFile.writeAfterError(failure(e));
    throw e;
  }
}

/** What `reportError` will print and return for `e`, as --stats records it. */
function failure(e: unknown): Outcome {
  return { exitCode: exitCodeOf(e), error: errorMessage(e) };
}

/** `--stats <file>` or `--stats=<file>` in arguments that commander could not parse. */
function statsPathIn(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--stats') return argv[i + 1];
    if (argv[i]!.startsWith('--stats=')) return argv[i]!.slice('--stats='.length);
  }
  return undefined;
}

/**
 * `--stats <file>`, written once whatever the outcome: the summary of a run (on success, or what
 * was sent before an error), else the error alone.
 */
class StatsFile {
  private written = false;
  constructor(private readonly file: string | undefined) {}

  write(json: object): void {
    if (!this.file || this.written) return;
    this.written = true;
    writeFileSync(this.file, JSON.stringify(json, null, 2) + '\n');
  }

  /** After an error: a file that cannot be written is said so, and that error stays the one reported. */
  writeAfterError(json: object): void {
    try {
      this.write(json);
    } catch (w) {
      process.stderr.write(`datagen: could not write --stats file: ${errorMessage(w)}\n`);
    }
  }
}

async function mainWith(o: OptionValues, statsFile: StatsFile): Promise<number> {
  const log = (m: string) => process.stderr.write(`datagen: ${m}\n`);
  loadDotEnv();
  if (o.debug) log(`options ${JSON.stringify(redact(o))}`);
  if (o.debug) log(`allocator ${allocatorInUse()}`);

  const { plan, avroNames } = loadSchema(o.schema, o.prefix);
  const input: SinkOptionsInput = { format: o.format, env: process.env, flags: o };

  if (o.clean) {
    if (o.dryRun) {
      log(`dry run: would delete ${plan.datasets.map((d) => d.topic).join(', ')}`);
      return 0;
    }
    const def = await loadSink(o.format);
    if (!def.clean) throw new DatagenError(ErrorCodes.USAGE, `--clean is not supported for --format ${o.format}`);
    await def.clean(plan, input, log);
    return 0;
  }

  const seed: number = o.seed ?? randomInt(0, 2 ** 31 - 1);
  const refDateText: string = o.refDate ?? (o.seed !== undefined ? SEEDED_REF_DATE : new Date().toISOString());
  const refDate = Date.parse(refDateText);
  if (Number.isNaN(refDate)) throw new DatagenError(ErrorCodes.USAGE, `--ref-date must be an ISO-8601 date, got "${o.refDate}"`);
  if (o.seed === undefined) log(`seed ${seed} (repeat this run with --seed ${seed} --ref-date ${new Date(refDate).toISOString()})`);
  const gen = { seed, refDate, recordSize: o.recordSize ?? 0, allowCode: o.code !== false, avroNames };

  if (o.dryRun && o.format === 'avro' && o.debug) {
    const { avroSchemas } = await import('../encoding/avro-infer.js');
    const schemas = await avroSchemas(plan, (n) => sampleRecords(plan, gen, n), 50);
    plan.datasets.forEach((d, i) => log(`Avro schema for subject ${d.topic}-value:\n${JSON.stringify(schemas[i], null, 2)}`));
  }

  // Started by cli.ts before this module loaded (early.ts), unless --threads was not read alike.
  const pool = (await takeEarlyPool(o.threads)) ?? startPool(o.threads);
  try {
    return await produce(o, plan, gen, input, pool, log, statsFile);
  } finally {
    await destroyPool(pool);
  }
}

/** Makes the sink and runs the generation into it: the rest of main() once the pool is started. */
async function produce(o: OptionValues, plan: Plan, gen: GenOptions, input: SinkOptionsInput, pool: Piscina, log: (m: string) => void, statsFile: StatsFile): Promise<number> {
  const sink = o.dryRun ? new StdoutSink() : (await loadSink(o.format)).create(input);
  const abort = new AbortController();
  // A Ctrl-C in a terminal reaches both this process and a relaunching parent (cli.ts), which
  // passes it on: a second signal within half a second is the same one.
  let stoppingAt = 0;
  const onSignal = () => {
    if (abort.signal.aborted) {
      if (performance.now() - stoppingAt < 500) return;
      process.exit(130);
    }
    stoppingAt = performance.now();
    log('stopping: finishing what is in flight (Ctrl-C again to quit at once)');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const progressSec: number = o.progress ?? (process.stderr.isTTY ? 10 : 0);
    const target = o.dryRun ? 'stdout' : o.format;
    let stats: RunStats;
    try {
      stats = await run({ plan, gen, sink, iterations: o.number, threads: o.threads, waitMs: o.wait, debug: !!o.debug, signal: abort.signal, log, progressSec, pool });
    } catch (e) {
      const before = await reportSentBefore(e, plan, sink, target, log);
      if (before) statsFile.writeAfterError(statsJson(plan, before, sink.report(), target, failure(e)));
      throw e;
    }
    const report = sink.report();
    process.stderr.write(formatSummary(plan, stats, report, target));
    const outcome: Outcome = report && report.failed > 0 ? { exitCode: 1, error: `${report.failed} records were not delivered` } : { exitCode: 0, error: null };
    statsFile.write(statsJson(plan, stats, report, target, outcome));
    return outcome.exitCode;
  } finally {
    await sink.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const FLUSH_AFTER_ERROR_MS = 10_000;

/**
 * When a worker's error stopped the run, what had reached the sink before it (whole iterations) is
 * flushed and summed up above the error, so that a user knows what the target holds; returns those
 * figures. Nothing is said (and undefined returned) when nothing was sent, or when the flush
 * itself fails: the error that stopped the run is the one to report.
 */
async function reportSentBefore(e: unknown, plan: Plan, sink: Sink, target: string, log: (m: string) => void): Promise<RunStats | undefined> {
  const before = sentBefore(e);
  // Nothing sent (a schema the workers could not compile, or a first chunk that failed): the error alone.
  if (!before || before.iterations === 0) return undefined;
  // A target that cannot take them within FLUSH_AFTER_ERROR_MS (a broker gone too) is not waited for.
  const flushed = await Promise.race([sink.flush().then(() => true, () => false), sleep(FLUSH_AFTER_ERROR_MS, false, { ref: false })]);
  if (!flushed) return undefined;
  log(`stopped by the error below; before it, ${before.iterations} iterations were sent:`);
  process.stderr.write(formatSummary(plan, before, sink.report(), target));
  return before;
}

/** main(), and an early pool destroyed whenever main() did not take it (bad arguments, --clean, a schema error). */
async function mainThenRelease(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } finally {
    await takeEarlyPool();
  }
}

mainThenRelease(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = reportError(e);
    // A client still waiting on a network handshake must not hold the exit back.
    setTimeout(() => process.exit(), 200).unref();
  },
);
