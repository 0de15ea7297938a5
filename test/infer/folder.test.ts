import {execFileSync} from 'node:child_process';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {describe, expect, it} from 'vitest';
import {UserError} from '../../source/errors.js';
import {evaluate} from '../../source/app/evaluate.js';
import {inferFolder} from '../../source/app/infer-folder.js';
import {readDsm} from '../../source/app/input-images.js';
import {readGeoTiffFile, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {hasGdal} from '../helpers/gdal.js';
import {fixtureImages, tempDir, tinyModel} from './helpers.js';

async function imageFolder() {
	const {images} = await fixtureImages();
	const dir = await tempDir();
	const input = path.join(dir, 'in');
	await mkdir(input);
	const [a, b] = images;
	await sharp(a.rgb, {raw: {width: a.width, height: a.height, channels: 3}})
		.png()
		.toFile(path.join(input, 'plain.png'));
	await sharp(a.rgb, {raw: {width: a.width, height: a.height, channels: 3}})
		.jpeg({quality: 95})
		.toFile(path.join(input, 'photo.jpg'));
	const bbox = {xmin: 1000, ymin: 2000, xmax: 1000 + b.width, ymax: 2000 + b.height};
	await writeGeoTiffFile(path.join(input, 'geo.tif'), {
		width: b.width,
		height: b.height,
		bands: 3,
		data: b.rgb,
		bbox,
		epsg: 3857,
	});
	return {dir, input, bbox, a, b};
}

describe('infer on a folder of images', () => {
	it('writes PNG masks for plain images and georeferenced GeoTIFF masks for GeoTIFFs', async () => {
		const {dir, input, bbox, a} = await imageFolder();
		const out = path.join(dir, 'out');
		const result = await inferFolder({
			models: [tinyModel],
			input,
			out,
			provider: 'cpu',
			probabilities: true,
			threshold: 0.5,
		});
		expect(result.files.map((file) => path.relative(out, file.mask)).sort()).toEqual([
			'masks/geo.tif',
			'masks/photo.png',
			'masks/plain.png',
		]);
		expect((await sharp(path.join(out, 'masks/plain.png')).metadata()).channels).toBe(1);
		const png = await sharp(path.join(out, 'masks/plain.png'))
			.extractChannel(0)
			.raw()
			.toBuffer({resolveWithObject: true});
		expect([png.info.width, png.info.height]).toEqual([a.width, a.height]);
		expect(new Set(png.data)).toEqual(new Set([0, 255]));
		const geo = await readGeoTiffFile(path.join(out, 'masks/geo.tif'));
		expect(geo.bbox).toEqual(bbox);
		expect(geo.epsg).toBe(3857);
		expect(new Set(geo.data).size).toBeLessThanOrEqual(2);
		expect(Math.max(...geo.data)).toBeLessThanOrEqual(1);
		const probability = await readGeoTiffFile(path.join(out, 'prob/geo.tif'));
		expect(Math.max(...probability.data)).toBeGreaterThan(1);

		const resized = await inferFolder({
			models: [tinyModel],
			input,
			out: path.join(dir, 'sized'),
			size: {width: 50, height: 40},
			provider: 'cpu',
		});
		expect(resized.files.every((file) => file.width === 50 && file.height === 40)).toBe(true);
		expect((await readGeoTiffFile(path.join(dir, 'sized/masks/geo.tif'))).bbox).toEqual(bbox);
	});

	it('stops with a UserError naming the file for an empty folder and a truncated image', async () => {
		const dir = await tempDir();
		const empty = path.join(dir, 'empty');
		await mkdir(empty);
		await expect(inferFolder({models: [tinyModel], input: empty, out: path.join(dir, 'o1')})).rejects.toThrow(
			/holds no PNG, JPEG or TIFF/,
		);

		const {input} = await imageFolder();
		const bytes = await readFile(path.join(input, 'plain.png'));
		await writeFile(path.join(input, 'broken.png'), bytes.subarray(0, 200));
		const error = await inferFolder({models: [tinyModel], input, out: path.join(dir, 'o2'), provider: 'cpu'}).catch(
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(UserError);
		expect((error as Error).message).toMatch(/broken\.png: cannot decode the image/);
	});

	it('checks the DSM against the image', async () => {
		const {model, images} = await fixtureImages();
		if (!model) return;
		const dir = await tempDir();
		const [a] = images;
		await mkdir(path.join(dir, 'rgb'));
		await mkdir(path.join(dir, 'dsm'));
		await sharp(a.rgb, {raw: {width: a.width, height: a.height, channels: 3}})
			.png()
			.toFile(path.join(dir, 'rgb/t.png'));
		const bbox = {xmin: 0, ymin: 0, xmax: 10, ymax: 10};
		await writeGeoTiffFile(path.join(dir, 'dsm/t.tif'), {
			width: 10,
			height: 10,
			bands: 1,
			data: new Float32Array(100),
			bbox,
			epsg: 3857,
		});
		await expect(
			inferFolder({models: [model], input: path.join(dir, 'rgb'), out: path.join(dir, 'o'), provider: 'cpu'}),
		).rejects.toThrow(/pass --dsm DIR/);
		const error = await inferFolder({
			models: [model],
			input: path.join(dir, 'rgb'),
			dsm: path.join(dir, 'dsm'),
			out: path.join(dir, 'o'),
			provider: 'cpu',
		}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(UserError);
		expect((error as Error).message).toMatch(/t\.png: the image is 192×192 but its DSM is 10×10/);
	});
});

describe('DSM files', () => {
	it('reads a 16-bit greyscale PNG (written by GDAL) as heights and gives the masks of the same GeoTIFF', async (context) => {
		if (!hasGdal) return context.skip();
		const {model, images} = await fixtureImages();
		const dir = await tempDir();
		const [a] = images;
		const {width, height} = a;
		const heights = Float32Array.from({length: width * height}, (_, i) => 300 + ((i % width) >> 4) * 3);
		for (const folder of ['rgb', 'png', 'tif']) await mkdir(path.join(dir, folder));
		await sharp(a.rgb, {raw: {width, height, channels: 3}})
			.png()
			.toFile(path.join(dir, 'rgb/t.png'));
		const bbox = {xmin: 0, ymin: 0, xmax: width, ymax: height};
		await writeGeoTiffFile(path.join(dir, 'tif/t.tif'), {width, height, bands: 1, data: heights, bbox, epsg: 3857});
		execFileSync('gdal_translate', [
			'-q',
			'-ot',
			'UInt16',
			'-of',
			'PNG',
			path.join(dir, 'tif/t.tif'),
			path.join(dir, 'png/t.png'),
		]);
		const dsm = await readDsm(path.join(dir, 'png/t.png'));
		expect(dsm.data).toEqual(heights);
		if (!model) return;
		const masks = async (dsmDir: string) => {
			const out = path.join(dir, `out-${dsmDir}`);
			await inferFolder({
				models: [model],
				input: path.join(dir, 'rgb'),
				dsm: path.join(dir, dsmDir),
				out,
				provider: 'cpu',
			});
			return readFile(path.join(out, 'masks/t.png'));
		};
		expect(await masks('png')).toEqual(await masks('tif'));
	});

	it('reads a greyscale PNG with alpha: transparent pixels have no data', async () => {
		const dir = await tempDir();
		const file = path.join(dir, 'dsm.png');
		const greyAlpha = Uint8Array.from({length: 8 * 4 * 2}, (_, i) => (i % 2 === 0 ? 40 + (i >> 1) : i < 16 ? 0 : 255));
		await sharp(greyAlpha, {raw: {width: 8, height: 4, channels: 2}})
			.toColourspace('b-w')
			.png()
			.toFile(file);
		const dsm = await readDsm(file);
		expect(Array.from(dsm.data.slice(6, 10))).toEqual([NaN, NaN, 48, 49]);
	});

	it('refuses a colour PNG as a DSM, naming the format', async () => {
		const dir = await tempDir();
		const file = path.join(dir, 'colour.png');
		await sharp(new Uint8Array(16 * 16 * 3), {raw: {width: 16, height: 16, channels: 3}})
			.png()
			.toFile(file);
		await expect(readDsm(file)).rejects.toThrow(
			/colour\.png: a PNG with 3 colour channels is not a DSM; a DSM has one band/,
		);
	});
});

describe('evaluation', () => {
	it('scores models and the ensemble against label rasters and the demo scene', async () => {
		const {dir, input} = await imageFolder();
		const out = path.join(dir, 'out');
		await inferFolder({models: [tinyModel], input, out, provider: 'cpu', threshold: 0.5});
		// The model's own masks as labels: a perfect score.
		const report = await evaluate({models: [tinyModel], provider: 'cpu', input, labels: path.join(out, 'masks')});
		expect(report.tiles).toBe(3);
		expect(report.scores.map((row) => row.name)).toEqual(['tiny-fcn', 'ensemble']);
		for (const row of report.scores) expect([row.iou, row.precision, row.recall]).toEqual([1, 1, 1]);

		const demo = await evaluate({
			models: [tinyModel],
			provider: 'cpu',
			demoExtent: {xmin: 1000000, ymin: 6000000, xmax: 1000100, ymax: 6000050},
			cell: 1,
			tilePixels: 64,
		});
		expect(demo.tiles).toBe(2);
		expect(demo.extent).toEqual({xmin: 1000000, ymin: 5999986, xmax: 1000128, ymax: 6000050});
		expect(demo.scores[1].pixels).toBe(2 * 64 * 64);
	});
});
