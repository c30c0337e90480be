// `gatehouse serve`: its flags. The mode itself (cli/modes/serve.ts) is loaded only when the
// command runs, so `--help` and `--version` stay instant.

import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { addOperatingOptions, addServingOptions, collect, type ServingFlags } from '../options.js';

export interface ServeFlags extends ServingFlags {
  file: string[];
  workers: number;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new InvalidArgumentError('must be an integer from 1 to 1024');
  return n;
}

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve traffic for Gateway API resources read (and watched) from files')
    .requiredOption('-f, --file <path>', 'a YAML/JSON file or a directory (repeatable)', collect);
  addServingOptions(command).option(
    '--workers <n>',
    'data-plane processes sharing the ports (1: serve in this process)',
    parseWorkers,
    availableParallelism(),
  );
  addOperatingOptions(command).action(async (flags: ServeFlags) => {
    const { serve } = await import('../modes/serve.js');
    await serve(flags);
  });
}
