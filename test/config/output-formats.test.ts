import {describe, expect, it} from 'vitest';
import {loadPreset} from '../../source/config/presets.js';
import {outputFormatNames} from '../../source/config/preset-schema.js';
import {outputWriters} from '../../source/engine/outputs/registry.js';
import {describeOutputs} from '../../source/engine/outputs/run-outputs.js';

const formatsWith = (...set: string[]) => loadPreset('demo', {set}).preset.output.formats;

describe('output.formats', () => {
	it('defaults to every format, in the order they are written', () => {
		expect(formatsWith()).toEqual(['masks', 'vrt', 'cog', 'geojson', 'training', 'stats']);
		expect(Object.keys(outputWriters)).toEqual([...outputFormatNames]);
	});

	it('reads the booleans of older presets as formats left out', () => {
		expect(formatsWith('output.training=false')).toEqual(['masks', 'vrt', 'cog', 'geojson', 'stats']);
		expect(formatsWith('output.geojson=false', 'output.training=true')).toEqual([
			'masks',
			'vrt',
			'cog',
			'training',
			'stats',
		]);
	});

	it('orders the listed formats as they are written', () => {
		expect(formatsWith('output.formats=["stats","masks","vrt","masks"]')).toEqual(['masks', 'vrt', 'stats']);
	});

	it('refuses formats that need the mask tiles without them, unknown names, and both spellings at once', () => {
		expect(() => formatsWith('output.formats=["vrt"]')).toThrow(
			/output\.formats: got \["vrt"\], but vrt is made from the mask tiles; add "masks" to output\.formats or remove "vrt"/,
		);
		expect(() => formatsWith('output.formats=["shp"]')).toThrow(/output\.formats\.0: got "shp", .*"masks"\|"vrt"/);
		expect(() => formatsWith('output.formats=["masks"]', 'output.training=false')).toThrow(
			/output\.training: got false, but output\.formats is given too; remove output\.training/,
		);
	});

	it('names what it writes from the formats', () => {
		expect(describeOutputs(formatsWith())).toBe(
			'mask tiles, masks.vrt, masks.tif, masks.geojson, training data and stats.json',
		);
		expect(describeOutputs(formatsWith(), {tiles: 6, features: 12})).toBe(
			'6 mask tiles, masks.vrt, masks.tif, masks.geojson (12 polygons), training data and stats.json',
		);
		expect(describeOutputs(['masks', 'vrt', 'stats'], {tiles: 6}, 'finalise')).toBe('masks.vrt and stats.json');
	});
});
