/**
 * A four-class run with a threshold per class and an uncertain class below it: the masks follow the per-class
 * rule on the stored probabilities, and every output names, colours and counts the uncertain class.
 */
import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {thresholdByte} from '../../source/engine/classes/threshold-byte.js';
import {maskFile, probabilityFile} from '../../source/engine/run-folder/paths.js';
import {runCli, type CliResult} from '../helpers/cli.js';
import {hasGdal} from '../helpers/gdal.js';
import {tempDir, tinyExtent, tinySets} from '../faults/helpers.js';
import {landcoverClasses, writeLandcoverModel} from '../helpers/landcover-model.js';

const dir = tempDir('multiclass-threshold');
const runDir = path.join(dir, 'run');
// Tree must win by far to count; the other classes take the models' seg_thresh (0.4).
const threshold = {building: 0.6, tree: 0.9};
const resolved = {background: 0.4, building: 0.6, road: 0.4, tree: 0.9};
const uncertain = 4;
let result: CliResult;

let args: string[];

beforeAll(async () => {
	const model = writeLandcoverModel(dir, 'landcover');
	const sets = [
		...tinySets(),
		`models=${JSON.stringify([model])}`,
		`threshold=${JSON.stringify(threshold)}`,
		'classes.belowThreshold=uncertain',
	].flatMap((set) => ['--set', set]);
	args = ['run', '--preset', 'demo', '--extent', tinyExtent, ...sets, '--yes'];
	result = await runCli([...args, '--out', runDir]);
}, 180_000);

const tiles = () => readdirSync(path.join(runDir, 'masks')).map((file) => path.basename(file, '.tif'));

describe('a multi-class run with a threshold per class and uncertain pixels', () => {
	it('decides each pixel by its winning class’s own threshold, uncertain below it', async () => {
		expect(result.code).toBe(0);
		const cuts = Object.values(landcoverClasses).map((name) => thresholdByte(resolved[name as keyof typeof resolved]));
		const counts = new Array<number>(5).fill(0);
		for (const id of tiles()) {
			const probability = await readGeoTiffFile(probabilityFile(runDir, id));
			const mask = await readGeoTiffFile(maskFile(runDir, id));
			const bytes = probability.data as Uint8Array;
			const values = mask.data as Uint8Array;
			for (let i = 0; i < values.length; i++) {
				// The probability file interleaves the four class planes per pixel.
				let winner = 0;
				for (let c = 1; c < 4; c++) if (bytes[i * 4 + c] > bytes[i * 4 + winner]) winner = c;
				expect(values[i]).toBe(bytes[i * 4 + winner] >= cuts[winner] ? winner : uncertain);
				counts[values[i]]++;
			}
			expect(mask.colorMap?.[uncertain]).toEqual([190, 190, 190]);
		}
		// Every class but the background (it never wins here) and uncertain pixels: the thresholds bite.
		expect(counts.slice(1).every((count) => count > 0)).toBe(true);
	});

	it('counts the uncertain class in the statistics and says the thresholds', async () => {
		const {overall} = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
			overall: {threshold: unknown; validPixels: number; classes: Array<{id: number; name: string; pixels: number}>};
		};
		expect(overall.threshold).toEqual(resolved);
		expect(overall.classes.map((info) => info.name)).toEqual(['background', 'building', 'road', 'tree', 'uncertain']);
		expect(overall.classes.reduce((total, info) => total + info.pixels, 0)).toBe(overall.validPixels);
		let uncertainPixels = 0;
		for (const id of tiles())
			for (const value of (await readGeoTiffFile(maskFile(runDir, id))).data as Uint8Array)
				if (value === uncertain) uncertainPixels++;
		expect(overall.classes[uncertain].pixels).toBe(uncertainPixels);
		expect(result.stdout).toMatch(/^threshold +background 0\.40, building 0\.60, road 0\.40, tree 0\.90$/m);
		expect(result.stdout).toMatch(/^class 4 uncertain +\d+\.\d% of valid pixels/m);
	});

	it('writes uncertain polygons and a Classified Tiles class of its own, value and colour as in the masks', () => {
		const geojson = JSON.parse(readFileSync(path.join(runDir, 'masks.geojson'), 'utf8')) as {
			features: Array<{properties: {class: string; classId: number}}>;
		};
		expect(
			geojson.features.some(({properties}) => properties.classId === uncertain && properties.class === 'uncertain'),
		).toBe(true);
		const definition = JSON.parse(readFileSync(path.join(runDir, 'training', 'esri_model_definition.emd'), 'utf8')) as {
			Classes: unknown[];
		};
		expect(definition.Classes.at(-1)).toEqual({Value: uncertain, Name: 'uncertain', Color: [190, 190, 190]});
	});

	it.skipIf(!hasGdal)('names the uncertain class in the mosaic, apart from its nodata', () => {
		const info = JSON.parse(
			execFileSync('gdalinfo', ['-json', path.join(runDir, 'masks.vrt')], {encoding: 'utf8'}),
		) as {bands: Array<{categories?: string[]; noDataValue?: number}>};
		expect(info.bands[0].categories).toEqual(['background', 'building', 'road', 'tree', 'uncertain']);
		expect(info.bands[0].noDataValue).not.toBe(uncertain);
	});

	it('merges shards to the same masks and statistics (the shards record the uncertain class)', async () => {
		const sharded = path.join(dir, 'sharded');
		const shards = await Promise.all(
			['1/2', '2/2'].map((shard) => runCli([...args, '--out', sharded, '--shard', shard])),
		);
		expect(shards.map((shard) => shard.code)).toEqual([0, 0]);
		const read = (folder: string, file: string) => readFileSync(path.join(folder, file));
		for (const id of tiles())
			expect(read(sharded, `masks/${id}.tif`).equals(read(runDir, `masks/${id}.tif`))).toBe(true);
		const overall = (folder: string) =>
			(JSON.parse(read(folder, 'stats.json').toString()) as {overall: unknown}).overall;
		expect(overall(sharded)).toEqual(overall(runDir));
	}, 180_000);
});
