import type {Command} from 'commander';
import {presetFromOptions, withPresetOptions, type PresetOptionValues} from './preset-options.js';

export function register(program: Command): void {
	withPresetOptions(program.command('plan'))
		.description('show the adjusted extent and the tile grid of a preset')
		.option('--json', 'print the plan as JSON (every tile with its bbox and pixel size)')
		.addHelpText('after', '\nExample:\n  deepmask plan --preset demo --extent 1000000,6000000,1000300,6000300 --json')
		.action(async (options: PresetOptionValues & {json?: boolean}) => {
			const loaded = await presetFromOptions(options);
			const [{makePlan}, {describePlan, formatExtent}] = await Promise.all([
				import('../engine/geo/plan.js'),
				import('../app/describe-plan.js'),
			]);
			const plan = makePlan(loaded.preset, loaded.area);
			if (options.json) {
				process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
				return;
			}
			process.stdout.write(`${describePlan(plan, loaded.preset)}\n\ntiles:\n`);
			for (const tile of plan.tiles)
				process.stdout.write(`  ${tile.id}  ${formatExtent(tile.bbox)}  ${tile.width}×${tile.height} px\n`);
		});
}
