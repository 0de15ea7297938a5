/**
 * engine/geo/warp.ts samples as gdalwarp does; these cases are worked out by hand from gdalwarpkernel.cpp
 * (test/sources/file-source.test.ts compares with gdalwarp itself where GDAL is installed).
 */
import proj4 from 'proj4';
import {describe, expect, it} from 'vitest';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';
import {kernelScale, warpToGrid} from '../../source/engine/geo/warp.js';

function raster(width: number, height: number, value: (col: number, row: number) => number, float = true): GeoRaster {
	const data = float ? new Float32Array(width * height) : new Uint8Array(width * height);
	for (let row = 0; row < height; row++)
		for (let col = 0; col < width; col++) data[row * width + col] = value(col, row);
	return {width, height, bands: 1, data, bbox: {xmin: 0, ymin: 0, xmax: width, ymax: height}, epsg: 3857};
}

describe('warpToGrid', () => {
	it('gives back the source on its own grid, nearest and bilinear', () => {
		const source = raster(20, 10, (col, row) => (col * 7 + row * 13) % 256, false);
		for (const interpolation of ['nearest', 'bilinear'] as const) {
			const {data, valid} = warpToGrid(source, {bbox: source.bbox, width: 20, height: 10, epsg: 3857}, interpolation);
			expect([...data]).toEqual([...source.data]);
			expect(valid.every((value) => value === 1)).toBe(true);
		}
	});

	it('interpolates a ramp linearly when upsampling, holding the edge pixels at the borders', () => {
		const source = raster(10, 4, (col) => col * 10);
		const {data} = warpToGrid(source, {bbox: source.bbox, width: 20, height: 8, epsg: 3857}, 'bilinear');
		// Target centre t sits at source x (t + 0.5) / 2; the ramp's value there is 10 × (x − 0.5).
		const expected = Array.from({length: 20}, (_, t) => Math.min(90, Math.max(0, 10 * ((t + 0.5) / 2 - 0.5))));
		expect([...data.slice(0, 20)]).toEqual(expected);
	});

	it('widens the bilinear kernel when downsampling, as gdalwarp does (not four samples of a checkerboard)', () => {
		// Columns alternate 0 and 255; a target pixel of 3 × 3 source pixels centred on column 4 (value 0).
		const source = raster(12, 12, (col) => (col % 2) * 255, false);
		const target = {bbox: {xmin: 3, ymin: 3, xmax: 6, ymax: 6}, width: 1, height: 1, epsg: 3857};
		expect(kernelScale(source, target)).toEqual({x: 1 / 3, y: 1 / 3});
		// Radius 3, weights 1 − |d| / 3: columns 2..6 weigh 1/3, 2/3, 1, 2/3, 1/3 → 255 × (4/3) / 3 = 113.3.
		expect([...warpToGrid(source, target, 'bilinear').data]).toEqual([113]);
		// Four samples (what a scale of 1 asks for) take only the centre column here.
		expect([...warpToGrid(source, target, 'bilinear', {scale: {x: 1, y: 1}}).data]).toEqual([0]);
		expect([...warpToGrid(source, target, 'nearest').data]).toEqual([0]);
	});

	it('leaves pixels without data out, renormalising the others, and has no data where the centre has none', () => {
		const source = raster(4, 4, (col, row) => (col === 1 && row === 1 ? -9999 : 100 + col));
		source.nodata = -9999;
		// 8 × 8 target over the 4 × 4 source: pixel (2, 2) has its centre on source pixel (1, 1), the nodata one.
		const {data, valid} = warpToGrid(source, {bbox: source.bbox, width: 8, height: 8, epsg: 3857}, 'bilinear');
		expect(valid[2 * 8 + 2]).toBe(0);
		expect(valid[2 * 8 + 3]).toBe(0);
		// Pixel (1, 1) sits at source (0.75, 0.75): its four neighbours are (0,0), (1,0), (0,1) and the nodata
		// (1,1), weighted 9/16, 3/16, 3/16 and 1/16; without the last: (9 × 100 + 3 × 101 + 3 × 100) / 15.
		expect(valid[1 * 8 + 1]).toBe(1);
		expect(data[1 * 8 + 1]).toBeCloseTo((9 * 100 + 3 * 101 + 3 * 100) / 15, 5);
		// A nodata mask counts the same as a nodata value.
		const masked: GeoRaster = {...source, data: Float32Array.from(source.data, (value) => (value < 0 ? 500 : value))};
		delete masked.nodata;
		masked.nodataMask = new Uint8Array(16);
		masked.nodataMask[5] = 1;
		const fromMask = warpToGrid(masked, {bbox: source.bbox, width: 8, height: 8, epsg: 3857}, 'bilinear');
		expect([...fromMask.valid]).toEqual([...valid]);
		expect(fromMask.data[9]).toBeCloseTo(data[9], 5);
	});

	it('takes the next pixel at an exact pixel edge for nearest, as gdalwarp nudges it', () => {
		const source = raster(4, 1, (col) => col);
		// Two target pixels over source pixels 0..2: their centres fall at x = 1 and 3, pixel edges.
		const {data} = warpToGrid(
			source,
			{bbox: {xmin: 0, ymin: 0, xmax: 4, ymax: 1}, width: 2, height: 1, epsg: 3857},
			'nearest',
		);
		expect([...data]).toEqual([1, 3]);
	});

	it('has no data outside the source', () => {
		const source = raster(4, 4, () => 1);
		const {valid} = warpToGrid(
			source,
			{bbox: {xmin: -2, ymin: 0, xmax: 2, ymax: 4}, width: 4, height: 4, epsg: 3857},
			'bilinear',
		);
		expect([...valid.slice(0, 4)]).toEqual([0, 0, 1, 1]);
	});

	it('reprojects: a field linear in longitude comes back linear at every Web Mercator pixel centre', () => {
		// 0.00001° cells around 9°E 47°N (about 0.76 × 1.1 m); the target at 1 m Web Mercator cells.
		const width = 200;
		const height = 200;
		const x0 = 9;
		const y0 = 47;
		const cell = 0.00001;
		const source: GeoRaster = {
			width,
			height,
			bands: 1,
			data: new Float32Array(width * height).map((_, p) => 1000 * (x0 + ((p % width) + 0.5) * cell)),
			bbox: {xmin: x0, ymin: y0, xmax: x0 + width * cell, ymax: y0 + height * cell},
			epsg: 4326,
		};
		const [cx, cy] = proj4('EPSG:4326', 'EPSG:3857').forward([x0 + 100 * cell, y0 + 100 * cell]);
		const bbox = {xmin: cx - 16, ymin: cy - 16, xmax: cx + 16, ymax: cy + 16};
		const {data, valid} = warpToGrid(source, {bbox, width: 32, height: 32, epsg: 3857}, 'bilinear');
		const inverse = proj4('EPSG:3857', 'EPSG:4326');
		for (let row = 0; row < 32; row++)
			for (let col = 0; col < 32; col++) {
				const [lon] = inverse.forward([bbox.xmin + col + 0.5, bbox.ymax - row - 0.5]);
				expect(valid[row * 32 + col]).toBe(1);
				expect(data[row * 32 + col]).toBeCloseTo(1000 * lon, 2);
			}
	});
});
