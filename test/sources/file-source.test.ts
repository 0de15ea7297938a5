/**
 * The `kind: "file"` source: GeoTIFFs and COGs, local or over http(s), in any CRS, band layout and bit depth,
 * resampled onto the plan grid as gdalwarp does. Unit tests need nothing but the project; the comparisons
 * with gdalwarp and the COG tests run where GDAL is installed.
 */
import {execFileSync} from 'node:child_process';
import {randomFillSync} from 'node:crypto';
import {rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import proj4 from 'proj4';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {UserError} from '../../source/errors.js';
import {loadPreset} from '../../source/config/presets.js';
import {repoRoot} from '../faults/helpers.js';
import {ensureCrs} from '../../source/engine/geo/crs.js';
import type {Bbox, GeoRaster} from '../../source/engine/geo/georaster.js';
import {encodeGeoTiff, readGeoTiffFile, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {encodeTiff, TiffType} from '../../source/engine/geo/tiff-writer.js';
import {warpToGrid} from '../../source/engine/geo/warp.js';
import {chooseLevel} from '../../source/engine/sources/file/file-layer.js';
import {stretchToU8} from '../../source/engine/sources/stretch.js';
import {
	fetchTile,
	fileLayer,
	hasGdal,
	openFile,
	serveFiles,
	syntheticRaster,
	tempDir,
	type FileServer,
} from './file-helpers.js';

const dir = tempDir('source');
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** 400 × 300 px at 0.5 m in Web Mercator, in the demo town. */
const mercatorBbox: Bbox = {xmin: 1_000_000, ymin: 6_000_000, xmax: 1_000_200, ymax: 6_000_150};
/** The same ground in UTM 32N (EPSG:32632) at 0.3 m (Web Mercator stretches it by about 1.5 there). */
ensureCrs('EPSG:32632');
const toUtm = proj4('EPSG:3857', 'EPSG:32632');
const [utmX, utmY] = toUtm.forward([1_000_100, 6_000_075]).map((value) => Math.round(value));
const utmBbox: Bbox = {xmin: utmX - 180, ymin: utmY - 150, xmax: utmX + 180, ymax: utmY + 150};

function write(name: string, raster: GeoRaster): Promise<string> {
	const file = path.join(dir, name);
	return writeGeoTiffFile(file, raster).then(() => file);
}

function subBbox(bbox: Bbox, cellSize: number, col: number, row: number, size: number): Bbox {
	const xmin = bbox.xmin + col * cellSize;
	const ymax = bbox.ymax - row * cellSize;
	return {xmin, ymax, xmax: xmin + size * cellSize, ymin: ymax - size * cellSize};
}

describe('file source without GDAL', () => {
	let rgbFile: string;
	let rgb: GeoRaster;
	let utmFile: string;
	let utm: GeoRaster;
	let dsmFile: string;
	let dsm: GeoRaster;

	beforeAll(async () => {
		rgb = syntheticRaster({width: 400, height: 300, bands: 3, bbox: mercatorBbox, epsg: 3857});
		rgbFile = await write('rgb-3857.tif', rgb);
		utm = syntheticRaster({width: 1200, height: 1000, bands: 3, bbox: utmBbox, epsg: 32632});
		utmFile = await write('rgb-utm.tif', utm);
		dsm = syntheticRaster({
			width: 1200,
			height: 1000,
			bands: 1,
			bbox: utmBbox,
			epsg: 32632,
			float: true,
			nodata: -32768,
			holes: 500,
		});
		dsmFile = await write('dsm-utm.tif', dsm);
	});

	it('gives back the file pixels on the grid of the file, nearest or bilinear', async () => {
		for (const resampling of ['nearest', 'bilinear'] as const) {
			const opened = await openFile(fileLayer(rgbFile, {resampling}), {cellSize: 0.5});
			try {
				const bbox = subBbox(mercatorBbox, 0.5, 37, 21, 64);
				const {raster, bytes, urls} = await fetchTile(opened, {bbox, width: 64, height: 64});
				expect(raster).toMatchObject({width: 64, height: 64, bands: 3, epsg: 3857});
				expect(raster.nodataMask).toBeUndefined();
				for (let row = 0; row < 64; row++)
					for (let col = 0; col < 64; col++)
						for (let b = 0; b < 3; b++)
							expect(raster.data[(row * 64 + col) * 3 + b]).toBe(rgb.data[((row + 21) * 400 + col + 37) * 3 + b]);
				expect(bytes).toBeGreaterThan(0);
				expect(urls).toEqual([rgbFile]);
			} finally {
				opened.close();
			}
		}
	});

	it('reads a file in another CRS as warping the whole file would, window by window', async () => {
		const centre = {x: 1_000_100, y: 6_000_075};
		const bbox = {xmin: centre.x - 32, ymin: centre.y - 32, xmax: centre.x + 32, ymax: centre.y + 32};
		for (const resampling of ['nearest', 'bilinear'] as const) {
			const opened = await openFile(fileLayer(utmFile, {resampling}), {cellSize: 0.5});
			try {
				const {raster} = await fetchTile(opened, {bbox, width: 128, height: 128});
				const expected = warpToGrid(utm, {bbox, width: 128, height: 128, epsg: 3857}, resampling);
				expect(Buffer.from(raster.data.buffer).equals(Buffer.from(expected.data.buffer))).toBe(true);
			} finally {
				opened.close();
			}
		}
		const dsmOpened = await openFile(fileLayer(dsmFile, {pixelType: 'F32'}), {cellSize: 0.5});
		try {
			const {raster} = await fetchTile(dsmOpened, {bbox, width: 128, height: 128});
			const expected = warpToGrid(dsm, {bbox, width: 128, height: 128, epsg: 3857}, 'bilinear');
			// The file's nodata is kept as the tiles' (no preset nodata), and holes stay holes.
			expect(raster.nodata).toBe(-32768);
			let holes = 0;
			for (let p = 0; p < 128 * 128; p++) {
				if (!expected.valid[p]) {
					holes++;
					expect(raster.data[p]).toBe(-32768);
				} else expect(Math.abs(raster.data[p] - expected.data[p])).toBeLessThan(1e-4);
			}
			expect(holes).toBeGreaterThan(0);
			expect(dsmOpened.source.describe()).toMatchObject({kind: 'file', crs: 'EPSG:32632', resolution: 0.3});
		} finally {
			dsmOpened.close();
		}
	});

	it('writes nodata where the tile lies beyond the file, and warns when the plan is not covered', async () => {
		const planExtent = {xmin: 1_000_150, ymin: 6_000_100, xmax: 1_000_300, ymax: 6_000_200};
		const opened = await openFile(fileLayer(rgbFile), {cellSize: 0.5, planExtent});
		try {
			expect(opened.logs).toEqual([
				expect.stringMatching(/^warn: layers\.rgb: .* covers only part of the plan's extent/),
			]);
			// Half on the file, half east of it.
			const bbox = {xmin: 1_000_168, ymin: 6_000_100, xmax: 1_000_232, ymax: 6_000_132};
			const {raster} = await fetchTile(opened, {bbox, width: 128, height: 64});
			const mask = raster.nodataMask!;
			expect(mask[0]).toBe(0);
			expect(mask[127]).toBe(1);
			expect(mask.filter((value) => value === 1).length).toBe(64 * 64);
			// Wholly outside: no read at all, every pixel nodata.
			const outside = await fetchTile(opened, {
				bbox: {...bbox, xmin: 1_000_250, xmax: 1_000_314},
				width: 128,
				height: 64,
			});
			expect(outside.bytes).toBe(0);
			expect(outside.raster.nodataMask!.every((value) => value === 1)).toBe(true);
		} finally {
			opened.close();
		}
		const far = await openFile(fileLayer(dsmFile, {pixelType: 'F32', nodata: -9999}), {
			cellSize: 0.5,
			planExtent: {xmin: 0, ymin: 0, xmax: 100, ymax: 100},
		});
		try {
			expect(far.logs).toEqual([expect.stringMatching(/the plan's extent lies outside .*only nodata/)]);
			const {raster} = await fetchTile(far, {bbox: {xmin: 0, ymin: 0, xmax: 32, ymax: 32}, width: 16, height: 16});
			expect(raster.nodata).toBe(-9999);
			expect([...raster.data].every((value) => value === -9999)).toBe(true);
		} finally {
			far.close();
		}
	});

	it('picks bands by bandIds and stretches 16-bit RGB to 8 bits by the preset range', async () => {
		const width = 64;
		const height = 48;
		const data = new Uint16Array(width * height * 4).map((_, k) => (k % 4) * 1000 + (k % 997));
		const file = path.join(dir, 'u16-4band.tif');
		writeFileSync(
			file,
			await encodeGeoTiff({width, height, bands: 4, data, bbox: mercatorBbox, epsg: 3857}, {compression: 'deflate'}),
		);
		const bbox = mercatorBbox;
		const layer = fileLayer(file, {bandIds: [2, 1, 0], stretch: {min: 0, max: 3000}, resampling: 'nearest'});
		const opened = await openFile(layer, {cellSize: 200 / width});
		try {
			const {raster} = await fetchTile(opened, {bbox, width, height});
			const chosen = new Float32Array(width * height * 3);
			for (let p = 0; p < width * height; p++)
				for (let b = 0; b < 3; b++) chosen[p * 3 + b] = data[p * 4 + [2, 1, 0][b]];
			expect([...raster.data]).toEqual([...stretchToU8(chosen, 3, {min: [0, 0, 0], max: [3000, 3000, 3000]})]);
			expect(opened.source.fingerprint()).toMatchObject({
				kind: 'file',
				path: file,
				bandIds: [2, 1, 0],
				stretch: {min: [0, 0, 0], max: [3000, 3000, 3000]},
				resampling: 'nearest',
			});
		} finally {
			opened.close();
		}
		await expect(openFile(fileLayer(file))).rejects.toThrow(
			/holds U16 pixels, not 8-bit, and no statistics .*set layers\.rgb\.stretch/,
		);
	});

	it('finds red, green and blue by band description and stretches by the statistics GDAL stores', async () => {
		// A 4-band U16 file as GDAL writes one after `gdalinfo -stats`: descriptions and statistics in GDAL_METADATA.
		const width = 32;
		const height = 16;
		const data = new Uint16Array(width * height * 4).map((_, k) => 100 * (k % 4) + (k % 50));
		const names = ['Blue', 'Green', 'Red', 'NIR'];
		const items = names
			.map(
				(name, band) =>
					`<Item name="DESCRIPTION" sample="${band}" role="description">${name}</Item>` +
					`<Item name="STATISTICS_MINIMUM" sample="${band}">${band * 100}</Item>` +
					`<Item name="STATISTICS_MAXIMUM" sample="${band}">${band * 100 + 60}</Item>`,
			)
			.join('');
		const file = path.join(dir, 'bgrn.tif');
		writeFileSync(
			file,
			await encodeTiff({
				width,
				height,
				samples: 4,
				data,
				compression: 'deflate',
				tags: [
					{tag: 262, type: TiffType.SHORT, values: [1]},
					{tag: 338, type: TiffType.SHORT, values: [0, 0, 0]},
					{tag: 33550, type: TiffType.DOUBLE, values: [1, 1, 0]},
					{tag: 33922, type: TiffType.DOUBLE, values: [0, 0, 0, 1_000_000, 6_000_016, 0]},
					{tag: 34735, type: TiffType.SHORT, values: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 3857]},
					{tag: 42112, type: TiffType.ASCII, values: `<GDALMetadata>${items}</GDALMetadata>`},
				],
			}),
		);
		const opened = await openFile(fileLayer(file, {resampling: 'nearest'}), {cellSize: 1});
		try {
			expect(opened.source.describe().reads).toMatch(/U16 band\(s\) 2,1,0/);
			const bbox = {xmin: 1_000_000, ymin: 6_000_000, xmax: 1_000_000 + width, ymax: 6_000_016};
			const {raster} = await fetchTile(opened, {bbox, width, height});
			const chosen = new Float32Array(width * height * 3);
			for (let p = 0; p < width * height; p++) for (let b = 0; b < 3; b++) chosen[p * 3 + b] = data[p * 4 + 2 - b];
			const stretch = {min: [200, 100, 0], max: [260, 160, 60]};
			expect([...raster.data]).toEqual([...stretchToU8(chosen, 3, stretch)]);
			expect(opened.source.fingerprint()).toMatchObject({stretch});
		} finally {
			opened.close();
		}
	});

	it('knows the CRS of files that name it by Esri WKID or only by an Esri PE citation', async () => {
		// USA Contiguous Albers (ESRI:102003, no EPSG code), as deepmask and GDAL write it.
		const albers = syntheticRaster({
			width: 200,
			height: 150,
			bands: 1,
			bbox: {xmin: 100_000, ymin: 1_500_000, xmax: 100_200, ymax: 1_500_150},
			epsg: 102003,
			float: true,
		});
		const albersFile = await write('albers.tif', albers);
		ensureCrs('EPSG:102003');
		const [x, y] = proj4('EPSG:102003', 'EPSG:3857').forward([100_100, 1_500_075]);
		const bbox = {xmin: x - 20, ymin: y - 20, xmax: x + 20, ymax: y + 20};
		const opened = await openFile(fileLayer(albersFile, {pixelType: 'F32'}), {cellSize: 1});
		try {
			expect(opened.source.describe()).toMatchObject({crs: 'ESRI:102003', resolution: 1});
			const {raster} = await fetchTile(opened, {bbox, width: 40, height: 40});
			const expected = warpToGrid(albers, {bbox, width: 40, height: 40, epsg: 3857}, 'bilinear');
			for (let p = 0; p < 1600; p++) expect(Math.abs(raster.data[p] - expected.data[p])).toBeLessThan(1e-4);
		} finally {
			opened.close();
		}
		const fixtures = path.join(repoRoot, 'test/fixtures/geotiff');
		const esriPe = await openFile(
			fileLayer(path.join(fixtures, 'sirgas-utm25s-esri-pe-string.tif'), {pixelType: 'F32'}),
		);
		try {
			expect(esriPe.source.describe()).toMatchObject({crs: 'EPSG:31985', resolution: 1});
		} finally {
			esriPe.close();
		}
		await expect(
			openFile(fileLayer(path.join(fixtures, 'utm25s-parameters-only.tif'), {pixelType: 'F32'})),
		).rejects.toThrow(
			/utm25s-parameters-only\.tif: the GeoTIFF's CRS is user-defined .*gdal_edit\.py -a_srs EPSG:XXXX/,
		);
	});

	it('refuses what it cannot read with a UserError naming the file and the fix', async () => {
		const refusal = async (layer: ReturnType<typeof fileLayer>, role?: 'rgb' | 'dsm') => {
			const error = await openFile(layer, {role}).then(
				() => new Error('opened'),
				(caught: unknown) => caught as Error,
			);
			expect(error).toBeInstanceOf(UserError);
			return error.message;
		};
		expect(await refusal(fileLayer(path.join(dir, 'missing.tif')))).toMatch(
			/^layers\.rgb\.path: no file at .*missing\.tif; check the path \(a relative path is relative to the preset file\)$/,
		);
		expect(await refusal(fileLayer(dir))).toMatch(/is a folder, not a GeoTIFF/);
		const text = path.join(dir, 'notes.tif');
		writeFileSync(text, 'these are not the pixels you are looking for');
		expect(await refusal(fileLayer(text))).toMatch(
			/notes\.tif is not a GeoTIFF that can be read .*give a GeoTIFF or COG file/,
		);
		const bare = path.join(dir, 'no-crs.tif');
		writeFileSync(
			bare,
			await encodeTiff({
				width: 8,
				height: 8,
				samples: 1,
				data: new Float32Array(64),
				compression: 'none',
				tags: [
					{tag: 262, type: TiffType.SHORT, values: [1]},
					{tag: 33550, type: TiffType.DOUBLE, values: [1, 1, 0]},
					{tag: 33922, type: TiffType.DOUBLE, values: [0, 0, 0, 0, 8, 0]},
				],
			}),
		);
		expect(await refusal(fileLayer(bare, {pixelType: 'F32'}))).toMatch(
			/no-crs\.tif says nothing of its CRS .*gdal_edit\.py -a_srs EPSG:XXXX/,
		);
		expect(await refusal(fileLayer(dsmFile))).toMatch(/has 1 band\(s\), the rgb layer needs 3/);
		expect(await refusal(fileLayer(rgbFile, {bandIds: [0, 1, 5]}))).toMatch(/bandIds \[0,1,5\]: .* has bands 0, 1, 2/);
		expect(await refusal(fileLayer(rgbFile, {pixelType: 'F32'}), 'rgb')).toMatch(/layers\.rgb\.pixelType must be U8/);
		expect(await refusal(fileLayer(dsmFile, {pixelType: 'U8'}), 'dsm')).toMatch(/layers\.dsm\.pixelType must be F32/);
	});

	describe('over http(s)', () => {
		let server: FileServer;
		beforeAll(async () => {
			server = await serveFiles(dir);
		});
		afterAll(() => server.close());

		it('reads the same pixels through range requests as from the disk', async () => {
			const bbox = subBbox(mercatorBbox, 0.5, 100, 50, 64);
			const local = await openFile(fileLayer(rgbFile), {cellSize: 0.5});
			const remote = await openFile(fileLayer(`${server.url}/rgb-3857.tif`), {cellSize: 0.5});
			try {
				const [a, b] = await Promise.all([
					fetchTile(local, {bbox, width: 64, height: 64}),
					fetchTile(remote, {bbox, width: 64, height: 64}),
				]);
				expect(Buffer.from(b.raster.data).equals(Buffer.from(a.raster.data))).toBe(true);
				expect(b.urls).toEqual([`${server.url}/rgb-3857.tif`]);
				expect(remote.source.fingerprint()).toMatchObject({
					path: `${server.url}/rgb-3857.tif`,
					fileSize: statSync(rgbFile).size,
				});
			} finally {
				local.close();
				remote.close();
			}
		});

		it('retries a server that fails now and then, and counts the bytes of the tile', async () => {
			const flaky = await serveFiles(dir, {failEvery: 3});
			const opened = await openFile(fileLayer(`${flaky.url}/rgb-3857.tif`), {cellSize: 0.5, retries: 5});
			try {
				const retries: string[] = [];
				flaky.reset();
				const bbox = subBbox(mercatorBbox, 0.5, 10, 10, 128);
				const fetched = await opened.source.fetch(
					{bbox, width: 128, height: 128},
					{signal: new AbortController().signal, onRetry: (_attempt, reason) => retries.push(reason)},
				);
				expect(retries.length).toBeGreaterThan(0);
				expect(retries[0]).toBe('HTTP 503');
				expect(fetched.attempts).toBe(flaky.requests());
				// Every byte received counts, the 503 answers' bodies ("busy") too.
				expect(fetched.bytes).toBe(flaky.sent() + 4 * retries.length);
				const local = await openFile(fileLayer(rgbFile), {cellSize: 0.5});
				try {
					const {raster} = await fetchTile(local, {bbox, width: 128, height: 128});
					expect(Buffer.from(fetched.raster.data).equals(Buffer.from(raster.data))).toBe(true);
				} finally {
					local.close();
				}
			} finally {
				opened.close();
				await flaky.close();
			}
		});

		it('refuses a server without range support, a missing file and an unreachable server', async () => {
			const noRanges = await serveFiles(dir, {ranges: false});
			try {
				await expect(openFile(fileLayer(`${noRanges.url}/dsm-utm.tif`, {pixelType: 'F32'}))).rejects.toThrow(
					/the server does not support range requests .*download it and give its local path/,
				);
			} finally {
				await noRanges.close();
			}
			await expect(openFile(fileLayer(`${server.url}/nothing.tif`))).rejects.toThrow(
				/nothing\.tif: no such file on the server \(HTTP 404\); check the URL/,
			);
			const gone = await serveFiles(dir);
			const url = `${gone.url}/rgb-3857.tif`;
			await gone.close();
			const error = await openFile(fileLayer(url)).then(
				() => new Error('opened'),
				(caught: unknown) => caught as Error,
			);
			expect(error).toBeInstanceOf(UserError);
			expect(error.message).toMatch(/cannot reach the server \(ECONNREFUSED/);
		});
	});
});

describe('file layers in presets', () => {
	it('resolve a local path against the preset file, keep a URL, and default to bilinear', () => {
		const example = path.join(repoRoot, 'presets/examples/local-orthomosaic.json');
		const loaded = loadPreset(example, {set: ['layers.dsm.path=https://example.com/dsm.tif']});
		expect(loaded.preset.layers.rgb).toEqual({
			kind: 'file',
			path: path.join(repoRoot, 'presets/examples/survey/orthomosaic.tif'),
			pixelType: 'U8',
			resampling: 'bilinear',
		});
		expect(loaded.preset.layers.dsm).toMatchObject({path: 'https://example.com/dsm.tif', resampling: 'bilinear'});
		expect(() => loadPreset(example, {set: ['layers.rgb.url=x']})).toThrow(/layers\.rgb/);
		expect(() => loadPreset(example, {set: ['layers.rgb.resampling=cubic']})).toThrow(/resampling/);
	});
});

describe('choosing the overview as gdalwarp does', () => {
	it('reads the coarsest level at most as coarse as the cell size, or within 0.1 of it', () => {
		const widths = [8000, 4000, 2000, 1000];
		expect(chooseLevel(widths, 0.5)).toBe(0);
		expect(chooseLevel(widths, 1)).toBe(0);
		expect(chooseLevel(widths, 1.95)).toBe(0);
		expect(chooseLevel(widths, 2)).toBe(1);
		expect(chooseLevel(widths, 2.05)).toBe(1);
		expect(chooseLevel(widths, 3.9)).toBe(1);
		expect(chooseLevel(widths, 4)).toBe(2);
		expect(chooseLevel(widths, 100)).toBe(3);
		expect(chooseLevel([8000], 100)).toBe(0);
	});
});

/** `gdalwarp` of `file` onto the grid, exactly (no approximate transformer), read back. */
function gdalwarp(
	file: string,
	bbox: Bbox,
	width: number,
	height: number,
	epsg: number,
	resampling: string,
	extra: string[] = [],
): Promise<GeoRaster> {
	const out = path.join(dir, `gdalwarp-${Math.random().toString(36).slice(2)}.tif`);
	execFileSync('gdalwarp', [
		'-q',
		...extra,
		'-et',
		'0',
		'-te',
		...[bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax].map(String),
		'-ts',
		String(width),
		String(height),
		'-r',
		resampling,
		'-t_srs',
		`EPSG:${epsg}`,
		file,
		out,
	]);
	return readGeoTiffFile(out);
}

type Comparison = {compared: number; maxDiff: number; maskDiffs: number};

function compare(ours: GeoRaster, theirs: GeoRaster): Comparison {
	const pixels = ours.width * ours.height;
	const bands = ours.bands;
	const valid = (raster: GeoRaster, p: number) =>
		!raster.nodataMask?.[p] && (raster.nodata === undefined || raster.data[p * bands] !== raster.nodata);
	let compared = 0;
	let maxDiff = 0;
	let maskDiffs = 0;
	for (let p = 0; p < pixels; p++) {
		if (valid(ours, p) !== valid(theirs, p)) maskDiffs++;
		if (!valid(ours, p) || !valid(theirs, p)) continue;
		compared++;
		for (let b = 0; b < bands; b++)
			maxDiff = Math.max(maxDiff, Math.abs(ours.data[p * bands + b] - theirs.data[p * bands + b]));
	}
	return {compared, maxDiff, maskDiffs};
}

describe.skipIf(!hasGdal)('file source against gdalwarp', () => {
	let rgbCog: string;
	let dsmCog: string;

	beforeAll(async () => {
		// 1200 × 1000 px in UTM at 0.3 m; COGs with overviews at 1/2 and 1/4 (GDAL's COG driver makes them).
		const rgb = syntheticRaster({width: 1200, height: 1000, bands: 3, bbox: utmBbox, epsg: 32632});
		const dsm = syntheticRaster({
			width: 1200,
			height: 1000,
			bands: 1,
			bbox: utmBbox,
			epsg: 32632,
			float: true,
			nodata: -9999,
			holes: 800,
		});
		const plainRgb = await write('gdal-rgb-plain.tif', rgb);
		const plainDsm = await write('gdal-dsm-plain.tif', dsm);
		rgbCog = path.join(dir, 'gdal-rgb-cog.tif');
		dsmCog = path.join(dir, 'gdal-dsm-cog.tif');
		execFileSync('gdal_translate', ['-q', '-of', 'COG', '-co', 'BLOCKSIZE=256', plainRgb, rgbCog]);
		execFileSync('gdal_translate', ['-q', '-of', 'COG', '-co', 'BLOCKSIZE=256', plainDsm, dsmCog]);
	});

	// Plan cell sizes in Web Mercator: 0.5 m reads the full image (about 1.15 file pixels per tile pixel:
	// gdalwarp's widened bilinear), 1.5 m reads the first overview (about 3.4).
	const cases = [
		{cellSize: 0.5, reads: /^full resolution/},
		{cellSize: 1.5, reads: /^overview 1 of 3 \(0\.6 m\)/},
	];

	for (const {cellSize, reads} of cases) {
		for (const resampling of ['nearest', 'bilinear'] as const) {
			it(`equals gdalwarp -r ${resampling === 'nearest' ? 'near' : resampling} at cell size ${cellSize} m, imagery within 1 grey level and DSM within 1e-3`, async () => {
				const size = 96;
				const bbox = {
					xmin: 1_000_100 - (size / 2) * cellSize + 0.13,
					ymin: 6_000_075 - (size / 2) * cellSize - 0.07,
					xmax: 1_000_100 + (size / 2) * cellSize + 0.13,
					ymax: 6_000_075 + (size / 2) * cellSize - 0.07,
				};
				const gdalResampling = resampling === 'nearest' ? 'near' : 'bilinear';
				for (const [file, pixelType, tolerance] of [
					[rgbCog, 'U8', 1],
					[dsmCog, 'F32', 1e-3],
				] as const) {
					const opened = await openFile(fileLayer(file, {pixelType, resampling}), {cellSize});
					try {
						expect(opened.source.describe().reads).toMatch(reads);
						const {raster} = await fetchTile(opened, {bbox, width: size, height: size});
						const reference = await gdalwarp(file, bbox, size, size, 3857, gdalResampling);
						const result = compare(raster, reference);
						expect(result.compared).toBeGreaterThan(size * size * 0.9);
						expect(result.maskDiffs).toBe(0);
						expect(result.maxDiff).toBeLessThanOrEqual(tolerance);
					} finally {
						opened.close();
					}
				}
			});
		}
	}

	it('reads 16-bit and float64 files, band by band, as gdalwarp warps them', async () => {
		const int16 = path.join(dir, 'gdal-dsm-int16.tif');
		const float64 = path.join(dir, 'gdal-dsm-float64.tif');
		execFileSync('gdal_translate', ['-q', '-ot', 'Int16', '-scale', '0', '300', '-3000', '3000', dsmCog, int16]);
		execFileSync('gdal_translate', ['-q', '-ot', 'Float64', dsmCog, float64]);
		const bbox = {xmin: 1_000_070, ymin: 6_000_050, xmax: 1_000_134, ymax: 6_000_114};
		for (const file of [int16, float64]) {
			const opened = await openFile(fileLayer(file, {pixelType: 'F32'}), {cellSize: 0.5});
			try {
				const {raster} = await fetchTile(opened, {bbox, width: 128, height: 128});
				// As float, as the DSM tiles are: gdalwarp would otherwise round its Int16 output.
				const reference = await gdalwarp(file, bbox, 128, 128, 3857, 'bilinear', ['-ot', 'Float32']);
				const result = compare(raster, reference);
				expect(result.maskDiffs).toBe(0);
				expect(result.maxDiff).toBeLessThanOrEqual(1e-3);
			} finally {
				opened.close();
			}
		}
	});

	it('takes pixels without data from an alpha band or an internal mask, as gdalwarp does', async () => {
		// RGB with a round hole (written as RGBA, as deepmask writes RGB tiles with nodata), and the same as a
		// COG with an internal mask instead of the alpha band.
		const raster = syntheticRaster({width: 600, height: 500, bands: 3, bbox: utmBbox, epsg: 32632});
		raster.nodataMask = new Uint8Array(600 * 500).map((_, p) =>
			Math.hypot((p % 600) - 250, Math.floor(p / 600) - 260) < 120 ? 1 : 0,
		);
		const rgba = await write('gdal-rgba.tif', raster);
		const masked = path.join(dir, 'gdal-masked-cog.tif');
		execFileSync('gdal_translate', [
			'-q',
			'-of',
			'COG',
			'-co',
			'BLOCKSIZE=256',
			'-b',
			'1',
			'-b',
			'2',
			'-b',
			'3',
			'-mask',
			'4',
			rgba,
			masked,
		]);
		expect(execFileSync('gdalinfo', [masked], {encoding: 'utf8'})).toMatch(/Mask Flags: PER_DATASET/);
		const size = 128;
		const bbox = {xmin: 1_000_060.2, ymin: 6_000_040.1, xmax: 1_000_060.2 + size * 0.7, ymax: 6_000_040.1 + size * 0.7};
		for (const file of [rgba, masked]) {
			for (const resampling of ['nearest', 'bilinear'] as const) {
				const opened = await openFile(fileLayer(file, {resampling}), {cellSize: 0.7});
				try {
					const {raster: ours} = await fetchTile(opened, {bbox, width: size, height: size});
					expect(ours.nodataMask?.some((value) => value === 1)).toBe(true);
					const reference = await gdalwarp(
						file,
						bbox,
						size,
						size,
						3857,
						resampling === 'nearest' ? 'near' : 'bilinear',
						['-dstalpha'],
					);
					const result = compare(ours, reference);
					expect(result.maskDiffs).toBe(0);
					expect(result.maxDiff).toBeLessThanOrEqual(1);
				} finally {
					opened.close();
				}
			}
		}
	});

	it('reads only the windows a tile needs from a large COG served over loopback', async () => {
		// 4096 × 4096 RGB of noise: 48 MiB that no compression shrinks, as a COG with overviews.
		const width = 4096;
		const data = randomFillSync(new Uint8Array(width * width * 3));
		const bbox = {xmin: 1_000_000, ymin: 6_000_000, xmax: 1_000_000 + width * 0.25, ymax: 6_000_000 + width * 0.25};
		const plain = path.join(dir, 'large-plain.tif');
		await writeGeoTiffFile(plain, {width, height: width, bands: 3, data, bbox, epsg: 3857}, {compression: 'none'});
		const cog = path.join(dir, 'large-cog.tif');
		execFileSync('gdal_translate', ['-q', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', plain, cog]);
		rmSync(plain);
		const fileSize = statSync(cog).size;
		expect(fileSize).toBeGreaterThan(40 * 1024 * 1024);
		const server = await serveFiles(dir);
		try {
			// A 512 px tile at the file's own 0.25 m, then one at 2 m (its overview 3, 1/8).
			for (const cellSize of [0.25, 2]) {
				server.reset();
				const opened = await openFile(fileLayer(`${server.url}/large-cog.tif`), {cellSize});
				try {
					const opening = server.sent();
					server.reset();
					const tile = {
						xmin: bbox.xmin + 301.3,
						ymin: bbox.ymin + 417.9,
						xmax: bbox.xmin + 301.3 + 512 * cellSize,
						ymax: bbox.ymin + 417.9 + 512 * cellSize,
					};
					const fetched = await fetchTile(opened, {bbox: tile, width: 512, height: 512});
					// The tile's window lies in 2 × 2 of the COG's 512 px blocks (786 KiB each, incompressible), read
					// whole, and nothing else but a few offsets: 5 % of the file.
					expect(server.sent()).toBeLessThanOrEqual(4 * 512 * 512 * 3 + 64 * 1024);
					expect(server.sent()).toBeLessThan(fileSize * 0.05);
					expect(fetched.bytes).toBe(server.sent());
					// Opening reads the header and the IFDs of every level: one 64 KiB block.
					expect(opening).toBeLessThanOrEqual(64 * 1024);
					// The coarse tile reaches past the file's east and north edges: gdalwarp's alpha says where.
					const reference = await gdalwarp(cog, tile, 512, 512, 3857, 'bilinear', ['-dstalpha']);
					const result = compare(fetched.raster, reference);
					expect(result.maskDiffs).toBe(0);
					expect(result.maxDiff).toBeLessThanOrEqual(1);
				} finally {
					opened.close();
				}
			}
		} finally {
			await server.close();
		}
	}, 120_000);
});
