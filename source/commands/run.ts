import path from 'node:path';
import {createInterface} from 'node:readline/promises';
import type {Command} from 'commander';
import type {RunEvent} from '../engine/pipeline/events.js';
import type {ShardOutcome} from '../engine/shard/shard-run.js';
import {resolveShard, shardCountVariable, shardLabel, type ShardSpec} from '../engine/shard/shard-spec.js';
import {abortError, UserError} from '../errors.js';
import {presetFromOptions, withPresetOptions, type PresetOptionValues} from './preset-options.js';
import {plainRunReporter} from './run-reporter.js';

type RunOptionValues = PresetOptionValues & {
	out?: string;
	yes?: boolean;
	json?: boolean;
	shard?: string;
	shardCount?: string;
};

async function confirmWrite(runDir: string, outputs: string): Promise<boolean> {
	const prompt = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await prompt.question(`Write ${outputs} to ${runDir}? [y/N] `);
		return /^y(es)?$/i.test(answer.trim());
	} finally {
		prompt.close();
	}
}

/** `wrote`: what the shard's tiles and, when it merged, the run-wide outputs were, as describeOutputs lists them. */
function shardSummary(
	shard: ShardSpec,
	outcome: ShardOutcome | undefined,
	wrote: {tiles: string; runWide?: string},
): string {
	const own = `shard ${shardLabel(shard)}: wrote ${wrote.tiles}; its result in ${outcome?.resultFile ?? 'its shard folder'}`;
	if (outcome?.merged)
		return `${own}\nlast shard to finish: wrote ${wrote.runWide} over all ${outcome.merged.tiles} tiles to ${outcome.merged.runDir}`;
	if (outcome?.mergedBy)
		return `${own}\nthe run-wide outputs over all shards were already written by ${outcome.mergedBy}`;
	return `${own}\nrun-wide outputs not written yet: ${outcome?.waiting ?? 'unknown'}; the last shard to finish writes them, or run deepmask merge`;
}

export function register(program: Command): void {
	withPresetOptions(program.command('run'))
		.description('the whole pipeline headless: plan, fetch, infer, review statistics, write')
		.option('-o, --out <dir>', "run folder (default: the preset's output.dir); rerunning into it resumes")
		.option('-y, --yes', 'write the outputs without asking (for scripts, cron and CI)')
		.option('--json', 'NDJSON events on stdout instead of progress lines on stderr')
		.option(
			'--shard <I/N>',
			'process only shard I of N of the tile grid (I counts from 1); shards share the run folder, the last to finish (or deepmask merge) writes the run-wide outputs',
		)
		.option(
			'--shard-count <n>',
			`the number of shards when the shard comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job); or set ${shardCountVariable}`,
		)
		.addHelpText(
			'after',
			`\nWithout --shard, the scheduler picks the shard: a Slurm job array\n(SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN) or a Kubernetes\nIndexed Job (JOB_COMPLETION_INDEX from 0, with --shard-count or ${shardCountVariable}).\n\nExamples:\n  deepmask run --preset demo --out /tmp/run --yes\n  deepmask run --preset my-area --set threshold=0.6 --json --yes > events.ndjson\n  deepmask run --preset my-area --out /shared/run --shard 2/4 --yes`,
		)
		.action(async (options: RunOptionValues) => {
			if (!options.yes && !process.stdin.isTTY) {
				throw new UserError(
					'deepmask run asks before writing, but there is no terminal to ask on; add --yes to write without asking',
				);
			}
			const loaded = await presetFromOptions(options);
			const shard = resolveShard(options);
			const [{startRun}, {formatStatsSummary}, {formatSlidingCost}, {shardRun}, {describeOutputs}] = await Promise.all([
				import('../app/start-run.js'),
				import('../app/stats-summary.js'),
				import('../app/sliding-summary.js'),
				import('../engine/shard/shard-run.js'),
				import('../engine/outputs/run-outputs.js'),
			]);
			const {formats} = loaded.preset.output;
			const runDir = path.resolve(options.out ?? loaded.preset.output.dir);
			const sharded = shard && shardRun(shard, loaded.preset, runDir, loaded.area);
			const controller = new AbortController();
			const interrupt = () =>
				controller.abort(abortError('interrupted; run the same command again to resume (finished tiles are kept)'));
			process.once('SIGINT', interrupt);
			process.once('SIGTERM', interrupt);
			try {
				const run = startRun({
					preset: loaded,
					runDir,
					signal: controller.signal,
					writeAsYouGo: options.yes,
					...sharded?.options,
				});
				const report = options.json
					? (event: RunEvent) => process.stdout.write(`${JSON.stringify(event)}\n`)
					: plainRunReporter(process.stderr);
				if (shard && sharded && !options.json)
					process.stderr.write(
						`shard ${shardLabel(shard)}: ${sharded.tiles} of the plan's ${sharded.planTiles} tiles; its manifest and status in ${sharded.options.stateDir}\n`,
					);
				run.subscribe(report);
				const review = await run.review;
				const {overall} = review.stats();
				// Sliding mode: what the context across tiles cost (absent when every tile's probabilities were kept).
				const {sliding, shardContext} = run.snapshot();
				if (!options.json) {
					process.stdout.write(`${formatStatsSummary(overall, review.areaUnit)}\n`);
					if (sliding) process.stdout.write(`${formatSlidingCost(sliding, shardContext)}\n`);
				}
				if (!options.yes && !(await confirmWrite(run.runDir, describeOutputs(formats)))) {
					await review.discard();
					process.stderr.write('nothing written; rerun the same command to review again (inference is kept)\n');
					return;
				}
				const summary = await review.write();
				if (shard && sharded) {
					const outcome = sharded.outcome();
					if (options.json)
						process.stdout.write(
							`${JSON.stringify({type: 'summary', ...summary, files: summary.files.length, stats: overall, sliding, shardContext, shard: shardLabel(shard), merged: outcome?.merged !== undefined, mergedBy: outcome?.mergedBy, waiting: outcome?.waiting})}\n`,
						);
					else {
						const runWide = outcome?.merged && describeOutputs(outcome.merged.formats, outcome.merged, 'finalise');
						process.stdout.write(
							`\n${shardSummary(shard, outcome, {tiles: describeOutputs(formats, summary, 'perTile'), runWide})}\n`,
						);
					}
				} else if (options.json)
					process.stdout.write(
						`${JSON.stringify({type: 'summary', ...summary, files: summary.files.length, stats: overall, sliding})}\n`,
					);
				else process.stdout.write(`\nwrote ${describeOutputs(formats, summary)} to ${summary.runDir}\n`);
			} finally {
				process.off('SIGINT', interrupt);
				process.off('SIGTERM', interrupt);
			}
		});
}
