/** Start-up: `deepmask --help` against `node -e 0`, whole processes, medians of alternating runs. */
import {spawnSync} from 'node:child_process';
import {median} from './measure.js';
import {cli, productFlags} from './product-node.js';

function secondsOf(args: string[]): number {
	const start = process.hrtime.bigint();
	const result = spawnSync(process.execPath, args, {stdio: 'ignore'});
	if (result.status !== 0)
		throw new Error(`node ${args.join(' ')} exited ${result.status}; is deepmask built (npm run build)?`);
	return Number(process.hrtime.bigint() - start) / 1e9;
}

export function startupFigure(runs: number): {helpSeconds: number; nodeSeconds: number; extraSeconds: number} {
	const help: number[] = [];
	const node: number[] = [];
	for (let run = 0; run < runs; run++) {
		node.push(secondsOf(['-e', '0']));
		help.push(secondsOf([...productFlags, cli, '--help']));
	}
	const helpSeconds = median(help);
	const nodeSeconds = median(node);
	return {helpSeconds, nodeSeconds, extraSeconds: helpSeconds - nodeSeconds};
}
