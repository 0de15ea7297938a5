import type {Command} from 'commander';
import * as doctor from './doctor.js';
import * as evaluate from './eval.js';
import * as fetch from './fetch.js';
import * as infer from './infer.js';
import * as merge from './merge.js';
import * as plan from './plan.js';
import * as presets from './presets.js';
import * as run from './run.js';
import * as serve from './serve.js';
import * as tui from './tui.js';
import * as watch from './watch.js';

/** Each subcommand lives in its own module and registers itself on the program. */
type CommandModule = {register: (program: Command) => void};

export const commandModules: CommandModule[] = [
	doctor,
	evaluate,
	fetch,
	infer,
	merge,
	plan,
	presets,
	run,
	serve,
	tui,
	watch,
];
