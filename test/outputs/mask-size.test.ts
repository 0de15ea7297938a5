import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {mergeStats} from '../../source/engine/masks/run-stats.js';
import type {TileStats} from '../../source/engine/masks/stats-types.js';
import {summariseTile} from '../../source/engine/masks/tile-stats.js';
import {outputFormatNames} from '../../source/config/preset-schema.js';
import {classConfigOf} from '../../source/engine/classes/class-config.js';
import {openOutputs} from '../../source/engine/outputs/run-outputs.js';
import {resizeNearest} from '../../source/engine/geo/resize-nearest.js';
import {maskFile} from '../../source/engine/run-folder/paths.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {models, scenePlan, sceneTile, threshold} from './scene.js';
import {hasGdal} from '../helpers/gdal.js';

const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-masksize-'));
afterAll(() => rmSync(runDir, {recursive: true, force: true}));

const plan = scenePlan();
const maskSize = {width: 16, height: 24};

beforeAll(async () => {
	// Only four of the six tiles are done: the VRT lists those, the extent stays whole. The training
	// metadata reads the chips back from disk (finalised by a fresh run of the formats, as after a resume).
	const settings = {
		runDir,
		plan,
		maskSize,
		classes: classConfigOf({'0': 'background', '1': 'building'}),
		formats: [...outputFormatNames],
	};
	const outputs = openOutputs(settings);
	const tiles: TileStats[] = [];
	for (const tile of plan.tiles.slice(0, 4)) {
		const scene = sceneTile(plan, tile);
		const {mask, stats} = summariseTile({
			tile,
			probability: scene.ensemble,
			members: scene.members,
			models,
			width: 32,
			height: 32,
			threshold,
			postprocess: {minArea: 0, fillHoles: 0},
		});
		tiles.push(stats);
		await outputs.writeTile({tile, mask, size: {width: 32, height: 32}, rgb: scene.rgb});
	}
	await openOutputs(settings).finalise({
		overall: mergeStats(tiles, {plan, threshold, models, postprocess: {minArea: 0, fillHoles: 0}}),
		tiles,
	});
});

describe('output.maskSize', () => {
	it('resizes with nearest neighbour', () => {
		const source = Uint8Array.from([1, 2, 3, 4]);
		expect([...resizeNearest(source, {width: 2, height: 2}, {width: 4, height: 4})]).toEqual([
			1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4,
		]);
		expect([
			...resizeNearest(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), {width: 3, height: 3}, {width: 1, height: 1}),
		]).toEqual([5]);
	});

	it('writes masks at the asked size over the same bbox', async () => {
		const tile = plan.tiles[0];
		const raster = await readGeoTiffFile(maskFile(runDir, tile.id));
		expect(raster).toMatchObject({width: 16, height: 24, bbox: tile.bbox});
		expect(readdirSync(path.join(runDir, 'masks'))).toHaveLength(4);
	});

	it('sizes training chips like the masks', async () => {
		const image = await readGeoTiffFile(path.join(runDir, 'training', 'images', '000000000003.tif'));
		expect(image).toMatchObject({width: 16, height: 24, bands: 3});
		const emd = JSON.parse(readFileSync(path.join(runDir, 'training', 'esri_model_definition.emd'), 'utf8'));
		expect(emd).toMatchObject({ImageWidth: 16, ImageHeight: 24, MinCellSize: {x: 1, y: 16 / 24}});
		expect(
			readFileSync(path.join(runDir, 'training', 'map.txt'), 'utf8')
				.trimEnd()
				.split('\n'),
		).toHaveLength(4);
		const stats = JSON.parse(readFileSync(path.join(runDir, 'training', 'esri_accumulated_stats.json'), 'utf8'));
		expect(stats).toMatchObject({NumTiles: 4, TileSizeX: 16, TileSizeY: 24, NextTileIndex: 6});
		expect(stats.BandStatsState[0].Num).toBe(4 * 16 * 24);
	});

	it.skipIf(!hasGdal)('builds a VRT over the full extent with the new pixel size', () => {
		const info = JSON.parse(execFileSync('gdalinfo', ['-json', path.join(runDir, 'masks.vrt')], {encoding: 'utf8'}));
		expect(info.size).toEqual([plan.cols * 16, plan.rows * 24]);
		const [x0, dx, , y0, , dy] = info.geoTransform;
		expect([x0, y0]).toEqual([plan.adjusted.xmin, plan.adjusted.ymax]);
		expect(dx).toBeCloseTo(1, 12);
		expect(dy).toBeCloseTo(-16 / 24, 12);
		expect(info.files.filter((name: string) => name.endsWith('.tif'))).toHaveLength(4);
		expect(info.cornerCoordinates.lowerRight[0]).toBeCloseTo(plan.adjusted.xmax, 6);
		expect(info.cornerCoordinates.lowerRight[1]).toBeCloseTo(plan.adjusted.ymin, 6);
	});
});
