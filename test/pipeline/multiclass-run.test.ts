/** `deepmask run` with a four-class model: masks of class ids, their colours, and every output naming the classes. */
import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {runCli, type CliResult} from '../helpers/cli.js';
import {hasGdal} from '../helpers/gdal.js';
import {tempDir, tinyExtent, tinySets} from '../faults/helpers.js';
import {writeLandcoverModel} from '../helpers/landcover-model.js';

const dir = tempDir('multiclass');
const runDir = path.join(dir, 'run');
let result: CliResult;

beforeAll(async () => {
	const model = writeLandcoverModel(dir, 'landcover', {class_colors: {'1': '#ff0000', '2': [128, 128, 128]}});
	const sets = [...tinySets(), `models=${JSON.stringify([model])}`].flatMap((set) => ['--set', set]);
	result = await runCli(['run', '--preset', 'demo', '--extent', tinyExtent, ...sets, '--out', runDir, '--yes']);
}, 180_000);

describe('a run with a four-class model', () => {
	it('writes masks of class ids 0..3 with the classes colour table', async () => {
		expect(result.stderr).not.toMatch(/error/i);
		expect(result.code).toBe(0);
		const seen = new Set<number>();
		for (const file of readdirSync(path.join(runDir, 'masks'))) {
			const raster = await readGeoTiffFile(path.join(runDir, 'masks', file));
			for (const value of raster.data as Uint8Array) seen.add(value);
			// class_colors for building and road, the default palette's colour for tree.
			expect(raster.colorMap?.slice(0, 4)).toEqual([
				[0, 0, 0],
				[255, 0, 0],
				[128, 128, 128],
				[44, 160, 44],
			]);
		}
		expect([...seen].sort()).toEqual([0, 1, 2, 3]);
	});

	it('writes polygons of every class, each with its class id and name', () => {
		const geojson = JSON.parse(readFileSync(path.join(runDir, 'masks.geojson'), 'utf8')) as {
			features: Array<{properties: {class: string; classId: number; area: number}}>;
		};
		const classes = new Map(geojson.features.map(({properties}) => [properties.classId, properties.class]));
		expect([...classes].sort()).toEqual([
			[1, 'building'],
			[2, 'road'],
			[3, 'tree'],
		]);
		expect(geojson.features.every(({properties}) => properties.area > 0)).toBe(true);
	});

	it('writes statistics per class and prints a line per class', () => {
		const {overall, tiles} = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
			overall: {validPixels: number; classes: Array<{name: string; pixels: number; components: number}>};
			tiles: Array<{classes: unknown[]}>;
		};
		expect(overall.classes.map((info) => info.name)).toEqual(['background', 'building', 'road', 'tree']);
		expect(overall.classes.reduce((total, info) => total + info.pixels, 0)).toBe(overall.validPixels);
		expect(overall.classes.slice(1).every((info) => info.components > 0)).toBe(true);
		expect(tiles.every((tile) => tile.classes.length === 4)).toBe(true);
		expect(result.stdout).toMatch(
			/^class 2 road +\d+\.\d% of valid pixels, \d+ m², \d+ components, member IoU 1\.000$/m,
		);
	});

	it('writes a Classified Tiles layout of every class, with labels of class ids', async () => {
		const training = path.join(runDir, 'training');
		const read = (name: string) =>
			JSON.parse(readFileSync(path.join(training, name), 'utf8')) as Record<string, unknown>;
		expect(read('esri_model_definition.emd').Classes).toEqual([
			{Value: 1, Name: 'building', Color: [255, 0, 0]},
			{Value: 2, Name: 'road', Color: [128, 128, 128]},
			{Value: 3, Name: 'tree', Color: [44, 160, 44]},
		]);
		const featureStats = read('esri_accumulated_stats.json').FeatureStats as {
			NumFeaturesTotal: number;
			NumFeaturesPerClass: number[];
			FeatureAreaPerClass: Array<{Count: number}>;
		};
		expect(featureStats.NumFeaturesPerClass).toHaveLength(3);
		expect(featureStats.NumFeaturesPerClass.every((count) => count > 0)).toBe(true);
		expect(featureStats.NumFeaturesPerClass.reduce((total, count) => total + count, 0)).toBe(
			featureStats.NumFeaturesTotal,
		);
		expect(featureStats.FeatureAreaPerClass.map((area) => area.Count)).toEqual(featureStats.NumFeaturesPerClass);
		const rows = readFileSync(path.join(training, 'stats.txt'), 'utf8').split('\n').slice(7, 10);
		expect(rows.map((row) => row.split(/ +/).slice(0, 2))).toEqual([
			['building', '1'],
			['road', '2'],
			['tree', '3'],
		]);
		const seen = new Set<number>();
		for (const file of readdirSync(path.join(training, 'labels')).filter((name) => name.endsWith('.tif'))) {
			for (const value of (await readGeoTiffFile(path.join(training, 'labels', file))).data as Uint8Array)
				seen.add(value);
		}
		expect([...seen].sort()).toEqual([0, 1, 2, 3]);
	});

	it.skipIf(!hasGdal)('names the classes in the mosaic, as GDAL reads them', () => {
		const info = JSON.parse(
			execFileSync('gdalinfo', ['-json', path.join(runDir, 'masks.vrt')], {encoding: 'utf8'}),
		) as {
			bands: Array<{categories?: string[]; colorTable?: {entries: number[][]}}>;
		};
		expect(info.bands[0].categories).toEqual(['background', 'building', 'road', 'tree']);
		expect(info.bands[0].colorTable?.entries[1]).toEqual([255, 0, 0, 255]);
	});
});
