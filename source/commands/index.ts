import type {Command} from 'commander';

/** Each subcommand lives in its own module and registers itself on the program. */
export type CommandModule = {register: (program: Command) => void};

export const commandModules: CommandModule[] = [];
