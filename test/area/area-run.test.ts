/**
 * A run over an L-shaped area of the demo town: only the tiles it touches are planned, fetched, inferred and
 * written, their masks are nodata outside it, and the same polygon as GeoJSON, Shapefile, GeoPackage (made
 * by GDAL's ogr2ogr) and the local FeatureServer gives the same run, file for file.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {withArea} from '../../source/app/area.js';
import {startRun} from '../../source/app/start-run.js';
import {loadPreset, type PresetOverrides} from '../../source/config/presets.js';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {shardRun} from '../../source/engine/shard/shard-run.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {hasGdal} from '../helpers/gdal.js';
import {listFiles, outputChecksums} from '../helpers/run-folder.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'deepmask-area-'));
let service: ImageService;
let layerUrl: string;
const geojson = path.join(work, 'centre-l.geojson');

/** The L of the demo's Areas layer, in EPSG:3857: a band 32 m wide along the left and the bottom of 192 × 192 m. */
function insideL(x: number, y: number): boolean {
	const inBox = x > 1000100 && x < 1000292 && y > 6000100 && y < 6000292;
	return inBox && (x < 1000132 || y < 6000132);
}

async function runWith(overrides: PresetOverrides, name: string) {
	const runDir = path.join(work, name);
	const preset = await withArea(loadPreset('demo', {...overrides, set: ['tileSize=128', 'inference.batchSize=2']}));
	const events: RunEvent[] = [];
	const run = startRun({preset, runDir, writeAsYouGo: true});
	run.subscribe((event) => events.push(event));
	const review = await run.review;
	await review.write();
	return {run, runDir, events};
}

/** Every [x, y] of a Polygon's or MultiPolygon's coordinates. */
function positions(coordinates: unknown[]): Array<[number, number]> {
	return typeof coordinates[0] === 'number'
		? [coordinates as [number, number]]
		: coordinates.flatMap((part) => positions(part as unknown[]));
}

/** plan.json without the name of the layer read (the one thing that differs between the formats). */
function planWithoutSource(runDir: string): unknown {
	const plan = JSON.parse(readFileSync(path.join(runDir, 'plan.json'), 'utf8')) as {area: {source?: string}};
	delete plan.area.source;
	return plan;
}

beforeAll(async () => {
	service = await startImageService({port: 0});
	layerUrl = `${service.url}/Demo/Areas/FeatureServer/0`;
	// The file is what the feature service answers, so every format holds the same coordinates.
	const answer = await fetch(
		`${layerUrl}/query?where=${encodeURIComponent("NAME = 'Centre L'")}&outFields=*&f=geojson`,
	);
	writeFileSync(geojson, await answer.text());
	if (hasGdal) {
		execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', path.join(work, 'centre-l.shp'), geojson]);
		execFileSync('ogr2ogr', ['-f', 'GPKG', path.join(work, 'centre-l.gpkg'), geojson]);
	}
});

afterAll(async () => {
	await service?.close();
});

describe('a run over an area', () => {
	let reference: Awaited<ReturnType<typeof runWith>>;

	it('plans, fetches, infers and writes only the tiles the L touches, nodata outside it', async () => {
		reference = await runWith({area: geojson}, 'geojson');
		const {run, runDir, events} = reference;
		const inArea = ['r000_c000', 'r001_c000', 'r002_c000', 'r002_c001', 'r002_c002'];
		expect(run.plan.tiles.map((tile) => tile.id)).toEqual(inArea);
		const plan = JSON.parse(readFileSync(path.join(runDir, 'plan.json'), 'utf8')) as {
			rows: number;
			cols: number;
			area: {covered: number; skipped: number; clip: boolean};
		};
		expect(plan).toMatchObject({rows: 3, cols: 3, area: {covered: 5, skipped: 4, clip: true}});
		expect(events.find((event) => event.type === 'run-start')).toMatchObject({tiles: 5, skipped: 4});
		const fetched = new Set(events.flatMap((event) => (event.type === 'tile-fetched' ? [event.tileId] : [])));
		const inferred = new Set(events.flatMap((event) => (event.type === 'tile-inferred' ? [event.tileId] : [])));
		expect([...fetched].sort()).toEqual(inArea);
		expect([...inferred].sort()).toEqual(inArea);
		const files = listFiles(runDir);
		for (const folder of ['tiles/rgb/', 'tiles/dsm/', 'masks/', 'training/labels/'])
			expect(files.filter((file) => file.startsWith(folder) && file.endsWith('.tif'))).toHaveLength(5);

		let insidePixels = 0;
		for (const tile of run.plan.tiles) {
			const mask = await readGeoTiffFile(path.join(runDir, 'masks', `${tile.id}.tif`));
			expect(mask.nodata).toBe(255);
			const cell = (tile.bbox.xmax - tile.bbox.xmin) / mask.width;
			for (let row = 0; row < mask.height; row++)
				for (let col = 0; col < mask.width; col++) {
					const inside = insideL(tile.bbox.xmin + (col + 0.5) * cell, tile.bbox.ymax - (row + 0.5) * cell);
					const value = mask.data[row * mask.width + col];
					if (inside) insidePixels++;
					expect(inside ? value !== 255 : value === 255, `${tile.id} pixel ${col},${row}`).toBe(true);
				}
		}
		const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
			overall: {tiles: number; validPixels: number};
		};
		expect(stats.overall.tiles).toBe(5);
		expect(stats.overall.validPixels).toBe(insidePixels);
		const geometries = JSON.parse(readFileSync(path.join(runDir, 'masks.geojson'), 'utf8')) as {
			features: Array<{geometry: {coordinates: unknown}}>;
		};
		for (const [x, y] of geometries.features.flatMap((feature) => positions(feature.geometry.coordinates as unknown[])))
			expect(x <= 1000132 || y <= 6000132, `polygon vertex ${x},${y} outside the L`).toBe(true);
		if (hasGdal) {
			const info = JSON.parse(
				execFileSync('gdalinfo', ['-json', path.join(runDir, 'masks.vrt')], {encoding: 'utf8'}),
			) as {
				bands: Array<{noDataValue?: number}>;
			};
			expect(info.bands[0].noDataValue).toBe(255);
		}
	}, 300_000);

	it('gives the same files in two shards, merged by the last', async () => {
		const runDir = path.join(work, 'shards');
		const preset = await withArea(loadPreset('demo', {area: geojson, set: ['tileSize=128', 'inference.batchSize=2']}));
		const shardTiles: string[][] = [];
		for (const index of [1, 2]) {
			const shard = shardRun({index, count: 2}, preset.preset, runDir, preset.area);
			const run = startRun({preset, runDir, writeAsYouGo: true, ...shard.options});
			shardTiles.push([...shard.options.tileIds]);
			await (await run.review).write();
		}
		expect(shardTiles.flat().sort()).toEqual(reference.run.plan.tiles.map((tile) => tile.id));
		const merged = outputChecksums(runDir);
		for (const file of Object.keys(merged)) if (file.startsWith('shards/')) delete merged[file];
		expect(merged).toEqual(outputChecksums(reference.runDir));
	}, 300_000);

	it.skipIf(!hasGdal)(
		'gives the same files from a Shapefile, a GeoPackage and the FeatureServer layer of the same polygon',
		async () => {
			const expected = outputChecksums(reference.runDir);
			delete expected['plan.json'];
			for (const [name, overrides] of [
				['shapefile', {area: path.join(work, 'centre-l.shp')}],
				['geopackage', {area: path.join(work, 'centre-l.gpkg')}],
				['feature-server', {area: layerUrl, areaWhere: "NAME = 'Centre L'"}],
			] as const) {
				const {runDir} = await runWith(overrides, name);
				const checksums = outputChecksums(runDir);
				delete checksums['plan.json'];
				expect(checksums, name).toEqual(expected);
				expect(planWithoutSource(runDir), name).toEqual(planWithoutSource(reference.runDir));
			}
		},
		600_000,
	);
});
