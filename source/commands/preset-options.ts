import type {Command} from 'commander';
import type {LoadedPreset} from '../config/presets.js';

export type PresetOptionValues = {preset: string; extent?: string; set?: string[]};

function collect(value: string, previous: string[] = []): string[] {
	return [...previous, value];
}

/** --preset, --extent and repeatable --set, shared by every command that works from a preset. */
export function withPresetOptions(command: Command): Command {
	return command
		.requiredOption('-p, --preset <name|file>', 'shipped or user preset name, or a path to a preset .json file')
		.option('--extent <xmin,ymin,xmax,ymax>', "override the extent (in the preset's extent CRS)")
		.option('--set <path=value>', 'override any preset field, e.g. --set cellSize=0.25 (repeatable)', collect);
}

export async function presetFromOptions(options: PresetOptionValues): Promise<LoadedPreset> {
	const {loadPreset} = await import('../config/presets.js');
	return loadPreset(options.preset, {extent: options.extent, set: options.set});
}
