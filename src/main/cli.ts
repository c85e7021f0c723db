#!/usr/bin/env node
/**
 * The datagen command. Kafka runs on Linux relaunch once under jemalloc when it is installed
 * (allocator.ts); everything else starts the worker pool (early.ts) and runs the program
 * (program.ts) in this process. Nothing heavy is imported before that choice, so a relaunch costs
 * one Node start-up, not two loads of the program.
 */
import { relaunch, relaunchLibrary } from './allocator.js';
import { startEarlyPool } from './early.js';
import { readDotEnv } from './env.js';
import { reportError } from '../errors.js';

// The worker pool starts before the program's modules load (early.ts), so that both start up at once.
const runHere = async () => {
  await startEarlyPool(process.argv.slice(2));
  return import('./program.js');
};
let lib: string | undefined;
try {
  // DATAGEN_ALLOCATOR may be set in ./.env, as every other setting may (the environment wins). The
  // launcher only reads it: the program loads .env itself, so no setting from it, secrets included,
  // is copied into the relaunched process's environment.
  lib = relaunchLibrary(process.argv.slice(2), { ...readDotEnv(), ...process.env });
} catch (e) {
  // A bad DATAGEN_ALLOCATOR or an unreadable .env: reported as the program reports its errors.
  process.exit(reportError(e));
}
if (lib) relaunch(lib, runHere);
else await runHere();
