#!/usr/bin/env node
/**
 * The datagen command. Kafka runs on Linux relaunch once under jemalloc when it is installed
 * (allocator.ts); everything else runs the program (program.ts) in this process. Nothing heavy is
 * imported before that choice, so a relaunch costs one Node start-up, not two loads of the program.
 */
import { relaunch, relaunchLibrary } from './allocator.js';
import { loadDotEnv } from './env.js';

const runHere = () => import('./program.js');
// DATAGEN_ALLOCATOR may be set in ./.env, as every other setting may.
loadDotEnv();
const lib = relaunchLibrary(process.argv.slice(2));
if (lib) relaunch(lib, runHere);
else await runHere();
