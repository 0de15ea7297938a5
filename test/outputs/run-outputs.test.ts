import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ProbabilityCache} from '../../source/engine/pipeline/probability-cache.js';
import {restat} from '../../source/engine/pipeline/restat.js';
import {mergeStats, type MosaicStats} from '../../source/engine/masks/run-stats.js';
import type {RunStats, TileStats} from '../../source/engine/masks/stats-types.js';
import {summariseTile, tileForeground, type TileSummary} from '../../source/engine/masks/tile-stats.js';
import {summariseMosaic} from '../../source/engine/pipeline/mosaic-summary.js';
import {outputFormatNames} from '../../source/config/preset-schema.js';
import {classConfigOf} from '../../source/engine/classes/class-config.js';
import {openOutputs} from '../../source/engine/outputs/run-outputs.js';
import {probabilityRaster} from '../../source/engine/outputs/probability-raster.js';
import {maskFile, memberProbabilityFile, probabilityFile} from '../../source/engine/run-folder/paths.js';
import {chipIndex, readChipSummary, type ChipSummary} from '../../source/engine/outputs/training/training-chips.js';
import {readGeoTiffFile, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {models, scenePlan, sceneTile, threshold} from './scene.js';
import {hasGdal} from '../helpers/gdal.js';

const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-outputs-'));
afterAll(() => rmSync(runDir, {recursive: true, force: true}));

const plan = scenePlan();
const postprocess = {minArea: 1, fillHoles: 0};
const classNames = {'0': 'background', '1': 'building'};
const outputSettings = {runDir, plan, classes: classConfigOf(classNames), formats: [...outputFormatNames]};
const masks = new Map<string, Uint8Array>();
const tileStats: TileStats[] = [];
const chips: ChipSummary[] = [];
let overall: RunStats;
let mosaicStats: MosaicStats;

type GdalInfo = {
	size: [number, number];
	geoTransform: number[];
	coordinateSystem: {wkt: string};
	files: string[];
	bands: Array<{type: string; colorInterpretation: string; colorTable?: {count: number; entries: number[][]}}>;
};

function gdalinfo(file: string, ...flags: string[]): GdalInfo {
	return JSON.parse(execFileSync('gdalinfo', ['-json', ...flags, file], {encoding: 'utf8'})) as GdalInfo;
}

function epsgOf(wkt: string): string | undefined {
	return [...wkt.matchAll(/ID\["EPSG",(\d+)\]/g)].at(-1)?.[1];
}

beforeAll(async () => {
	const outputs = openOutputs(outputSettings);
	// The pipeline's part: final masks over the whole mosaic, in plan order.
	const summaries = new Map<string, TileSummary>();
	const {tiles, mosaic} = await summariseMosaic({
		plan,
		tiles: plan.tiles,
		postprocess,
		classes: outputSettings.classes,
		summarise: async (tile, postprocessTile) => {
			const scene = sceneTile(plan, tile);
			return summariseTile({
				tile,
				probability: scene.ensemble,
				members: scene.members,
				models,
				nodata: scene.nodata,
				width: tile.width,
				height: tile.height,
				threshold,
				postprocess,
				postprocessTile,
			});
		},
		foreground: async (tile) => {
			const scene = sceneTile(plan, tile);
			const size = {width: tile.width, height: tile.height};
			const foreground = tileForeground({probability: scene.ensemble, ...size, threshold, nodata: scene.nodata});
			return {foreground, ...size, unknown: scene.nodata};
		},
		each: async (tile, summary) => void summaries.set(tile.id, summary),
	});
	tileStats.push(...tiles);
	// Written tile by tile in a scrambled order, as a resumed or sharded run may.
	for (const tile of [...plan.tiles].reverse()) {
		const scene = sceneTile(plan, tile);
		const {mask} = summaries.get(tile.id)!;
		masks.set(tile.id, mask);
		const size = {width: tile.width, height: tile.height};
		await outputs.writeTile({tile, mask, size, rgb: scene.rgb});
		const probabilities = [
			{file: probabilityFile(runDir, tile.id), data: scene.ensemble},
			...models.map((model, k) => ({file: memberProbabilityFile(runDir, model, tile.id), data: scene.members[k]})),
		];
		for (const {file, data} of probabilities)
			await writeGeoTiffFile(file, probabilityRaster(tile, plan.epsg, data, size));
		chips.push((await readChipSummary(path.join(runDir, 'training'), tile, chipIndex(tile, plan.cols), [1]))!);
	}
	mosaicStats = mosaic;
	overall = mergeStats(tileStats, {plan, threshold, models, postprocess, mosaic});
	await outputs.finalise({overall, tiles: tileStats});
});

describe('per-tile GeoTIFFs', () => {
	it('writes masks with class values, palette and the tile bbox', async () => {
		expect(readdirSync(path.join(runDir, 'masks')).sort()).toEqual(plan.tiles.map((tile) => `${tile.id}.tif`));
		const tile = plan.tiles[1];
		const raster = await readGeoTiffFile(maskFile(runDir, tile.id));
		expect(raster).toMatchObject({width: 32, height: 32, bands: 1, bbox: tile.bbox, epsg: 3857});
		expect(raster.colorMap?.slice(0, 2)).toEqual([
			[0, 0, 0],
			[255, 140, 0],
		]);
		expect(Buffer.from(raster.data as Uint8Array).equals(Buffer.from(masks.get(tile.id)!))).toBe(true);
	});

	it('writes ensemble and member probabilities', async () => {
		const tile = plan.tiles[0];
		const scene = sceneTile(plan, tile);
		expect((await readGeoTiffFile(probabilityFile(runDir, tile.id))).data).toEqual(scene.ensemble);
		expect(memberProbabilityFile(runDir, 'beta/v2', tile.id)).toContain(path.join('prob', 'members', 'beta_v2'));
		expect((await readGeoTiffFile(memberProbabilityFile(runDir, 'beta/v2', tile.id))).data).toEqual(scene.members[1]);
	});

	it.skipIf(!hasGdal)('georeferences the mask so GDAL reads geotransform, EPSG and palette', () => {
		const tile = plan.tiles[4];
		const info = gdalinfo(maskFile(runDir, tile.id));
		expect(info.geoTransform).toEqual([tile.bbox.xmin, 0.5, 0, tile.bbox.ymax, 0, -0.5]);
		expect(epsgOf(info.coordinateSystem.wkt)).toBe('3857');
		expect(info.bands[0].colorInterpretation).toBe('Palette');
		expect(info.bands[0].colorTable?.entries.slice(0, 2)).toEqual([
			[0, 0, 0, 255],
			[255, 140, 0, 255],
		]);
	});
});

describe('masks.vrt', () => {
	it.skipIf(!hasGdal)('opens in GDAL over the full adjusted extent with one source per tile', () => {
		const file = path.join(runDir, 'masks.vrt');
		const info = gdalinfo(file);
		const {xmin, ymax} = plan.adjusted;
		expect(info.size).toEqual([plan.cols * 32, plan.rows * 32]);
		expect(info.geoTransform).toEqual([xmin, 0.5, 0, ymax, 0, -0.5]);
		expect(epsgOf(info.coordinateSystem.wkt)).toBe('3857');
		expect(info.files.filter((name) => name.endsWith('.tif'))).toHaveLength(plan.tiles.length);
		expect(info.bands[0]).toMatchObject({type: 'Byte', colorInterpretation: 'Palette'});
		expect(info.bands[0].colorTable?.entries[0]).toEqual([0, 0, 0, 0]);
		// The mosaic read through GDAL is every mask tile at its place.
		const raw = path.join(runDir, 'mosaic.bin');
		execFileSync('gdal_translate', ['-q', '-of', 'ENVI', file, raw]);
		const mosaic = readFileSync(raw);
		const width = plan.cols * 32;
		for (const tile of plan.tiles) {
			const mask = masks.get(tile.id)!;
			for (let y = 0; y < 32; y++) {
				const start = (tile.row * 32 + y) * width + tile.col * 32;
				expect(
					Buffer.compare(mosaic.subarray(start, start + 32), Buffer.from(mask.subarray(y * 32, y * 32 + 32))),
				).toBe(0);
			}
		}
		// A building pixel of the global grid, and one that is background.
		const value = (x: number, y: number) =>
			execFileSync(
				'gdallocationinfo',
				['-valonly', '-geoloc', file, String(xmin + (x + 0.5) * 0.5), String(ymax - (y + 0.5) * 0.5)],
				{encoding: 'utf8'},
			).trim();
		expect(value(70, 38)).toBe('1');
		expect(value(70, 34)).toBe('0'); // nodata strip of r001_c002
		expect(value(70, 45)).toBe('0');
	});
});

describe('masks.geojson', () => {
	type Feature = {
		type: string;
		properties: {tiles: number; area: number; class: string};
		geometry: {type: string; coordinates: unknown};
	};
	const read = () =>
		JSON.parse(readFileSync(path.join(runDir, 'masks.geojson'), 'utf8')) as {
			type: string;
			crs: unknown;
			features: Feature[];
		};

	it('is a FeatureCollection in the plan CRS with every coordinate inside the extent', () => {
		const collection = read();
		expect(collection.type).toBe('FeatureCollection');
		expect(collection.crs).toEqual({type: 'name', properties: {name: 'urn:ogc:def:crs:EPSG::3857'}});
		expect(collection.features.length).toBe(overall.components.count);
		const positions = collection.features.flatMap(
			(feature) => (feature.geometry.coordinates as number[][][]).flat() as unknown as number[][],
		);
		const {xmin, ymin, xmax, ymax} = plan.adjusted;
		for (const [x, y] of positions) {
			expect(x).toBeGreaterThanOrEqual(xmin);
			expect(x).toBeLessThanOrEqual(xmax);
			expect(y).toBeGreaterThanOrEqual(ymin);
			expect(y).toBeLessThanOrEqual(ymax);
		}
		expect(collection.features.every((feature) => feature.properties.class === 'building')).toBe(true);
		const area = collection.features.reduce((sum, feature) => sum + feature.properties.area, 0);
		expect(area).toBeCloseTo(overall.foregroundArea, 6);
	});

	it('keeps the courtyard as a hole', () => {
		const courtyard = read().features.find((feature) => (feature.geometry.coordinates as unknown[]).length === 2);
		expect(courtyard?.geometry.type).toBe('Polygon');
	});

	it('makes one feature of a building across tile borders, saying how many tiles it spans', () => {
		const features = read().features;
		expect(features.some((feature) => feature.properties.tiles > 1)).toBe(true);
		expect(features.every((feature) => feature.properties.tiles >= 1)).toBe(true);
	});

	it.skipIf(!hasGdal)('reads in OGR with valid geometries only', () => {
		const file = path.join(runDir, 'masks.geojson');
		const out = execFileSync(
			'ogrinfo',
			[
				'-ro',
				'-dialect',
				'SQLite',
				'-sql',
				'SELECT SUM(ST_IsValid(geometry)) AS valid, COUNT(*) AS n FROM masks',
				file,
			],
			{encoding: 'utf8'},
		);
		const valid = Number(/valid \(Integer\) = (\d+)/.exec(out)?.[1]);
		const count = Number(/n \(Integer\) = (\d+)/.exec(out)?.[1]);
		expect(count).toBe(overall.components.count);
		expect(valid).toBe(count);
		expect(execFileSync('ogrinfo', ['-ro', '-so', '-al', file], {encoding: 'utf8'})).toMatch(/EPSG(",|:)3857/);
	});
});

describe('training/', () => {
	const training = path.join(runDir, 'training');
	const names = plan.tiles.map((_, index) => String(index).padStart(12, '0'));

	it('has image and label chips with world files, named by grid position', () => {
		for (const folder of ['images', 'labels']) {
			expect(readdirSync(path.join(training, folder)).sort()).toEqual(
				names.flatMap((name) => [`${name}.tfw`, `${name}.tif`]),
			);
		}
		const tile = plan.tiles[4];
		expect(
			readFileSync(path.join(training, 'images', `${names[4]}.tfw`), 'utf8')
				.split('\n')
				.slice(0, 6)
				.map(Number),
		).toEqual([0.5, 0, 0, -0.5, tile.bbox.xmin + 0.25, tile.bbox.ymax - 0.25]);
	});

	it('writes labels as plain class values and images as RGB', async () => {
		const label = await readGeoTiffFile(path.join(training, 'labels', `${names[2]}.tif`));
		expect(label.colorMap).toBeUndefined();
		expect(Buffer.from(label.data as Uint8Array).equals(Buffer.from(masks.get(plan.tiles[2].id)!))).toBe(true);
		const image = await readGeoTiffFile(path.join(training, 'images', `${names[2]}.tif`));
		expect(image.bands).toBe(3);
		expect(image.data).toEqual(sceneTile(plan, plan.tiles[2]).rgb.data);
	});

	it('lists every pair in map.txt with backslash paths', () => {
		const lines = readFileSync(path.join(training, 'map.txt'), 'utf8').trimEnd().split('\n');
		expect(lines).toEqual(names.map((name) => `images\\${name}.tif labels\\${name}.tif`));
	});

	it('writes the model definition and accumulated statistics ArcGIS writes', () => {
		const emd = JSON.parse(readFileSync(path.join(training, 'esri_model_definition.emd'), 'utf8'));
		expect(emd).toMatchObject({
			ImageHeight: 32,
			ImageWidth: 32,
			MetaDataMode: 'Classified_Tiles',
			ImageSpaceUsed: 'MAP_SPACE',
			CropTileMode: 'Fixed_Size',
			BlackenAroundFeature: false,
		});
		expect(emd.Classes).toEqual([{Value: 1, Name: 'building', Color: [255, 140, 0]}]);
		expect(emd.MinCellSize).toEqual({x: 0.5, y: 0.5, spatialReference: {wkid: 102100, latestWkid: 3857}});

		const stats = JSON.parse(readFileSync(path.join(training, 'esri_accumulated_stats.json'), 'utf8'));
		expect(stats).toMatchObject({
			NumBands: 3,
			TileSizeX: 32,
			TileSizeY: 32,
			NumClasses: 1,
			NumTiles: 6,
			MetaDataMode: 'Classified_Tiles',
			NextTileIndex: 6,
		});
		expect(stats.Classes).toEqual([{ClassValue: 1, ClassName: 'building', Color: [255, 140, 0]}]);
		// Direct computation over every chip's pixels, two-pass.
		const all = plan.tiles.map((tile) => sceneTile(plan, tile).rgb.data as Uint8Array);
		for (let band = 0; band < 3; band++) {
			const values = all.flatMap((data) => [...data.filter((_, i) => i % 3 === band)]);
			const mean = values.reduce((a, b) => a + b, 0) / values.length;
			const m2 = values.reduce((a, b) => a + (b - mean) ** 2, 0);
			const state = stats.BandStatsState[band];
			expect(state.Num).toBe(values.length);
			expect(state.M1).toBeCloseTo(mean, 9);
			expect(state.M2 / m2).toBeCloseTo(1, 12);
			expect([state.Min, state.Max]).toEqual([Math.min(...values), Math.max(...values)]);
			expect(emd.AllTilesStats[band].StdDev).toBeCloseTo(Math.sqrt(m2 / (values.length - 1)), 9);
		}
		const features = chips.reduce((sum, chip) => sum + chip.features[0].count, 0);
		expect(stats.FeatureStats.NumFeaturesTotal).toBe(features);
		expect(stats.FeatureStats.NumFeaturesPerImage.Count).toBe(6);
		expect(stats.FeatureStats.FeatureAreaPerClass[0].Sum).toBeCloseTo(overall.foregroundArea, 9);
	});

	it('writes stats.txt in the ArcGIS layout', () => {
		const text = readFileSync(path.join(training, 'stats.txt'), 'utf8').split('\n');
		expect(text[0]).toBe('images = 6 *3*32*32');
		expect(text[2]).toBe('Class feature statistics:');
		expect(text[6]).toMatch(/^cls name {34}cls value {5}images {3}features {4}min size {3}mean size {4}max size$/);
		expect(text[7]).toMatch(/^building {34} {8}1 /);
	});
});

describe('stats.json and restat', () => {
	it('writes overall and per-tile statistics', () => {
		const document = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8'));
		expect(document.overall).toEqual(JSON.parse(JSON.stringify(overall)));
		expect(document.tiles.map((tile: TileStats) => tile.id)).toEqual(plan.tiles.map((tile) => tile.id));
		expect(overall.nodataPixels).toBe(4 * 32);
		expect(overall.pairs[0].iou).toBeGreaterThan(0.8);
		expect(overall.pairs[0].iou).toBeLessThan(1);
		// 7 neighbour pairs; the top row of r001_c002 has no data, so its seam with r000_c002 compares nothing.
		expect(overall.seams.pairs).toBe(6);
		expect(overall.seams.worst.map((seam) => seam.b)).not.toContain('r001_c002');
		// Buildings cut by tile borders count once overall, once per tile in the tiles' statistics.
		expect(overall.components.count).toBeGreaterThan(1);
		expect(overall.components.count).toBeLessThan(tileStats.reduce((sum, tile) => sum + tile.components.count, 0));
		expect(overall.postprocessed.removedComponents).toBe(1);
	});

	it('recomputes the same statistics from the stored probabilities', async () => {
		const nodata = async (tile: {id: string}) =>
			sceneTile(
				plan,
				plan.tiles.find((t) => t.id === tile.id)!,
			).nodata;
		const again = await restat(runDir, plan, models, {threshold, postprocess, nodata});
		expect(again.tiles).toEqual(tileStats);
		expect(again.overall).toEqual(overall);
	});

	it('changes masks and statistics with the threshold, without any model', async () => {
		const cache = new ProbabilityCache();
		const lower = await restat(runDir, plan, models, {threshold: 100 / 255, postprocess, cache});
		expect((await restat(runDir, plan, models, {threshold: 100 / 255, postprocess, cache})).overall).toEqual(
			lower.overall,
		);
		// The uncertain row (probability 120) now counts as foreground.
		expect(lower.overall.foregroundPixels).toBeGreaterThan(overall.foregroundPixels + 90);
		expect(lower.overall.threshold).toBeCloseTo(0.392, 3);
	});
});

describe('finalising again', () => {
	it('rewrites byte-identical files, reading back the chips it has no summary for', async () => {
		const files = [
			'masks.vrt',
			'masks.geojson',
			'stats.json',
			...['map.txt', 'stats.txt', 'esri_accumulated_stats.json', 'esri_model_definition.emd'].map((name) =>
				path.join('training', name),
			),
		];
		const before = files.map((file) => readFileSync(path.join(runDir, file)));
		const shuffled = [...tileStats].reverse();
		await openOutputs(outputSettings).finalise({
			overall: mergeStats(shuffled, {plan, threshold, models, postprocess, mosaic: mosaicStats}),
			tiles: shuffled,
		});
		files.forEach((file, k) => expect(readFileSync(path.join(runDir, file)).equals(before[k]), file).toBe(true));
	});
});
