import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {decodeGeoTiff, encodeGeoTiff, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';
import {hasGdal} from '../helpers/gdal.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-geotiff-alpha-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function rgbRaster(): GeoRaster {
	const width = 64;
	const height = 32;
	const data = new Uint8Array(width * height * 3).map((_, i) => (i * 7) % 256);
	return {
		width,
		height,
		bands: 3,
		data,
		bbox: {xmin: 500_000, ymin: 5_000_000, xmax: 500_032, ymax: 5_000_016},
		epsg: 32633,
	};
}

/** The right quarter has no data. */
function rightQuarterMissing(raster: GeoRaster): Uint8Array {
	return new Uint8Array(raster.width * raster.height).map((_, p) => (p % raster.width >= raster.width * 0.75 ? 1 : 0));
}

describe('an RGB GeoTIFF with pixels without data', () => {
	it('stores them as an alpha band and reads them back as the nodata mask', async () => {
		const raster = rgbRaster();
		const nodataMask = rightQuarterMissing(raster);
		const decoded = await decodeGeoTiff(await encodeGeoTiff({...raster, nodataMask}));
		expect(decoded.bands).toBe(3);
		expect(decoded.data).toEqual(raster.data);
		expect(decoded.nodataMask).toEqual(nodataMask);
	});

	it('stays a plain RGB GeoTIFF when every pixel has data', async () => {
		const raster = rgbRaster();
		const bytes = await encodeGeoTiff(raster);
		const decoded = await decodeGeoTiff(bytes);
		expect(decoded.bands).toBe(3);
		expect(decoded.nodataMask).toBeUndefined();
	});

	it.skipIf(!hasGdal)('opens in GDAL with the alpha band as its mask', async () => {
		const raster = rgbRaster();
		const file = path.join(dir, 'alpha.tif');
		await writeGeoTiffFile(file, {...raster, nodataMask: rightQuarterMissing(raster)});
		const info = JSON.parse(execFileSync('gdalinfo', ['-json', file], {encoding: 'utf8'})) as {
			bands: Array<{colorInterpretation: string; mask?: {flags: string[]}}>;
		};
		expect(info.bands.map((band) => band.colorInterpretation)).toEqual(['Red', 'Green', 'Blue', 'Alpha']);
		expect(info.bands[0].mask?.flags).toEqual(['PER_DATASET', 'ALPHA']);
	});
});
