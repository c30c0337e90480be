// `gatehouse translate`: its flags. The mode itself (cli/modes/translate.ts) is loaded only when
// the command runs.

import type { Command } from 'commander';
import { addControllerNameOption, collect } from '../options.js';

export interface TranslateFlags {
  file: string[];
  output: string;
  controllerName: string;
}

export function registerTranslate(program: Command): void {
  const command = program
    .command('translate')
    .description('print the statuses and routing IR computed from files, without serving anything')
    .requiredOption('-f, --file <path>', 'a YAML/JSON file or a directory (repeatable)', collect)
    .option('-o, --output <format>', 'yaml or json', 'yaml');
  addControllerNameOption(command).action(async (flags: TranslateFlags) => {
    const { translateFiles } = await import('../modes/translate.js');
    await translateFiles(flags);
  });
}
