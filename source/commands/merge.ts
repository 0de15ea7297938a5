import type {Command} from 'commander';

export function register(program: Command): void {
	program
		.command('merge')
		.description("write the run-wide outputs of the shards' output.formats over every shard of a sharded run")
		.argument(
			'<dir...>',
			'the shared run folder, or several run folders of the same plan (their tiles are copied into the first)',
		)
		.option('-o, --out <dir>', 'write the merged run folder here instead of into the first folder')
		.option('--json', 'print the summary as JSON on stdout')
		.addHelpText(
			'after',
			'\nRefuses folders of different plans and shards that have not finished (naming the missing tiles).\n\nExamples:\n  deepmask merge /shared/run\n  deepmask merge /scratch/a /scratch/b --out /data/merged',
		)
		.action(async (dirs: string[], options: {out?: string; json?: boolean}) => {
			const [{mergeRunFolders}, {describeOutputs}] = await Promise.all([
				import('../engine/shard/merge.js'),
				import('../engine/outputs/run-outputs.js'),
			]);
			const summary = await mergeRunFolders(dirs, options.out);
			if (options.json) {
				process.stdout.write(`${JSON.stringify(summary)}\n`);
				return;
			}
			if (summary.copied > 0) process.stderr.write(`copied ${summary.copied} files from the other folders\n`);
			process.stdout.write(
				`merged shards ${summary.shards.join(', ')}: wrote ${describeOutputs(summary.formats, summary, 'finalise')} over ${summary.tiles} tiles to ${summary.runDir}\n`,
			);
		});
}
