#!/usr/bin/env node
// The `gatehouse` command line: parses arguments and hands over to one command module each.

import { Command } from 'commander';
import { registerController } from './commands/controller.js';
import { registerServe } from './commands/serve.js';
import { registerTranslate } from './commands/translate.js';
import { readVersion } from './version.js';

const program = new Command()
  .name('gatehouse')
  .description('Kubernetes Gateway API controller and HTTP data plane')
  .version(readVersion(), '-v, --version');

registerServe(program);
registerController(program);
registerTranslate(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`gatehouse: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
