import type {Command} from 'commander';
import {readRunStatus} from '../engine/shard/run-status.js';
import {UserError} from '../errors.js';

const NEEDS_TERMINAL = 'deepmask watch shows a live dashboard and needs an interactive terminal; for scripts use: deepmask watch DIR --json';

/** As Ink's is-in-ci: in CI Ink draws only the last frame, which makes a live view useless. */
function inCi(env: NodeJS.ProcessEnv): boolean {
	if (env.CI === '0' || env.CI === 'false') return false;
	return 'CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some((name) => name.startsWith('CI_'));
}

export function register(program: Command): void {
	program
		.command('watch')
		.description('the dashboard, read-only, of a run going on (or finished) in DIR, from another terminal; every shard of a sharded run')
		.argument('<dir>', 'the run folder (the --out of the run)')
		.option('--json', 'print the status once as JSON (with a liveness field: running, stopped, done, failed, cancelled) and exit')
		.addHelpText('after', '\nExamples:\n  deepmask watch deepmask-out/demo\n  deepmask watch /shared/run --json | jq .liveness')
		.action(async (dir: string, options: {json?: boolean}) => {
			const status = await readRunStatus(dir);
			if (options.json) {
				process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
				return;
			}
			if (!process.stdin.isTTY || !process.stdout.isTTY || process.env.TERM === 'dumb') throw new UserError(NEEDS_TERMINAL);
			if (inCi(process.env)) throw new UserError(`${NEEDS_TERMINAL} (CI is set in the environment; set CI=false to use the dashboard)`);
			if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
			const {runWatch} = await import('../ui/watch/run-watch.js');
			process.exitCode = await runWatch({runDir: status.runDir});
		});
}
