import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {fromArrayBuffer} from 'geotiff';
import {
	decodeGeoTiff,
	encodeGeoTiff,
	readGeoTiffFile,
	readSamples,
	writeGeoTiffFile,
} from '../../source/engine/geo/geotiff.js';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';
import {hasGdal} from '../helpers/gdal.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-geotiff-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

type GdalInfo = {
	size: [number, number];
	geoTransform: number[];
	coordinateSystem: {wkt: string};
	metadata: {''?: Record<string, string>};
	bands: Array<{
		type: string;
		colorInterpretation: string;
		noDataValue?: number | string;
		colorTable?: {entries: number[][]};
	}>;
};

function gdalinfo(file: string): GdalInfo {
	return JSON.parse(execFileSync('gdalinfo', ['-json', file], {encoding: 'utf8'})) as GdalInfo;
}

function authorityCode(wkt: string): string | undefined {
	// The last ID[...] of a WKT2 string is the CRS's own.
	return [...wkt.matchAll(/ID\["EPSG",(\d+)\]/g)].at(-1)?.[1];
}

const bbox = {xmin: 1_000_000.25, ymin: 5_999_000, xmax: 1_000_256.25, ymax: 5_999_128};

function floatRaster(): GeoRaster {
	const width = 512;
	const height = 256;
	const data = new Float32Array(width * height).map((_, i) => 100 + Math.sin(i / 37) * 20 + i / 1e4);
	data[0] = -9999;
	return {width, height, bands: 1, data, bbox, epsg: 3857, nodata: -9999};
}

function rgbRaster(): GeoRaster {
	const width = 300;
	const height = 200;
	const data = new Uint8Array(width * height * 3).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
	return {
		width,
		height,
		bands: 3,
		data,
		bbox: {xmin: 500_000, ymin: 4_000_000, xmax: 500_150, ymax: 4_000_100},
		epsg: 25832,
	};
}

describe('GeoTIFF codec', () => {
	it.each(['deflate', 'none'] as const)('round-trips a float32 DSM with nodata (%s)', async (compression) => {
		const raster = floatRaster();
		const back = await decodeGeoTiff(await encodeGeoTiff(raster, {compression}));
		expect(back.data).toBeInstanceOf(Float32Array);
		expect(back.data).toEqual(raster.data);
		expect({...back, data: undefined}).toEqual({...raster, data: undefined});
	});

	it('round-trips 3-band uint8 RGB', async () => {
		const raster = rgbRaster();
		const back = await decodeGeoTiff(await encodeGeoTiff(raster));
		expect(back.data).toBeInstanceOf(Uint8Array);
		expect(
			Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(raster.data)),
		).toBe(true);
		expect(back.bbox).toEqual(raster.bbox);
		expect(back.epsg).toBe(25832);
		expect(back.bands).toBe(3);
	});

	it('round-trips a 1-band uint8 mask with a palette, in EPSG:4326', async () => {
		const width = 64;
		const height = 32;
		const data = new Uint8Array(width * height).map((_, i) => (i % 3 === 0 ? 1 : 0));
		const raster: GeoRaster = {
			width,
			height,
			bands: 1,
			data,
			epsg: 4326,
			nodata: 255,
			bbox: {xmin: 8.5, ymin: 47.25, xmax: 8.5 + 64 * 1e-5, ymax: 47.25 + 32 * 1e-5},
			colorMap: [
				[0, 0, 0],
				[255, 0, 0],
			],
		};
		const back = await decodeGeoTiff(await encodeGeoTiff(raster));
		expect(back.data).toEqual(data);
		expect(back.epsg).toBe(4326);
		expect(back.nodata).toBe(255);
		expect(back.colorMap?.slice(0, 2)).toEqual([
			[0, 0, 0],
			[255, 0, 0],
		]);
		expect(back.colorMap).toHaveLength(256);
	});

	it('refuses inconsistent input', async () => {
		await expect(encodeGeoTiff({...rgbRaster(), bands: 1})).rejects.toThrow(/expected/);
		await expect(encodeGeoTiff({...rgbRaster(), colorMap: [[0, 0, 0]]})).rejects.toThrow(/colour map/);
	});

	it('writes files atomically that read back, and leaves no temporary files', async () => {
		const file = path.join(dir, 'sub', 'dsm.tif');
		const raster = floatRaster();
		await writeGeoTiffFile(file, raster);
		const back = await readGeoTiffFile(file);
		expect(back.data).toEqual(raster.data);
		expect(readdirSync(path.dirname(file))).toEqual(['dsm.tif']);
		await expect(readGeoTiffFile(path.join(dir, 'missing.tif'))).rejects.toThrow(/missing\.tif/);
	});

	describe.skipIf(!hasGdal)('as GDAL reads it', () => {
		it('float32: exact geotransform, EPSG:3857, nodata', async () => {
			const file = path.join(dir, 'f32.tif');
			await writeGeoTiffFile(file, floatRaster());
			const info = gdalinfo(file);
			expect(info.size).toEqual([512, 256]);
			expect(info.geoTransform).toEqual([1_000_000.25, 0.5, 0, 5_999_128, 0, -0.5]);
			expect(authorityCode(info.coordinateSystem.wkt)).toBe('3857');
			expect(info.metadata['']?.AREA_OR_POINT).toBe('Area');
			expect(info.bands).toHaveLength(1);
			expect(info.bands[0].type).toBe('Float32');
			expect(info.bands[0].noDataValue).toBe(-9999);
		});

		it('uint8 RGB: bands as red, green, blue; projected EPSG:25832', async () => {
			const file = path.join(dir, 'rgb.tif');
			await writeGeoTiffFile(file, rgbRaster());
			const info = gdalinfo(file);
			expect(info.geoTransform).toEqual([500_000, 0.5, 0, 4_000_100, 0, -0.5]);
			expect(authorityCode(info.coordinateSystem.wkt)).toBe('25832');
			expect(info.bands.map((b) => [b.type, b.colorInterpretation])).toEqual([
				['Byte', 'Red'],
				['Byte', 'Green'],
				['Byte', 'Blue'],
			]);
			const stats = execFileSync('gdalinfo', ['-checksum', file], {encoding: 'utf8'});
			expect(stats).not.toMatch(/ERROR|Warning/);
		});

		it('palette mask in EPSG:4326', async () => {
			const file = path.join(dir, 'mask.tif');
			const data = new Uint8Array(16 * 8).fill(1);
			await writeGeoTiffFile(file, {
				width: 16,
				height: 8,
				bands: 1,
				data,
				epsg: 4326,
				nodata: 0,
				bbox: {xmin: 8, ymin: 47, xmax: 8.0016, ymax: 47.0008},
				colorMap: [
					[0, 0, 0],
					[255, 128, 0],
				],
			});
			const info = gdalinfo(file);
			expect(authorityCode(info.coordinateSystem.wkt)).toBe('4326');
			expect(info.geoTransform[0]).toBe(8);
			expect(info.geoTransform[1]).toBeCloseTo(0.0001, 15);
			expect(info.bands[0].colorInterpretation).toBe('Palette');
			expect(info.bands[0].noDataValue).toBe(0);
			// GDAL makes the nodata entry transparent.
			expect(info.bands[0].colorTable?.entries.slice(0, 2)).toEqual([
				[0, 0, 0, 0],
				[255, 128, 0, 255],
			]);
		});
	});

	it.skipIf(!hasGdal)('reads a GDAL-made tiled, compressed GeoTIFF', async () => {
		const source = path.join(dir, 'src.tif');
		await writeGeoTiffFile(source, rgbRaster(), {compression: 'none'});
		const tiled = path.join(dir, 'tiled.tif');
		execFileSync('gdal_translate', [
			'-q',
			'-co',
			'TILED=YES',
			'-co',
			'BLOCKXSIZE=64',
			'-co',
			'BLOCKYSIZE=64',
			'-co',
			'COMPRESS=LZW',
			source,
			tiled,
		]);
		const back = await readGeoTiffFile(tiled);
		expect(back.data).toEqual(rgbRaster().data);
		expect(back.bbox).toEqual(rgbRaster().bbox);
	});

	// readSamples copies whole rows of a block where geotiff.js reads sample by sample: the same values for every layout.
	it.skipIf(!hasGdal)('reads the samples of GDAL-made layouts as geotiff.js does', async () => {
		const source = path.join(dir, 'layouts-source.tif');
		await writeGeoTiffFile(source, floatRaster(), {compression: 'none'});
		const layouts: string[][] = [
			[
				'-co',
				'TILED=YES',
				'-co',
				'BLOCKXSIZE=128',
				'-co',
				'BLOCKYSIZE=64',
				'-co',
				'COMPRESS=DEFLATE',
				'-co',
				'PREDICTOR=3',
			],
			['-ot', 'Int16', '-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2', '-co', 'BLOCKYSIZE=7'],
			['-ot', 'UInt16', '-co', 'COMPRESS=PACKBITS'],
			['-ot', 'Float64', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16'],
			['-co', 'ENDIANNESS=BIG', '-co', 'COMPRESS=DEFLATE'],
			['-ot', 'Byte', '-scale', '-b', '1', '-b', '1', '-b', '1', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2'],
			['-ot', 'Byte', '-scale', '-b', '1', '-b', '1', '-b', '1', '-co', 'INTERLEAVE=BAND'],
			['-co', 'BLOCKYSIZE=1000', '-co', 'COMPRESS=DEFLATE'],
			// Deflate without a predictor, inflated where it lies in the file: whole strips and a short last one, tiles.
			['-co', 'BLOCKYSIZE=30', '-co', 'COMPRESS=DEFLATE'],
			['-ot', 'UInt16', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=64', '-co', 'BLOCKYSIZE=32', '-co', 'COMPRESS=DEFLATE'],
		];
		for (const [index, options] of layouts.entries()) {
			const file = path.join(dir, `layout-${index}.tif`);
			execFileSync('gdal_translate', ['-q', '-srcwin', '0', '0', '200', '100', ...options, source, file]);
			const bytes = readFileSync(file);
			const image = await (
				await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
			).getImage();
			const expected = await image.readRasters({interleave: true});
			const bytesOf = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
			for (const samples of [await readSamples(image), await readSamples(image, bytes)]) {
				expect(samples.constructor, options.join(' ')).toBe(expected.constructor);
				expect(bytesOf(samples).equals(bytesOf(expected)), options.join(' ')).toBe(true);
			}
		}
	});
});
