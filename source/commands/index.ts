import type {Command} from 'commander';
import * as doctor from './doctor.js';
import * as evaluate from './eval.js';
import * as fetch from './fetch.js';
import * as infer from './infer.js';
import * as plan from './plan.js';
import * as presets from './presets.js';
import * as run from './run.js';
import * as serve from './serve.js';
import * as tui from './tui.js';

/** Each subcommand lives in its own module and registers itself on the program. */
export type CommandModule = {register: (program: Command) => void};

export const commandModules: CommandModule[] = [doctor, evaluate, fetch, infer, plan, presets, run, serve, tui];
