import {createInterface} from 'node:readline/promises';
import type {Command} from 'commander';
import type {RunEvent} from '../engine/run/events.js';
import {startRun} from '../engine/run/run.js';
import {formatStatsSummary} from '../engine/run/stats-summary.js';
import {UserError} from '../errors.js';
import {presetFromOptions, withPresetOptions, type PresetOptionValues} from './preset-options.js';
import {plainRunReporter} from './run-reporter.js';

type RunOptionValues = PresetOptionValues & {out?: string; yes?: boolean; json?: boolean};

async function confirmWrite(outDir: string): Promise<boolean> {
	const prompt = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await prompt.question(`Write masks, VRT, GeoJSON and training data to ${outDir}? [y/N] `);
		return /^y(es)?$/i.test(answer.trim());
	} finally {
		prompt.close();
	}
}

export function register(program: Command): void {
	withPresetOptions(program.command('run'))
		.description('the whole pipeline headless: plan, fetch, infer, review statistics, write')
		.option('-o, --out <dir>', "run folder (default: the preset's output.dir); rerunning into it resumes")
		.option('-y, --yes', 'write the outputs without asking (for scripts, cron and CI)')
		.option('--json', 'NDJSON events on stdout instead of progress lines on stderr')
		.addHelpText('after', '\nExamples:\n  deepmask run --preset demo --out /tmp/run --yes\n  deepmask run --preset my-area --set threshold=0.6 --json --yes > events.ndjson')
		.action(async (options: RunOptionValues) => {
			if (!options.yes && !process.stdin.isTTY) {
				throw new UserError('deepmask run asks before writing, but there is no terminal to ask on; add --yes to write without asking');
			}
			const loaded = presetFromOptions(options);
			const controller = new AbortController();
			const interrupt = () => controller.abort(Object.assign(new Error('interrupted'), {name: 'AbortError'}));
			process.once('SIGINT', interrupt);
			process.once('SIGTERM', interrupt);
			try {
				const run = startRun({preset: loaded, outDir: options.out, signal: controller.signal});
				const report = options.json ? (event: RunEvent) => process.stdout.write(`${JSON.stringify(event)}\n`) : plainRunReporter(process.stderr);
				run.subscribe(report);
				const review = await run.review;
				const {overall} = review.stats();
				if (!options.json) process.stdout.write(`${formatStatsSummary(overall)}\n`);
				if (!options.yes && !(await confirmWrite(run.outDir))) {
					await review.discard();
					process.stderr.write('nothing written; rerun the same command to review again (inference is kept)\n');
					return;
				}
				const summary = await review.write();
				if (options.json) process.stdout.write(`${JSON.stringify({type: 'summary', ...summary, files: summary.files.length, stats: overall})}\n`);
				else process.stdout.write(`\nwrote ${summary.tiles} mask tiles, masks.vrt${summary.features === undefined ? '' : `, masks.geojson (${summary.features} polygons)`} and stats.json to ${summary.outDir}\n`);
			} finally {
				process.off('SIGINT', interrupt);
				process.off('SIGTERM', interrupt);
			}
		});
}
