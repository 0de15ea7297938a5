import {InvalidArgumentError, type Command} from 'commander';
import type {LoadedPreset} from '../config/presets.js';

export type PresetOptionValues = {
	preset: string;
	extent?: string;
	set?: string[];
	area?: string;
	areaWhere?: string;
	areaClip?: boolean;
};

function collect(value: string, previous: string[] = []): string[] {
	return [...previous, value];
}

/** --preset, --extent and repeatable --set, shared by every command that works from a preset. */
export function withPresetOptions(command: Command): Command {
	return command
		.requiredOption('-p, --preset <name|file>', 'shipped or user preset name, or a path to a preset .json file')
		.option('--extent <xmin,ymin,xmax,ymax>', "override the extent (in the preset's extent CRS)")
		.option('--set <path=value>', 'override any preset field, e.g. --set cellSize=0.25 (repeatable)', collect)
		.option(
			'--area <path|url>',
			"the area as a layer (GeoJSON, Shapefile .shp/.zip, GeoPackage, ArcGIS FeatureServer/MapServer layer URL): only its tiles are done; replaces the preset's extent unless --extent is given too",
		)
		.option('--area-where <sql>', `an attribute filter on the area's features, e.g. "NAME = 'Olinda'"`)
		.option(
			'--area-clip <true|false>',
			'nodata outside the area in masks, polygons, statistics and chips (default true)',
			parseBoolean,
		);
}

function parseBoolean(text: string): boolean {
	if (text === 'true') return true;
	if (text === 'false') return false;
	throw new InvalidArgumentError('write true or false');
}

export async function presetFromOptions(options: PresetOptionValues): Promise<LoadedPreset> {
	const {loadPreset} = await import('../config/presets.js');
	const {preset, extent, set, area, areaWhere, areaClip} = options;
	const loaded = loadPreset(preset, {extent, set, area, areaWhere, areaClip});
	if (!loaded.preset.area) return loaded;
	// The layer readers (and SQLite) load only for a preset with an area.
	const {withArea} = await import('../app/area.js');
	return withArea(loaded);
}
