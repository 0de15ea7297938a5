/**
 * masks.tif against masks.vrt, GDAL the judge: a COG by GDAL's own validator, the same grid, CRS and
 * pixels as the VRT, the overviews GDAL's COG driver makes of the VRT. Two run folders: a 5 × 3 plan of
 * 256-pixel tiles with masks of 300 × 200 (not a multiple of the COG's tiles) and one tile not written;
 * and the same clipped to an area (nodata 255 inside masks and where a tile is missing).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {classConfigOf} from '../../source/engine/classes/class-config.js';
import {outsideAreaValue} from '../../source/engine/geo/area-clip.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {makePlan, type Plan, type Tile} from '../../source/engine/geo/plan.js';
import {openOutputs} from '../../source/engine/outputs/run-outputs.js';
import {hasGdal} from '../helpers/gdal.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'deepmask-cog-run-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

const tileSize = 256;
const maskSize = {width: 300, height: 200};
const classes = classConfigOf({'0': 'background', '1': 'building', '2': 'tree'});
const missing = 'r001_c003';

function plan(clip: boolean): Plan {
	const plain = makePlan({
		extent: {xmin: 1_000_000, ymin: 6_000_000, xmax: 1_000_640, ymax: 6_000_384, crs: 'EPSG:3857'},
		crs: 'EPSG:3857',
		cellSize: 0.5,
		tileSize,
		snap: {mode: 'anchor', alignToGrid: false},
		maxTiles: 100,
	});
	return clip ? {...plain, area: {source: 'test', clip: true, covered: 15, skipped: 0, polygons: []}} : plain;
}

/** Class ids of the global grid: blobs of buildings and trees crossing tile borders, nodata in a corner when clipped. */
function mask(tile: Tile, clip: boolean): Uint8Array {
	const out = new Uint8Array(tileSize * tileSize);
	for (let y = 0; y < tileSize; y++)
		for (let x = 0; x < tileSize; x++) {
			const gx = tile.col * tileSize + x;
			const gy = tile.row * tileSize + y;
			const value = ((gx >> 5) * 7 + (gy >> 4) * 3 + ((gx * gy) >> 11)) % 5;
			out[y * tileSize + x] = clip && gx + gy < 200 ? outsideAreaValue : value < 3 ? value : 0;
		}
	return out;
}

async function runFolder(name: string, clip: boolean): Promise<{runDir: string; plan: Plan}> {
	const runDir = path.join(root, name);
	const settings = {
		runDir,
		plan: plan(clip),
		classes,
		maskSize,
		formats: ['masks' as const, 'vrt' as const, 'cog' as const],
	};
	const outputs = openOutputs(settings);
	for (const tile of settings.plan.tiles)
		if (tile.id !== missing)
			await outputs.writeTile({tile, mask: mask(tile, clip), size: {width: tileSize, height: tileSize}});
	// Neither format reads the statistics.
	const written = await outputs.finalise({} as never);
	expect(written.files.map((file) => path.basename(file))).toEqual(['masks.vrt', 'masks.tif']);
	return {runDir, plan: settings.plan};
}

const runs: Record<'plain' | 'clipped', {runDir: string; plan: Plan}> = {} as never;
beforeAll(async () => {
	runs.plain = await runFolder('plain', false);
	runs.clipped = await runFolder('clipped', true);
});

/** The pixels GDAL reads from `file` (its overview `overview` if given), raw bytes. */
function gdalPixels(file: string, overview?: number): Buffer {
	const out = `${file}.${overview ?? 'full'}.bin`;
	const args = ['-q', '-of', 'ENVI', ...(overview === undefined ? [] : ['-ovr', String(overview)]), file, out];
	execFileSync('gdal_translate', args);
	return readFileSync(out);
}

type Info = {
	size: number[];
	geoTransform: number[];
	coordinateSystem: {wkt: string};
	metadata: {IMAGE_STRUCTURE?: Record<string, string>};
	bands: Array<{
		block: number[];
		colorInterpretation: string;
		noDataValue?: number;
		overviews?: Array<{size: number[]}>;
		colorTable?: {entries: number[][]};
	}>;
};

function gdalinfo(file: string): Info {
	return JSON.parse(execFileSync('gdalinfo', ['-json', file], {encoding: 'utf8'})) as Info;
}

/** A Python whose GDAL bindings hold the COG validator, if any. */
const validator = ['python3', '/usr/bin/python3'].find(
	(python) => spawnSync(python, ['-c', 'import osgeo_utils.samples.validate_cloud_optimized_geotiff']).status === 0,
);

describe('masks.tif', () => {
	it('holds every mask tile at its place, and 0 where a tile was not written (read without GDAL)', async () => {
		const {runDir, plan: grid} = runs.plain;
		const mosaic = await readGeoTiffFile(path.join(runDir, 'masks.tif'));
		expect(mosaic).toMatchObject({width: 1500, height: 600, bbox: grid.adjusted, epsg: 3857, bands: 1});
		expect(mosaic.colorMap?.slice(0, 3)).toEqual(classes.classes.map((info) => info.color));
		for (const tile of grid.tiles) {
			const expected =
				tile.id === missing
					? new Uint8Array(maskSize.width * maskSize.height)
					: ((await readGeoTiffFile(path.join(runDir, 'masks', `${tile.id}.tif`))).data as Uint8Array);
			for (let y = 0; y < maskSize.height; y++) {
				const start = (tile.row * maskSize.height + y) * 1500 + tile.col * maskSize.width;
				const row = (mosaic.data as Uint8Array).subarray(start, start + maskSize.width);
				expect(Buffer.compare(row, expected.subarray(y * maskSize.width, (y + 1) * maskSize.width)), tile.id).toBe(0);
			}
		}
		expect(readdirSync(runDir).filter((name) => name.includes('deepmask-tmp'))).toEqual([]);
	});

	it.skipIf(!hasGdal)('is a COG with overviews and the palette, on the grid and CRS of masks.vrt', () => {
		for (const {runDir} of Object.values(runs)) {
			const cog = gdalinfo(path.join(runDir, 'masks.tif'));
			const vrt = gdalinfo(path.join(runDir, 'masks.vrt'));
			expect(cog.metadata.IMAGE_STRUCTURE).toMatchObject({LAYOUT: 'COG', COMPRESSION: 'DEFLATE'});
			expect(cog.size).toEqual(vrt.size);
			expect(cog.geoTransform).toEqual(vrt.geoTransform);
			expect(cog.coordinateSystem.wkt).toBe(vrt.coordinateSystem.wkt);
			const [band] = cog.bands;
			expect(band.block).toEqual([512, 512]);
			expect(band.colorInterpretation).toBe('Palette');
			expect(band.overviews?.map((overview) => overview.size)).toEqual([
				[750, 300],
				[375, 150],
			]);
			// The VRT shows the background transparent; a TIFF palette has no alpha.
			expect(band.colorTable?.entries.slice(0, 3)).toEqual(classes.classes.map(({color}) => [...color, 255]));
			expect(band.noDataValue).toBe(vrt.bands[0].noDataValue);
		}
		expect(gdalinfo(path.join(runs.clipped.runDir, 'masks.tif')).bands[0].noDataValue).toBe(255);
	});

	it.skipIf(!hasGdal)('reads pixel for pixel as masks.vrt, and its overviews as GDAL’s COG of masks.vrt', () => {
		for (const {runDir} of Object.values(runs)) {
			const cog = path.join(runDir, 'masks.tif');
			const vrt = path.join(runDir, 'masks.vrt');
			expect(gdalPixels(cog).equals(gdalPixels(vrt))).toBe(true);
			const reference = path.join(runDir, 'gdal-cog.tif');
			execFileSync('gdal_translate', ['-q', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', vrt, reference]);
			for (const overview of [0, 1])
				expect(gdalPixels(cog, overview).equals(gdalPixels(reference, overview)), `overview ${overview}`).toBe(true);
		}
	});

	it.skipIf(!validator)('passes GDAL’s Cloud-Optimized GeoTIFF validator, leader and trailer bytes included', () => {
		for (const {runDir} of Object.values(runs)) {
			const result = spawnSync(
				validator!,
				[
					'-m',
					'osgeo_utils.samples.validate_cloud_optimized_geotiff',
					'--full-check=yes',
					path.join(runDir, 'masks.tif'),
				],
				{encoding: 'utf8'},
			);
			expect(result.stdout + result.stderr).toContain('is a valid cloud optimized GeoTIFF');
			expect(result.status).toBe(0);
		}
	});
});
