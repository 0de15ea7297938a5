import path from 'node:path';
import type {Command} from 'commander';
import {applyNoColor, requireInteractiveTerminal} from '../ui/interactive-terminal.js';

const NEEDS_TERMINAL =
	'deepmask watch shows a live dashboard and needs an interactive terminal; for scripts use: deepmask watch DIR --json';

export function register(program: Command): void {
	program
		.command('watch')
		.description(
			'the dashboard, read-only, of a run going on (or finished) in DIR, from another terminal; every shard of a sharded run',
		)
		.argument('<dir>', 'the run folder (the --out of the run)')
		.option(
			'--json',
			'print the status once as JSON (with a liveness field: running, stopped, done, failed, cancelled) and exit',
		)
		.addHelpText(
			'after',
			'\nExamples:\n  deepmask watch deepmask-out/demo\n  deepmask watch /shared/run --json | jq .liveness',
		)
		.action(async (dir: string, options: {json?: boolean}) => {
			if (options.json) {
				const {readRunStatus} = await import('../engine/shard/run-status.js');
				process.stdout.write(`${JSON.stringify(await readRunStatus(dir), null, 2)}\n`);
				return;
			}
			requireInteractiveTerminal(NEEDS_TERMINAL, 'the dashboard');
			applyNoColor();
			// The dashboard waits for a run that has not written its status yet.
			const {runWatch} = await import('../ui/watch/run-watch.js');
			process.exitCode = await runWatch({runDir: path.resolve(dir)});
		});
}
