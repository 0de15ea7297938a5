/**
 * Issue 15 item 3 on the demo: post-processing and polygons see whole components across tile borders.
 * masks.geojson equals GDAL's polygonize of masks.vrt, and the post-processed masks of a tiled run equal
 * post-processing the whole mosaic at once.
 */
import {execFileSync} from 'node:child_process';
import {cpSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {loadPreset, type LoadedPreset} from '../../source/config/presets.js';
import {startRun} from '../../source/app/start-run.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import type {Plan} from '../../source/engine/geo/plan.js';
import {postprocessMask} from '../../source/engine/masks/postprocess.js';
import {hasGdal} from '../helpers/gdal.js';

/** A 2 × 2 grid of 128-px tiles of the demo town, 0.25 m² per pixel. */
function tinyDemo(...set: string[]): LoadedPreset {
	return loadPreset('demo', {
		extent: '1000100,6000100,1000220,6000220',
		set: ['tileSize=128', 'inference.batchSize=2', ...set],
	});
}

async function runToEnd(preset: LoadedPreset, runDir: string, writeAsYouGo = false) {
	const run = startRun({preset, runDir, writeAsYouGo});
	const review = await run.review;
	await review.write();
	return run.plan;
}

/** The mask tiles pasted into one mosaic. */
async function mosaicOf(runDir: string, plan: Plan): Promise<Uint8Array> {
	const width = plan.cols * plan.tileSize;
	const mosaic = new Uint8Array(width * plan.rows * plan.tileSize);
	for (const tile of plan.tiles) {
		const {data} = await readGeoTiffFile(path.join(runDir, 'masks', `${tile.id}.tif`));
		for (let y = 0; y < tile.height; y++) {
			const row = (data as Uint8Array).subarray(y * tile.width, (y + 1) * tile.width);
			mosaic.set(row, (tile.row * tile.height + y) * width + tile.col * tile.width);
		}
	}
	return mosaic;
}

const temp = (name: string) => mkdtempSync(path.join(os.tmpdir(), `deepmask-whole-${name}-`));

type Feature = {properties: Record<string, number | string>; geometry: {type: string; coordinates: unknown}};

function features(file: string): Feature[] {
	return (JSON.parse(readFileSync(file, 'utf8')) as {features: Feature[]}).features;
}

/** Planar area of a Polygon's rings (outer minus holes). */
function polygonArea(rings: number[][][]): number {
	const ringArea = (ring: number[][]) => {
		let sum = 0;
		for (let k = 0; k + 1 < ring.length; k++) sum += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
		return Math.abs(sum / 2);
	};
	return ringArea(rings[0]) - rings.slice(1).reduce((total, hole) => total + ringArea(hole), 0);
}

/** gdal_polygonize.py (8-connected) of masks.vrt, without the background. */
function polygonize(runDir: string): Feature[] {
	const gdalFile = path.join(temp('polygonize'), 'polygonize.geojson');
	execFileSync('gdal_polygonize.py', ['-q', '-8', path.join(runDir, 'masks.vrt'), '-f', 'GeoJSON', gdalFile]);
	return features(gdalFile).filter((feature) => feature.properties.DN !== 0);
}

/** masks.geojson against gdal_polygonize.py (8-connected) of masks.vrt: the same count, the same areas. */
function expectPolygonizeEqual(runDir: string): Feature[] {
	const gdalAreas = polygonize(runDir)
		.map((feature) => polygonArea(feature.geometry.coordinates as number[][][]))
		.sort((a, b) => a - b);
	const ours = features(path.join(runDir, 'masks.geojson'));
	const ourAreas = ours.map((feature) => feature.properties.area as number).sort((a, b) => a - b);
	expect(ourAreas.length).toBe(gdalAreas.length);
	ourAreas.forEach((area, k) => expect(Math.abs(area - gdalAreas[k]) / gdalAreas[k]).toBeLessThan(0.001));
	return ours;
}

describe('whole components across tiles on the demo', () => {
	const plain = temp('plain');
	let plan: Plan;
	beforeAll(async () => {
		plan = await runToEnd(tinyDemo(), plain);
	}, 240_000);

	it.skipIf(!hasGdal)('writes masks.geojson as gdal_polygonize -8 of masks.vrt: one polygon per component', () => {
		const ours = expectPolygonizeEqual(plain);
		expect(ours.some((feature) => (feature.properties.tiles as number) > 1)).toBe(true);
		expect(ours.every((feature) => feature.properties.tile === undefined)).toBe(true);
	});

	it('post-processes the tiled masks as the whole mosaic at once, also when tiles are written as inferred', async () => {
		// Probabilities are reused: post-processing does not change what the models see.
		const processed = temp('processed');
		cpSync(plain, processed, {recursive: true});
		const settings = {minArea: 60, fillHoles: 20};
		await runToEnd(
			tinyDemo(`postprocess.minArea=${settings.minArea}`, `postprocess.fillHoles=${settings.fillHoles}`),
			processed,
			true,
		);
		const width = plan.cols * plan.tileSize;
		const height = plan.rows * plan.tileSize;
		// Binary foreground of the land-cover classes: post-processing treats every class but background as one.
		const expected = (await mosaicOf(plain, plan)).map((value) => (value === 0 ? 0 : 1));
		const report = postprocessMask(expected, width, height, settings, plan.cellSize ** 2);
		expect(report.removedComponents).toBeGreaterThan(0);
		const actual = (await mosaicOf(processed, plan)).map((value) => (value === 0 ? 0 : 1));
		expect(Buffer.compare(Buffer.from(actual), Buffer.from(expected))).toBe(0);
		const stats = JSON.parse(readFileSync(path.join(processed, 'stats.json'), 'utf8')) as {
			overall: {postprocessed: typeof report};
		};
		expect(stats.overall.postprocessed).toEqual(report);
		if (hasGdal) expect(expectPolygonizeEqual(processed).length).toBeGreaterThan(5);
	}, 240_000);

	it.skipIf(!hasGdal)(
		'counts each class’s components over the mosaic in a multi-class run, as GDAL does',
		async () => {
			const runDir = temp('landcover');
			await runToEnd(
				loadPreset('demo-landcover', {
					extent: '1000100,6000100,1000220,6000220',
					set: ['tileSize=128', 'inference.batchSize=2'],
				}),
				runDir,
			);
			const gdal = polygonize(runDir);
			const ours = expectPolygonizeEqual(runDir);
			const {overall} = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
				overall: {classes: Array<{id: number; components: number}>};
			};
			const foreground = overall.classes.filter((entry) => entry.id !== 0);
			expect(foreground.length).toBeGreaterThan(1);
			for (const {id, components} of foreground) {
				expect(components).toBe(gdal.filter((feature) => feature.properties.DN === id).length);
				expect(components).toBe(ours.filter((feature) => feature.properties.classId === id).length);
			}
		},
		240_000,
	);
});
